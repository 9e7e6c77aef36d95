"""The SQLite (FTS5 trigram) index behind LocalHub: records from cards, schema, writes, queries."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Generator, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hf_ecosystem.config import private_file
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.hub.index_fields import term_key
from hf_ecosystem.hub.types import (
    DatasetSummary,
    ModelSummary,
    RepoFile,
    RepoKind,
    RepoSummary,
    SearchFilters,
    Sort,
)

SCHEMA_VERSION = "3"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE repos (
    rowid INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    source TEXT NOT NULL,
    hidden INTEGER NOT NULL DEFAULT 0,
    path TEXT NOT NULL,
    card_path TEXT,
    stamp TEXT NOT NULL,
    sha TEXT,
    author TEXT COLLATE NOCASE,
    task TEXT COLLATE NOCASE,
    library TEXT COLLATE NOCASE,
    license TEXT COLLATE NOCASE,
    languages TEXT NOT NULL,
    tags TEXT NOT NULL,
    haystack TEXT NOT NULL,
    downloads INTEGER,
    likes INTEGER,
    trending REAL,
    last_modified REAL,
    parameters INTEGER,
    size_bytes INTEGER,
    card_error TEXT
);
CREATE UNIQUE INDEX repos_key ON repos (kind, id, source);
CREATE INDEX repos_name ON repos (kind, hidden, id COLLATE NOCASE);
CREATE INDEX repos_updated ON repos (kind, hidden, last_modified);
CREATE INDEX repos_task ON repos (kind, task);
CREATE INDEX repos_library ON repos (kind, library);
CREATE INDEX repos_license ON repos (kind, license);
CREATE INDEX repos_author ON repos (kind, author);
CREATE TABLE details (repo INTEGER PRIMARY KEY, files TEXT NOT NULL, card_data TEXT NOT NULL);
CREATE TABLE terms (repo INTEGER NOT NULL, term TEXT NOT NULL, PRIMARY KEY (term, repo))
    WITHOUT ROWID;
CREATE INDEX terms_repo ON terms (repo);
CREATE VIRTUAL TABLE repos_fts USING fts5 (haystack, tokenize = 'trigram');
"""

_SUMMARY_COLUMNS = (
    "r.id, r.kind, r.author, r.task, r.library, r.license, r.languages, r.tags, r.downloads, "
    "r.likes, r.trending, r.last_modified, r.parameters, r.size_bytes, r.source"
)
_BY_NAME = "r.id COLLATE NOCASE, r.id"
_ORDER = {
    Sort.NAME: _BY_NAME,
    Sort.UPDATED: f"r.last_modified IS NULL, r.last_modified DESC, {_BY_NAME}",
    Sort.DOWNLOADS: f"r.downloads IS NULL, r.downloads DESC, {_BY_NAME}",
    Sort.LIKES: f"r.likes IS NULL, r.likes DESC, {_BY_NAME}",
    Sort.TRENDING: f"r.trending IS NULL, r.trending DESC, {_BY_NAME}",
}


@dataclass(frozen=True, slots=True)
class IndexRecord:
    """Everything the index stores about one repo, built from its folder or cache snapshot."""

    kind: RepoKind
    id: str
    source: str
    path: str
    stamp: str
    card_path: str | None = None
    sha: str | None = None
    author: str | None = None
    task: str | None = None
    library: str | None = None
    license: str | None = None
    languages: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    terms: frozenset[str] = frozenset()
    last_modified: float | None = None
    parameters: int | None = None
    size_bytes: int | None = None
    card_error: str | None = None
    files: tuple[tuple[str, int | None], ...] = ()
    card_data: dict[str, Any] = field(default_factory=dict[str, Any])


@dataclass(frozen=True, slots=True)
class StoredRepo:
    """One stored repo's detail row."""

    summary: RepoSummary
    path: str
    card_path: str | None
    sha: str | None
    card_error: str | None
    files: tuple[RepoFile, ...]
    card_data: dict[str, Any]


