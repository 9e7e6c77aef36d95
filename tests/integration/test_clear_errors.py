"""Inputs that used to end in "Unexpected error … This is a bug" get one line naming the input."""

from __future__ import annotations

import pytest

from hf_tui.cli import main

NO_USER = "~nosuchuser-hftui"


@pytest.mark.parametrize(
    "argv",
    [
        ["memory", f"{NO_USER}/model"],
        ["datasets", "preview", f"{NO_USER}/data.csv"],
        ["datasets", "stats", f"{NO_USER}/data.csv"],
        ["run", "inference", "--task", "text-classification", "--model", f"{NO_USER}/m",
         "--input", "hello"],
        ["run", "batch", "--task", "text-classification", "--model", "acme/m",
         "--input", f"{NO_USER}/in.txt", "--output", "out.jsonl"],
        ["run", "train", "--config", f"{NO_USER}/train.yaml"],
        ["publish", f"{NO_USER}/model", "--repo", "me/m", "--local", "--dry-run"],
    ],
)  # fmt: skip
def test_a_tilde_path_with_no_such_user_is_a_clear_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "Unexpected error" not in err and "bug" not in err
    assert "Cannot find the home folder" in err and NO_USER in err
    assert err.count("\n") == 1
