"""Mistakes refused at launch, outputs never torn: a bad `--tag`, a kill while writing Parquet."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from hf_ecosystem.inference.batch import _write_output  # pyright: ignore[reportPrivateUsage]
from hf_ecosystem.jobs.spec import JobSpec, JobSpecError
from hf_ecosystem.jobs.store import JobStore
from hf_tui.cli import main


@pytest.mark.parametrize("tag", ["../../x", "a/b", ".hidden", "-v1", "x" * 65])
def test_a_bad_tag_is_refused_before_the_job_exists(
    tag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    with pytest.raises(JobSpecError, match="not a version tag"):
        JobSpec.create("publish", source=str(model), repo_id="me/m", local=True, tag=tag)
    code = main(["publish", str(model), "--repo", "me/m", "--local", f"--tag={tag}"])
    assert code == 1 and "not a version tag" in capsys.readouterr().err
    assert JobStore(Path(os.environ["HFTUI_HOME"])).list() == []
    assert JobSpec.create("publish", source=str(model), repo_id="me/m", tag="v1.0-rc_2")


def test_a_parquet_output_is_never_left_torn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "predictions.parquet"
    real_write = pq.write_table

    def killed_midway(table: Any, where: Any, **kwargs: Any) -> None:
        Path(where).write_bytes(b"PAR1")  # what a SIGKILL during the write leaves behind
        raise KeyboardInterrupt

    monkeypatch.setattr(pq, "write_table", killed_midway)
    with pytest.raises(KeyboardInterrupt):
        _write_output(out, ["a", "b"], {0: "x", 1: "y"})
    assert not out.exists()  # no unreadable 4-byte predictions file
    monkeypatch.setattr(pq, "write_table", real_write)
    _write_output(out, ["a", "b"], {0: "x", 1: "y"})
    assert pq.read_table(out).num_rows == 2
    assert not out.with_name(out.name + ".tmp").exists()
