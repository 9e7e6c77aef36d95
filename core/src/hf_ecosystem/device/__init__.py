"""Hardware inventory, live GPU/CPU stats (NVML, psutil), memory estimates; never imports torch."""

from hf_ecosystem.device.inventory import snapshot

__all__ = ["snapshot"]
