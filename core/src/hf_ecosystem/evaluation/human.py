"""Human evaluation: review model outputs item by item, store the ratings as a dataset.

A review reads items from an evaluate job's files (a generation run's `predictions.csv`, a
classifier's `errors.csv`) or from batch-inference results (one file, or two files of the same
inputs compared side by side with the order hidden). Each reviewer's ratings are appended to
`<folder>/human/<review>/<reviewer>.jsonl` as they are given, so a review resumes where the
reviewer stopped and the ratings load with `datasets.load_dataset("json", ...)`.

Kinds of review, one key per answer:
- `rating`: a score 1-5 for one output (generation);
- `label`: is the model's answer acceptable after all (y) or really wrong (n) (classifier errors);
- `pairwise`: which of two outputs is better, A, B or a tie (=), A and B shuffled per item.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.safe_files import read_text_bounded

ReviewKind = Literal["rating", "label", "pairwise"]
ANSWERS: dict[ReviewKind, tuple[str, ...]] = {
    "rating": ("1", "2", "3", "4", "5"),
    "label": ("y", "n"),
    "pairwise": ("a", "b", "="),
}
ANSWER_HELP: dict[ReviewKind, str] = {
    "rating": "1 (bad) … 5 (good)",
    "label": "y: the model's answer is acceptable · n: it is wrong",
    "pairwise": "a: A is better · b: B is better · =: a tie",
}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_FILE = 64 * 1024**2


class ReviewError(HfEcoError):
    """A review cannot be opened or an answer cannot be stored."""

    default_title = "Cannot review"
    default_hint = "Review an evaluate job's folder, or one or two batch-inference result files."


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One thing to judge: the input, the output(s) as shown, and what the metric knew."""

    item_id: str
    prompt: str
    outputs: tuple[str, ...]  # as shown: for pairwise, (A, B) after the hidden shuffle
    reference: str | None = None
    models: tuple[str, ...] = ()  # the model behind each shown output (hidden from the reviewer)
    metric_label: str | None = None  # label reviews: the dataset's label the metric counted


@dataclass(frozen=True, slots=True)
class Rating:
    """One stored answer."""

    item_id: str
    reviewer: str
    answer: str
    chosen: str | None = None  # pairwise: the model the answer picked ("tie" for =)
    at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON line."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Rating:
        """Read a JSON line back."""
        chosen = data.get("chosen")
        return cls(
            item_id=str(data["item_id"]),
            reviewer=str(data["reviewer"]),
            answer=str(data["answer"]),
            chosen=None if chosen is None else str(chosen),
            at=float(data.get("at", 0.0)),
        )


@dataclass(slots=True)
class Review:
    """A review's items and where its ratings live; answers are appended as they come."""

    name: str
    kind: ReviewKind
    folder: Path  # <base>/human/<name>
    items: list[ReviewItem]
    reviewer: str
    ratings: dict[str, Rating] = field(default_factory=dict[str, Rating])

    @property
    def path(self) -> Path:
        """This reviewer's ratings file."""
        return self.folder / f"{self.reviewer}.jsonl"

    def remaining(self) -> list[ReviewItem]:
        """Items this reviewer has not answered, in order."""
        return [item for item in self.items if item.item_id not in self.ratings]

    def answer(self, item: ReviewItem, key: str) -> Rating:
        """Store one answer (the latest answer to an item wins) and return it."""
        if key not in ANSWERS[self.kind]:
            raise ReviewError(f"{key!r} is not an answer here", f"Use {ANSWER_HELP[self.kind]}.")
        chosen = None
        if self.kind == "pairwise":
            chosen = "tie" if key == "=" else item.models["ab".index(key)]
        rating = Rating(item.item_id, self.reviewer, key, chosen, time.time())
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(rating.to_dict()) + "\n")
        self.ratings[item.item_id] = rating
        return rating


def default_reviewer() -> str:
    """The login name, as a valid reviewer name."""
    import getpass

    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container's anonymous uid)
        name = "reviewer"
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name).lstrip("-_.")[:64] or "reviewer"


def _check_name(value: str, what: str) -> str:
    if not _NAME.match(value):
        raise ReviewError(
            f"Invalid {what} name {value!r}",
            "Use letters, digits, '-', '_' or '.', starting with a letter or digit.",
        )
    return value


def _csv_rows(path: Path) -> list[dict[str, str]]:
    text = read_text_bounded(path, max_bytes=MAX_FILE)
    return list(csv.DictReader(text.splitlines()))


