"""Helpers of the Slurm tests."""

from __future__ import annotations

import os
import subprocess


def sacct_state(slurm_id: str) -> str:
    """What Slurm's accounting says of a job."""
    out = subprocess.run(
        ["sacct", "-X", "-n", "-P", "-j", slurm_id, "-o", "State"],
        capture_output=True, text=True, check=True, env=os.environ,
    ).stdout  # fmt: skip
    return out.strip().split(" ")[0]
