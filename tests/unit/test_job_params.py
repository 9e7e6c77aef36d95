"""Job parameter checks: each returns the clean value or raises JobSpecError naming the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hf_ecosystem.jobs import params
from hf_ecosystem.jobs.params import (
    JobSpecError,
    Param,
    boolean,
    by_path,
    existing_path,
    file_names,
    fraction,
    int_between,
    int_param,
    job_id,
    model,
    repo,
    repo_kind,
    resolve,
    text,
)


def test_text_is_stripped() -> None:
    """Surrounding whitespace goes; the inside stays."""
    assert text("prompt", "  hello world \n") == "hello world"


@pytest.mark.parametrize("value", ["", "   ", None, 3, ["a"]])
def test_text_must_be_a_non_empty_string(value: Any) -> None:
    """Blank or non-string values name the field."""
    with pytest.raises(JobSpecError) as caught:
        text("prompt", value)
    assert caught.value.title == "Invalid job: 'prompt' must be a non-empty string"
    assert caught.value.hint == "Fix the named field and launch again."


def test_repo_accepts_and_strips_a_repo_id() -> None:
    """A valid id comes back clean."""
    assert repo("dataset", " org/name ") == "org/name"


def test_repo_rejects_a_bad_id_with_the_repo_id_hint() -> None:
    """The title names field and value; the hint is the repo-id rule."""
    with pytest.raises(JobSpecError) as caught:
        repo("dataset", "org/na me")
    assert caught.value.title == "Invalid job: 'dataset' is not a repo id ('org/na me')"
    assert "org/name" in caught.value.hint
    assert caught.value.__cause__ is not None


def test_repo_rejects_a_blank_value_as_not_a_repo_id() -> None:
    """An empty value is reported as a bad repo id for that field."""
    with pytest.raises(JobSpecError, match=r"'dataset' is not a repo id \(''\)"):
        repo("dataset", "")


def test_model_takes_an_existing_folder_as_an_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A local folder (also relative or with ~) becomes its resolved absolute path."""
    (tmp_path / "my-model").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    resolved = str((tmp_path / "my-model").resolve())
    assert model("model", "my-model") == resolved
    assert model("model", "~/my-model") == resolved
    assert model("model", "org/some-model") == "org/some-model"  # not a folder: a repo id


def test_model_that_is_neither_folder_nor_repo_id(tmp_path: Path) -> None:
    """A missing path that is no valid repo id is refused."""
    with pytest.raises(JobSpecError, match="'model' is not a repo id"):
        model("model", str(tmp_path / "missing" / "deep"))


def test_existing_path(tmp_path: Path) -> None:
    """An existing file comes back absolute; a missing one names the field and the path."""
    data = tmp_path / "train.csv"
    data.write_text("a,b\n")
    assert existing_path("data", f" {data} ") == str(data.resolve())
    with pytest.raises(JobSpecError) as caught:
        existing_path("data", str(tmp_path / "nope.csv"))
    assert caught.value.title == f"Invalid job: 'data' does not exist: {tmp_path / 'nope.csv'}"


@pytest.mark.parametrize("value", [0, 11, True, 2.0, "5", None])
def test_int_param_bounds_and_types(value: Any) -> None:
    """Out of range, bools, floats and strings are refused with the range in the title."""
    with pytest.raises(JobSpecError) as caught:
        int_param("epochs", value, 1, 10)
    assert caught.value.title == "Invalid job: 'epochs' must be an integer from 1 to 10"


def test_int_param_accepts_the_bounds() -> None:
    """Both ends are inside the range; the default range is 1 to 2**20."""
    assert int_param("epochs", 1, 1, 10) == 1
    assert int_param("epochs", 10, 1, 10) == 10
    assert int_param("n", 1 << 20) == 1 << 20
    with pytest.raises(JobSpecError, match="from 1 to 1048576"):
        int_param("n", (1 << 20) + 1)


def test_int_between_makes_a_bounded_check() -> None:
    """The returned check uses the given bounds."""
    check = int_between(0, 3)
    assert check("seed", 0) == 0
    with pytest.raises(JobSpecError, match="'seed' must be an integer from 0 to 3"):
        check("seed", 4)


