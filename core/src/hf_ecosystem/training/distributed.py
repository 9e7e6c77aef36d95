"""One process of a multi-process training job (started by `accelerate launch` or torchrun).

`python -m hf_ecosystem.training.distributed JOB_ID RUN_DIR [CHECKPOINT]`: rebuilds the job's
context from the store and runs the same `train()`; only rank 0 writes events and the result.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType

from hf_ecosystem.config import load_settings
from hf_ecosystem.jobs.context import JobCancelled, JobContext
from hf_ecosystem.jobs.events import EventWriter
from hf_ecosystem.jobs.store import JobStore
from hf_ecosystem.training.job import train
from hf_ecosystem.training.spec import TrainSpec


def main(argv: list[str] | None = None) -> int:
    """Entry point of each training process."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (2, 3):
        sys.stderr.write("usage: python -m hf_ecosystem.training.distributed JOB_ID RUN_DIR\n")
        return 2
    job_id, run_dir = args[0], Path(args[1])
    settings = load_settings()
    store = JobStore(settings.home)
    record = store.get(job_id)
    events = EventWriter(store.events_path(job_id))
    ctx = JobContext(job_id, record.spec, events, store.job_dir(job_id), settings)

    def on_term(signum: int, frame: FrameType | None) -> None:
        ctx.cancel.set()

    signal.signal(signal.SIGTERM, on_term)
    spec = TrainSpec.parse(record.spec.params["config"])
    try:
        train(ctx, spec, run_dir, checkpoint=Path(args[2]) if len(args) == 3 else None)
    except JobCancelled:
        return 143
    return 0


if __name__ == "__main__":
    sys.exit(main())