class LocalIndex:
    """A thread-safe SQLite index file, opened on first use and rebuilt on schema change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None

    @contextmanager
    def connection(self) -> Generator[sqlite3.Connection]:
        """The open connection, held under the lock (SQLite objects are not thread-safe)."""
        with self._lock:
            if self._conn is None:
                self._conn = self._open()
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise HfEcoError(
                    f"Local hub index error in {self.path}: {exc}",
                    "Retry; if it persists, delete the index file and it will be rebuilt.",
                ) from exc

    def close(self) -> None:
        """Close the connection; the next use reopens it."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            private_file(self.path)
        except (OSError, sqlite3.Error) as exc:
            raise HfEcoError(
                f"Cannot open the local hub index {self.path}", "Check HFTUI_HOME is writable."
            ) from exc
        try:
            return self._prepare(conn)
        except sqlite3.OperationalError as exc:  # locked or unreadable: never delete it then
            conn.close()
            raise HfEcoError(
                f"Cannot use the local hub index {self.path}: {exc}",
                "Another hf-tui may be rebuilding it; retry in a moment.",
            ) from exc
        except sqlite3.DatabaseError:
            # The index is only a cache of the folders: a corrupt file is rebuilt, not reported.
            conn.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            return self._prepare(conn)

    def _prepare(self, conn: sqlite3.Connection) -> sqlite3.Connection:
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        version = None
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            version = row[0] if row else None
        except sqlite3.OperationalError:
            pass
        if version != SCHEMA_VERSION:
            tables = conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name NOT LIKE 'repos_fts_%'"
            ).fetchall()
            drops = "".join(f'DROP TABLE IF EXISTS "{name}";\n' for (name,) in tables)
            # One script, one transaction: another process never sees a half-built schema.
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{drops}{_SCHEMA}\n"
                f"INSERT INTO meta VALUES ('schema', '{SCHEMA_VERSION}');\nCOMMIT;"
            )
        return conn

    def get_meta(self, key: str) -> str | None:
        """A value of the meta table."""
        with self.connection() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            return row[0] if row else None

    def stamps(self) -> dict[tuple[str, str, str], str]:
        """(kind, id, source) -> stamp of every stored repo."""
        with self.connection() as conn:
            rows = conn.execute("SELECT kind, id, source, stamp FROM repos").fetchall()
        return {(k, i, s): stamp for k, i, s, stamp in rows}

    def apply(
        self,
        removed: Iterable[tuple[str, str, str]],
        records: Iterable[IndexRecord],
        meta: dict[str, str],
    ) -> None:
        """Delete, upsert and update meta in one transaction, then recompute shadowing."""
        with self.connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for key in removed:
                    self._delete(conn, key)
                for record in records:
                    self._delete(conn, (record.kind, record.id, record.source))
                    self._insert(conn, record)
                # A repo in a folder root shadows the cache copy with the same id.
                conn.execute(
                    "UPDATE repos SET hidden = (source = 'cache' AND EXISTS (SELECT 1 FROM repos"
                    " l WHERE l.kind = repos.kind AND l.id = repos.id AND l.source = 'local'))"
                )
                conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    @staticmethod
    def _delete(conn: sqlite3.Connection, key: tuple[str, str, str]) -> None:
        row = conn.execute(
            "SELECT rowid FROM repos WHERE kind = ? AND id = ? AND source = ?", key
        ).fetchone()
        if row is None:
            return
        for sql in (
            "DELETE FROM repos WHERE rowid = ?",
            "DELETE FROM details WHERE repo = ?",
            "DELETE FROM terms WHERE repo = ?",
            "DELETE FROM repos_fts WHERE rowid = ?",
        ):
            conn.execute(sql, row)

    @staticmethod
    def _insert(conn: sqlite3.Connection, r: IndexRecord) -> None:
        haystack = "\n".join((r.id, *r.tags)).lower()
        cur = conn.execute(
            "INSERT INTO repos (kind, id, source, path, card_path, stamp, sha, author, task,"
            " library, license, languages, tags, haystack, last_modified, parameters, size_bytes,"
            " card_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                r.kind, r.id, r.source, r.path, r.card_path, r.stamp, r.sha, r.author, r.task,
                r.library, r.license, json.dumps(r.languages), json.dumps(r.tags), haystack,
                r.last_modified, r.parameters, r.size_bytes, r.card_error,
            ),
        )  # fmt: skip
        rowid = cur.lastrowid
        conn.execute(
            "INSERT INTO details VALUES (?, ?, ?)",
            (rowid, json.dumps(r.files), json.dumps(r.card_data)),
        )
        conn.executemany("INSERT INTO terms VALUES (?, ?)", [(rowid, t) for t in r.terms])
        conn.execute("INSERT INTO repos_fts (rowid, haystack) VALUES (?, ?)", (rowid, haystack))

    def count(self, kind: RepoKind | None = None) -> int:
        """Visible repos, of one kind or all."""
        sql = "SELECT count(*) FROM repos WHERE hidden = 0"
        with self.connection() as conn:
            if kind is None:
                return conn.execute(sql).fetchone()[0]
            return conn.execute(f"{sql} AND kind = ?", (kind,)).fetchone()[0]

    def search(
        self, kind: RepoKind, filters: SearchFilters, sort: Sort, limit: int, offset: int = 0
    ) -> list[RepoSummary]:
        """One page of visible repos matching `filters` in `sort` order."""
        if limit <= 0:
            return []
        where, params = _where(kind, filters)
        sql = (
            f"SELECT {_SUMMARY_COLUMNS} FROM repos r WHERE {' AND '.join(where)}"
            f" ORDER BY {_ORDER[Sort(sort)]} LIMIT ? OFFSET ?"
        )
        with self.connection() as conn:
            rows = conn.execute(sql, (*params, limit, max(offset, 0))).fetchall()
        return [_summary(row) for row in rows]

    def get(self, kind: RepoKind, repo_id: str) -> StoredRepo | None:
        """The visible repo with this id, or None."""
        sql = (
            f"SELECT {_SUMMARY_COLUMNS}, r.path, r.card_path, r.sha, r.card_error, d.files,"
            " d.card_data FROM repos r JOIN details d ON d.repo = r.rowid"
            " WHERE r.kind = ? AND r.id = ? AND r.hidden = 0"
        )
        with self.connection() as conn:
            row = conn.execute(sql, (kind, repo_id)).fetchone()
        if row is None:
            return None
        files = tuple(RepoFile(path=p, size=s) for p, s in json.loads(row[19]))
        return StoredRepo(
            _summary(row[:15]), row[15], row[16], row[17], row[18], files, json.loads(row[20])
        )


