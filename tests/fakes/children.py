"""Real child processes for device tests (stand-ins for GPU users and job workers), reaped."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Sequence

NOBODY = 65534  # the conventional uid of `nobody`: another user, when tests run as root
READY = b"ready\n"

IGNORES_SIGTERM = (
    "import signal, sys, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "sys.stdout.write('ready\\n'); sys.stdout.flush()\n"
    "time.sleep(120)\n"
)


class Children:
    """Starts processes and kills whatever is left of them at the end of a test."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def spawn(
        self,
        argv: Sequence[str] = ("sleep", "120"),
        *,
        env: dict[str, str] | None = None,
        user: int | None = None,
        new_session: bool = False,
    ) -> subprocess.Popen[bytes]:
        """Start `argv` with these extra environment variables (as `user`, when we are root)."""
        process = subprocess.Popen(
            list(argv),
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE,
            user=user,
            start_new_session=new_session,
        )
        self.started.append(process)
        return process

    def ignoring_sigterm(self, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """A Python child that ignores SIGTERM, started and ready to be signalled."""
        process = self.spawn([sys.executable, "-c", IGNORES_SIGTERM], env=env)
        assert process.stdout is not None and process.stdout.readline() == READY
        return process

    def close(self) -> None:
        """Kill and reap every child still running."""
        for process in self.started:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
            process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()