def _jsonl_rows(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(read_text_bounded(path, max_bytes=MAX_FILE).splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ReviewError(f"{path.name} line {number} is not JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or "output" not in row:
            raise ReviewError(f"{path.name} line {number} has no 'output'",
                              "Review the JSON Lines that `hf-tui run batch` writes.")  # fmt: skip
        rows.append(row)  # pyright: ignore[reportUnknownArgumentType]
    return rows


def _shown(value: Any) -> str:
    """An output as text: batch outputs may be labels with scores or generated text."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and isinstance(value[0], dict):
        first: dict[str, Any] = value[0]  # pyright: ignore[reportUnknownVariableType]
        for key in ("generated_text", "summary_text", "translation_text", "text", "label"):
            if key in first:
                return str(first[key])
    if isinstance(value, dict):
        mapping: dict[str, Any] = value  # pyright: ignore[reportUnknownVariableType]
        for key in ("text", "generated_text", "label", "answer"):
            if key in mapping:
                return str(mapping[key])
    return json.dumps(value, ensure_ascii=False)


def items_from_evaluation(folder: Path) -> tuple[ReviewKind, list[ReviewItem]]:
    """A generation run's predictions (rated 1-5) or a classifier's errors (labelled y/n)."""
    predictions, errors = folder / "predictions.csv", folder / "errors.csv"
    if predictions.is_file():
        rows = _csv_rows(predictions)
        return "rating", [
            ReviewItem(
                row.get("index", str(i)),
                row.get("source", ""),
                (row.get("prediction", ""),),
                row.get("reference"),
            )
            for i, row in enumerate(rows)
        ]
    if errors.is_file():
        rows = _csv_rows(errors)
        return "label", [
            ReviewItem(
                row.get("index", str(i)),
                row.get("text", ""),
                (row.get("predicted", ""),),
                metric_label=row.get("true"),
            )
            for i, row in enumerate(rows)
        ]
    raise ReviewError(
        f"Nothing to review in {folder}",
        "It needs the predictions.csv or errors.csv an evaluate job writes.",
    )


def _order(seed: str, item_id: str) -> bool:
    """Whether the second model is shown as A for this item: fixed per review and item."""
    return hashlib.sha256(f"{seed}:{item_id}".encode()).digest()[0] % 2 == 1


def items_from_batches(
    paths: Sequence[Path], seed: str = ""
) -> tuple[ReviewKind, list[ReviewItem]]:
    """One results file (rated 1-5) or two of the same inputs (compared, order hidden)."""
    if len(paths) not in (1, 2):
        raise ReviewError("Review one results file, or two to compare")
    tables = [_jsonl_rows(p) for p in paths]
    names = tuple(p.stem for p in paths)
    if len(tables) == 1:
        return "rating", [
            ReviewItem(
                str(r.get("index", i)),
                str(r.get("input", "")),
                (_shown(r["output"]),),
                models=names,
            )
            for i, r in enumerate(tables[0])
        ]
    first, second = ({str(r.get("index", i)): r for i, r in enumerate(t)} for t in tables)
    if set(first) != set(second) or any(
        first[k].get("input") != second[k].get("input") for k in first
    ):
        raise ReviewError("The two files do not hold the same inputs",
                          "Compare two batch runs over the same input file.")  # fmt: skip
    items: list[ReviewItem] = []
    for key, row in first.items():
        pair = [(_shown(row["output"]), names[0]), (_shown(second[key]["output"]), names[1])]
        if _order(seed or "|".join(names), key):
            pair.reverse()
        items.append(ReviewItem(key, str(row.get("input", "")), (pair[0][0], pair[1][0]),
                                models=(pair[0][1], pair[1][1])))  # fmt: skip
    return "pairwise", items


def read_ratings(path: Path) -> Iterator[Rating]:
    """A ratings file's answers in order (a torn last line from a kill is skipped)."""
    if not path.is_file():
        return
    for line in read_text_bounded(path, max_bytes=MAX_FILE).splitlines():
        try:
            yield Rating.from_dict(json.loads(line))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            continue


def open_review(
    sources: Sequence[Path], reviewer: str, *, name: str | None = None, base: Path | None = None
) -> Review:
    """Open (or resume) a review of an evaluation folder or of one or two batch result files."""
    _check_name(reviewer, "reviewer")
    paths = [Path(s) for s in sources]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise ReviewError(f"No such file or folder: {', '.join(missing)}")
    if len(paths) == 1 and paths[0].is_dir():
        kind, items = items_from_evaluation(paths[0])
        home = base or paths[0]
    else:
        kind, items = items_from_batches(paths)
        home = base or paths[0].parent
    review_name = _check_name(name or "-vs-".join(p.stem for p in paths), "review")
    folder = home / "human" / review_name
    review = Review(review_name, kind, folder, items, reviewer)
    for rating in read_ratings(review.path):
        review.ratings[rating.item_id] = rating
    return review
