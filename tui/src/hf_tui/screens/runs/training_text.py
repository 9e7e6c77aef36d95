"""What the New-training form says beside the fields: the wall-time estimate, the GPU defaults."""

from __future__ import annotations

from rich.text import Text

from hf_ecosystem.training.estimate import TrainEstimate, describe
from hf_ecosystem.training.fast_defaults import FastDefaults


def estimate_text(found: TrainEstimate) -> Text:
    """`Estimated wall time: about 3 min · 100 steps · 1,600 rows seen` and where the speed is
    from."""
    text = Text("Estimated wall time: ", style="bold")
    text.append(("at least " if found.at_least else "") + describe(found.seconds), style="bold")
    text.append(f" · {found.steps:,} steps · {found.samples:,} rows seen")
    text.append(
        f"\nan estimate from this machine's speed ({found.basis}); "
        "loading and evaluation add to it",
        style="dim",
    )
    return text


def fast_text(fast: FastDefaults | None) -> Text:
    """The GPU defaults the run will use, one line each with its reason ("yours" when set)."""
    if fast is None:
        return Text("")
    text = Text("\nGPU defaults (set them under `speed:` in the config):", style="bold")
    for item in fast.settings:
        text.append(f"\n  {item.name} = {item.value}")
        text.append(f"  {'yours' if item.overridden else item.reason}", style="dim")
    return text
