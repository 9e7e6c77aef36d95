"""Inputs that used to end in "Unexpected error … This is a bug" get one line naming the input."""

from __future__ import annotations

from pathlib import Path

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


@pytest.fixture
def hostile_data(tmp_path: Path) -> Path:
    (tmp_path / "dup.csv").write_text("a,a,b\n1,2,3\n")
    (tmp_path / "latin.jsonl").write_bytes('{"text": "café"}\n'.encode("latin-1"))
    depth = 100_000  # Arrow's JSON reader recursed until the process died (exit 139)
    (tmp_path / "deep.json").write_text('{"text": "x", "deep": ' + "[" * depth + "]" * depth + "}")
    (tmp_path / "deep.jsonl").write_text(
        '{"text": "x", "deep": ' + "[" * depth + "]" * depth + "}\n"
    )
    return tmp_path


@pytest.mark.parametrize(
    ("command", "file", "message"),
    [
        ("preview", "dup.csv", "column 'a' appears twice"),
        ("stats", "dup.csv", "column 'a' appears twice"),
        ("preview", "latin.jsonl", "not UTF-8 text"),
        ("stats", "latin.jsonl", "not UTF-8 text"),
        ("preview", "deep.json", "nested more than 256 levels deep"),
        ("stats", "deep.jsonl", "nested more than 256 levels deep"),
    ],
)
def test_hostile_data_files_get_one_line_naming_the_file(
    hostile_data: Path,
    command: str,
    file: str,
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["datasets", command, str(hostile_data / file)]) == 1
    err = capsys.readouterr().err
    assert "Unexpected error" not in err and message in err and file in err


def test_a_deeply_nested_batch_input_is_refused(hostile_data: Path) -> None:
    from hf_ecosystem.errors import HfEcoError
    from hf_ecosystem.inference.batch import read_inputs

    with pytest.raises(HfEcoError, match="nested over 256 levels"):
        read_inputs(hostile_data / "deep.jsonl", "text")


@pytest.mark.parametrize(("query", "message"), [("a\0b", "NUL"), ("caf\udce9", "not UTF-8")])
def test_a_query_that_is_not_text_is_a_clear_error(
    query: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "search", "--offline", query]) == 1
    err = capsys.readouterr().err
    assert message in err and "index" not in err and "Unexpected" not in err


def test_an_output_dir_that_is_a_file_is_refused_at_launch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken"
    taken.write_text("not a folder")
    config = tmp_path / "train.yaml"
    config.write_text(f"model: {tmp_path}\ndataset: {tmp_path}\noutput_dir: {taken}\n")
    assert main(["run", "train", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "'output_dir'" in err and "is a file, not a folder" in err and "Unexpected" not in err


def test_a_remote_code_model_in_a_direct_batch_is_a_clear_refusal(
    tiny_bert_dir: Path, tmp_path: Path
) -> None:
    import json
    import shutil

    from hf_ecosystem.inference.batch import _DirectTextModel  # pyright: ignore[reportPrivateUsage]
    from hf_ecosystem.inference.errors import RemoteCodeError

    model = tmp_path / "custom"
    shutil.copytree(tiny_bert_dir, model)
    config = json.loads((model / "config.json").read_text())
    config.update(model_type="acme-custom", auto_map={"AutoConfig": "configuration_acme.AcmeConfig",
                  "AutoModel": "modeling_acme.AcmeModel"})  # fmt: skip
    (model / "config.json").write_text(json.dumps(config))
    with pytest.raises(RemoteCodeError, match="needs its own Python code"):
        _DirectTextModel("feature-extraction", str(model), "cpu")
