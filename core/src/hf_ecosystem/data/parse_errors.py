"""pyarrow's CSV and JSON parse failures as DataErrors naming the file, line, row and column."""

from __future__ import annotations

import re
from typing import Any, cast

from hf_ecosystem.data.errors import DataError
from hf_ecosystem.data.files import MAX_BLOCK
from hf_ecosystem.data.layout import DataFile

_CSV_ROW = re.compile(r"Row #(\d+)")
_CSV_COLUMN = re.compile(r"CSV column #(\d+)")
_CSV_CONVERSION = re.compile(r"CSV conversion error to (\S+): invalid value '(.*)'")
_CSV_FIELDS = re.compile(r"Expected (\d+) columns, got (\d+): (.*)", re.DOTALL)
_JSON_ROW = re.compile(r"JSON parse error: (.*?)\.? in row (\d+)")
_JSON_COLUMN = re.compile(r"Column\(/([^)]*)\) changed from (\w+) to (\w+)")


def csv_error(exc: Exception, file: DataFile, names: list[str], done: int) -> DataError:
    """The DataError for a CSV failure (a pyarrow ArrowInvalid); `done` rows were read before it."""
    text = str(exc)
    if text.startswith("Empty CSV file"):
        return DataError("the file is empty", file=file.name, hint="Check that it was written.")
    if "straddl" in text:
        return DataError(
            f"a cell after row {done} is larger than {MAX_BLOCK >> 20} MiB",
            file=file.name,
            row=done + 1,
            hint="Split the huge value, or store it in Parquet.",
        )
    # With one reader thread pyarrow names the line ("Row #N" counts the header line too).
    line = int(match.group(1)) if (match := _CSV_ROW.search(text)) else None
    column = None
    if match := _CSV_COLUMN.search(text):
        index = int(match.group(1))
        column = names[index] if index < len(names) else f"#{index}"
    if "UTF8" in text or "UTF-8" in text:
        return DataError(
            "not UTF-8 text", file=file.name, line=line, column=column,
            hint="Re-encode the file as UTF-8.",
        )  # fmt: skip
    if (match := _CSV_CONVERSION.search(text)) and column is not None:
        kind, value = match.group(1), match.group(2)
        return DataError(
            f"mixed types: {value[:60]!r} in a column whose earlier values are {kind}",
            file=file.name,
            line=line,
            column=column,
            hint="Fix or remove that value: every value of a column must have one type.",
        )
    detail = _CSV_ROW.sub("", text.removeprefix("CSV parse error: ")).lstrip(": ")
    if match := _CSV_FIELDS.search(detail):
        expected, got, content = match.groups()
        detail = f"malformed row: expected {expected} fields, got {got} ({content[:80]})"
    return DataError(detail[:300], file=file.name, line=line, hint="Check the file's CSV syntax.")


def json_error(exc: Exception, file: DataFile, done: int) -> DataError:
    text = str(exc)
    if "straddl" in text:
        return DataError(
            f"a value after line {done} is larger than {MAX_BLOCK >> 20} MiB",
            file=file.name,
            line=done + 1,
            hint="Split the huge value, or store it in Parquet.",
        )
    if "Empty JSON" in text or text.strip() == "":
        return DataError(
            "the file holds no JSON rows",
            file=file.name,
            hint="Each line of a JSON Lines file must be one JSON object.",
        )
    match = _JSON_ROW.search(text)
    line = done + int(match.group(2)) + 1 if match else None
    detail = match.group(1) if match else text.removeprefix("JSON parse error: ")
    if detail.startswith("unexpected field"):  # valid JSON: the columns come from the first block
        return DataError(
            f"a row after line {done} has a field that the first rows lack",
            file=file.name,
            line=line,
            hint="Give every row the same fields (null where empty), or convert it to Parquet.",
        )
    if col := _JSON_COLUMN.search(detail):
        return DataError(
            f"mixed types: {col.group(2)} in earlier rows, then {col.group(3)}",
            file=file.name,
            line=line,
            column=col.group(1),
            hint="Give every row the same type in this column.",
        )
    return DataError(
        f"invalid JSON: {detail[:200]}",
        file=file.name,
        line=line,
        hint="Each line of a JSON Lines file must be one JSON object.",
    )


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    names: dict[type[object], str] = {str: "string", list: "array", dict: "object"}
    kind = cast("type[object]", type(value))
    return names.get(kind, kind.__name__)


def first_type_conflict(rows: list[dict[str, Any]]) -> tuple[int | None, str | None, str, str]:
    """(1-based row, column, first kind, conflicting kind) of the first type change."""
    kinds: dict[str, str] = {}
    for number, row in enumerate(rows, start=1):
        for key, value in row.items():
            if value is None:
                continue
            kind = _kind(value)
            first = kinds.setdefault(key, kind)
            if first != kind:
                return number, key, first, kind
    return None, None, "one type", "another"


def first_huge_int(rows: list[dict[str, Any]]) -> tuple[int | None, str | None]:
    """(1-based row, column) of the first top-level whole number outside int64, else Nones."""
    for number, row in enumerate(rows, start=1):
        for key, value in row.items():
            if isinstance(value, int) and not -(1 << 63) <= value < 1 << 63:
                return number, key
    return None, None