def _where(kind: RepoKind, f: SearchFilters) -> tuple[list[str], list[Any]]:
    where: list[str] = ["r.kind = ?", "r.hidden = 0"]
    params: list[Any] = [kind]
    phrases: list[str] = []
    for term in f.query.lower().split():
        if len(term) >= 3:
            phrases.append('"' + term.replace('"', '""') + '"')
        else:
            # Trigrams cannot match fewer than three characters, so short words scan instead.
            escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append("r.haystack LIKE ? ESCAPE '\\'")
            params.append(f"%{escaped}%")
    if phrases:
        where.append("r.rowid IN (SELECT rowid FROM repos_fts WHERE repos_fts MATCH ?)")
        params.append(" AND ".join(phrases))
    for column, value in (
        ("task", f.task),
        ("library", f.library),
        ("license", f.license),
        ("author", f.author),
    ):
        if value:
            where.append(f"r.{column} = ?")
            params.append(value.strip())
    wanted = [term_key("lang", f.language)] if f.language else []
    wanted += [term_key("tag", t) for t in f.tags if t.strip()]
    for term in dict.fromkeys(wanted):
        where.append("r.rowid IN (SELECT repo FROM terms WHERE term = ?)")
        params.append(term)
    return where, params


def _summary(row: Any) -> RepoSummary:
    cls = ModelSummary if row[1] == "model" else DatasetSummary
    return cls(
        id=row[0],
        author=row[2],
        task=row[3],
        library=row[4],
        license=row[5],
        languages=tuple(json.loads(row[6])),
        tags=tuple(json.loads(row[7])),
        downloads=row[8],
        likes=row[9],
        trending_score=row[10],
        last_modified=datetime.fromtimestamp(row[11], tz=UTC) if row[11] is not None else None,
        parameters=row[12],
        size_bytes=row[13],
        source=row[14],
    )
