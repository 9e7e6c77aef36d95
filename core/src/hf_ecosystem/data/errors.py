"""Errors and warnings of the data layer: each names the file, line, row or column at fault."""

from __future__ import annotations

from hf_ecosystem.errors import HfEcoError


class DataError(HfEcoError):
    """Data that cannot be read or used as asked: a bad file, row, column, split or option."""

    default_title = "Cannot use the data"
    default_hint = "Check the file's format and the names of splits and columns."

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        line: int | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem: str = problem
        self.file: str | None = file
        self.line: int | None = line
        self.row: int | None = row
        self.column: str | None = column
        where: list[str] = []
        if file is not None:
            where.append(file)
        if line is not None:
            where.append(f"line {line}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {problem}" if where else problem, hint)

    def to_dict(self) -> dict[str, str]:
        data = super().to_dict()
        data["problem"] = self.problem
        for key in ("file", "line", "row", "column"):
            value = getattr(self, key)
            if value is not None:
                data[key] = str(value)
        return data


class DataWarning(UserWarning):
    """Something was skipped or approximated, and the result is still usable."""


def check_json_depth(path: str, name: str | None = None) -> None:
    """DataError for a local JSON file nested too deep for Arrow (it would crash the process)."""
    from hf_ecosystem.safe_files import MAX_JSON_DEPTH, json_too_deep

    if json_too_deep(path):
        raise DataError(
            f"nested more than {MAX_JSON_DEPTH} levels deep",
            file=name or path,
            hint="Flatten the records: JSON nested this deep cannot be read safely.",
        )
