"""A real one-node Slurm cluster for the tests marked `slurm`: started once per session by
tests/slurm/start.sh (reused when one is already up), stopped at the end. Skipped, saying why,
only where Slurm's binaries are not installed (`.ci/run` installs them)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
BINARIES = ("munged", "mariadbd", "slurmdbd", "slurmctld", "slurmd", "sbatch", "sacct")


@pytest.fixture(scope="session")
def slurm_cluster() -> Iterator[str]:
    """The cluster's SLURM_CONF, once it is up (node idle, sacct answering)."""
    missing = [b for b in BINARIES if shutil.which(b) is None]
    if missing:
        pytest.skip(
            f"Slurm is not installed here (no {', '.join(missing)}): "
            "apt-get install munge slurm-wlm slurmdbd mariadb-server"
        )
    started = time.monotonic()
    done = subprocess.run(
        [str(HERE / "start.sh")], capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, f"start.sh failed:\n{done.stdout}\n{done.stderr}"
    conf = done.stdout.strip().rsplit("=", 1)[-1]
    print(f"slurm cluster up in {time.monotonic() - started:.1f} s")
    yield conf
    subprocess.run([str(HERE / "stop.sh")], capture_output=True, timeout=120, check=False)


@pytest.fixture
def slurm(slurm_cluster: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """SLURM_CONF pointed at the test cluster for this test (sbatch, sacct, scancel read it)."""
    monkeypatch.setenv("SLURM_CONF", slurm_cluster)
    return slurm_cluster
