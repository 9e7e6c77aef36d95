"""The one YAML loader for text the project did not write: cards, training configs, dataset cards.

PyYAML's safe loader runs no code, but anchors and aliases still let a few hundred bytes describe
a self-referencing structure (`tags: &a [*a]`, which every later walk turns into a RecursionError)
or a "billion laughs" tree whose expansion exhausts memory when it is printed, indexed or dumped
as JSON. `load_yaml` measures the document on its event stream first — size in bytes, the number
of aliases, and the number of nodes once every alias is expanded — and refuses it with a
`YamlRefused` naming the limit before any object is built.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 1024 * 1024  # front matter and configs are a few KiB; a MiB is already generous
MAX_ALIASES = 100  # real cards and configs use none or a handful (`<<: *defaults`)
MAX_NODES = 100_000  # scalars and collections, aliases expanded


class YamlRefused(ValueError):
    """The text is over a limit (size, aliases, expanded nodes) or refers to itself."""


@dataclass
class _Frame:
    anchor: str | None
    nodes: int = 1


def check_yaml(
    text: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_aliases: int = MAX_ALIASES,
    max_nodes: int = MAX_NODES,
) -> None:
    """Raise YamlRefused when `text` is too big, uses too many aliases, refers to itself through
    an alias, or expands to more than `max_nodes` nodes. yaml.YAMLError for malformed text."""
    size = len(text.encode("utf-8", errors="replace"))
    if size > max_bytes:
        raise YamlRefused(f"YAML is {size:,} bytes, over the {max_bytes:,}-byte limit")
    if "&" not in text and "*" not in text:
        return  # no anchor, no alias: the size limit bounds everything
    open_frames: list[_Frame] = [_Frame(None, 0)]
    weights: dict[str, int] = {}
    aliases = 0
    parse: Any = yaml.parse  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    events: Iterable[Any] = parse(text, Loader=_Loader)
    for event in events:
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            anchor = str(event.anchor)
            if any(frame.anchor == anchor for frame in open_frames):
                raise YamlRefused(f"YAML alias *{anchor} refers to a node that contains it")
            if aliases > max_aliases:
                raise YamlRefused(f"YAML uses more than {max_aliases} aliases")
            added = weights.get(anchor, 1)
        elif isinstance(event, yaml.ScalarEvent):
            added = 1
            if event.anchor is not None:
                weights[str(event.anchor)] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            anchor = None if event.anchor is None else str(event.anchor)
            open_frames.append(_Frame(anchor))
            continue
        elif isinstance(event, yaml.CollectionEndEvent):
            frame = open_frames.pop()
            if frame.anchor is not None:
                weights[frame.anchor] = frame.nodes
            added = frame.nodes
        else:
            continue
        open_frames[-1].nodes += added
        if open_frames[-1].nodes > max_nodes:
            raise YamlRefused(f"YAML expands to more than {max_nodes:,} nodes through its aliases")


def load_yaml(text: str, **limits: int) -> Any:
    """`yaml.safe_load` (C loader when available) after `check_yaml`; same limits as keywords."""
    check_yaml(text, **limits)
    return yaml.load(text, Loader=_Loader)
