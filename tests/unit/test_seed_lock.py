"""Two seeders at once (a job and a lesson, or two lessons on two test workers) take turns: the
second finds the repos built instead of building into the same staging folder."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from hf_ecosystem.demo import seed


def test_two_seeders_at_once_build_each_repo_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[str] = []

    def slow_build(staging: Path) -> int:
        builds.append(staging.name)
        (staging / "data.txt").write_text("x", encoding="utf-8")
        time.sleep(0.3)  # long enough for the other seeder to arrive meanwhile
        assert (staging / "data.txt").is_file()  # nobody removed the staging folder under us
        return 1

    steps = [("datasets", f"acme/set-{i}", slow_build) for i in range(3)]
    monkeypatch.setattr(seed, "demo_steps", lambda: steps)
    results: list[seed.SeedResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(seed.seed_demo_hub(tmp_path))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert len(builds) == 3  # each repo built once, by whichever seeder came first
    assert sorted(len(r.created) for r in results) == [0, 3]
    assert sorted(len(r.skipped) for r in results) == [0, 3]
    assert all(seed.is_seeded(tmp_path / "datasets" / "acme" / f"set-{i}") for i in range(3))
