"""Hardware inventory, live GPU/CPU stats (NVML, psutil) and memory estimates; never imports torch."""
