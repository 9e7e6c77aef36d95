"""Writing Python source safely: every user value becomes a literal through `repr`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

INDENT = "    "


def literal(value: Any) -> str:
    """`value` as a Python literal; only plain data is accepted (no code can hide in it)."""
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    if isinstance(value, Mapping):
        items: Mapping[Any, Any] = value  # pyright: ignore[reportUnknownVariableType]
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in items.items()) + "}"
    if isinstance(value, list | tuple):
        seq: list[Any] | tuple[Any, ...] = value  # pyright: ignore[reportUnknownVariableType]
        inner = ", ".join(literal(v) for v in seq)
        return f"[{inner}]"
    raise TypeError(f"not plain data: {type(value).__name__}")


def call(name: str, *args: Any, **kwargs: Any) -> str:
    """`name(arg, key=value, …)` with literal values; keyword arguments that are None are left
    out. Wrapped one argument per line when long."""
    parts = [literal(a) for a in args]
    parts += [f"{k}={literal(v)}" for k, v in kwargs.items() if v is not None]
    one_line = f"{name}({', '.join(parts)})"
    if len(one_line) <= 88:
        return one_line
    inner = "".join(f"\n{INDENT}{p}," for p in parts)
    return f"{name}({inner}\n)"


def assign(target: str, name: str, *args: Any, **kwargs: Any) -> str:
    """`target = name(…)`."""
    return f"{target} = {call(name, *args, **kwargs)}"


def lines(*parts: str) -> str:
    """Source lines joined, ending with one newline."""
    return "\n".join(parts).strip("\n") + "\n"