def test_boolean() -> None:
    """Only real bools: 1 or 'true' are refused."""
    assert boolean("push", True) is True
    assert boolean("push", False) is False
    for value in (1, "true", None):
        with pytest.raises(JobSpecError, match="'push' must be true or false"):
            boolean("push", value)


def test_repo_kind() -> None:
    """'model' or 'dataset', nothing else."""
    assert repo_kind("kind", "model") == "model"
    assert repo_kind("kind", "dataset") == "dataset"
    for value in ("space", "Model", None):
        with pytest.raises(JobSpecError) as caught:
            repo_kind("kind", value)
        assert caught.value.title == "Invalid job: 'kind' must be 'model' or 'dataset'"


def test_file_names() -> None:
    """A list of non-empty strings comes back as a new list."""
    given = ["config.json", "model.safetensors"]
    result = file_names("files", given)
    assert result == given and result is not given
    assert file_names("files", []) == []


@pytest.mark.parametrize("value", ["config.json", ("a",), ["a", ""], ["a", 3], None])
def test_file_names_refuses_anything_else(value: Any) -> None:
    """A string, a tuple, or a list with a blank or non-string item is refused."""
    with pytest.raises(JobSpecError) as caught:
        file_names("files", value)
    assert caught.value.title == "Invalid job: 'files' must be a list of file names"


def test_job_id() -> None:
    """Letters, digits and dashes, stripped."""
    assert job_id("job", " 20240101-abc123 ") == "20240101-abc123"
    for value in ("../etc", "a b", "job_1", "---"):
        with pytest.raises(JobSpecError) as caught:
            job_id("job", value)
        assert caught.value.title == f"Invalid job: 'job' is not a job id ({value!r})"


@pytest.mark.parametrize(("value", "expected"), [(0.1, 0.1), (0.999, 0.999)])
def test_fraction_inside(value: float, expected: float) -> None:
    """Strictly between 0 and 1, as a float."""
    assert fraction("split", value) == expected


@pytest.mark.parametrize("value", [0, 1, 0.0, 1.0, -0.5, 2, True, "0.5", None])
def test_fraction_outside(value: Any) -> None:
    """The ends, outside values, bools and strings are refused."""
    with pytest.raises(JobSpecError) as caught:
        fraction("split", value)
    assert caught.value.title == "Invalid job: 'split' must be a number between 0 and 1"


def test_resolve_imports_the_named_object() -> None:
    """'module:name' gives the object itself."""
    assert resolve("hf_ecosystem.jobs.params:fraction") is fraction
    assert resolve("pathlib:Path") is Path


def test_resolve_unknown_name_raises() -> None:
    """A missing module or attribute is an import/attribute error, not None."""
    with pytest.raises(AttributeError):
        resolve("hf_ecosystem.jobs.params:no_such_check")
    with pytest.raises(ModuleNotFoundError):
        resolve("hf_ecosystem.no_such_module:check")


def test_by_path_defers_the_import_until_the_check_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check is looked up on each call, so a bad path fails only when used."""
    resolved: list[str] = []
    real_resolve = params.resolve

    def spying_resolve(path: str) -> Any:
        resolved.append(path)
        return real_resolve(path)

    monkeypatch.setattr(params, "resolve", spying_resolve)
    check = by_path("hf_ecosystem.jobs.params:job_id")
    broken = by_path("hf_ecosystem.jobs.params:missing")
    assert resolved == []
    assert check("job", " abc-1 ") == "abc-1"
    assert resolved == ["hf_ecosystem.jobs.params:job_id"]
    with pytest.raises(JobSpecError, match="'job' is not a job id"):
        check("job", "a/b")
    with pytest.raises(AttributeError):
        broken("x", 1)


def test_param_defaults_to_optional() -> None:
    """A Param is optional unless marked required, and is immutable."""
    optional = Param(boolean)
    assert (optional.check, optional.required) == (boolean, False)
    assert Param(text, required=True).required
    with pytest.raises(AttributeError):
        optional.required = True  # type: ignore[misc]
