"""Hardware inventory, live GPU/CPU stats (NVML, psutil), memory estimates; never imports torch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hf_ecosystem.device.inventory import snapshot

__all__ = ["snapshot"]


def __getattr__(name: str) -> Any:
    # Lazy: importing device.types (plain dataclasses) must not pull psutil/NVML in.
    if name == "snapshot":
        from hf_ecosystem.device.inventory import snapshot

        return snapshot
    raise AttributeError(name)
