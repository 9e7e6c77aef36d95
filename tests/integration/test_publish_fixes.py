"""Publishing bugs users found, each pinned: a run's folder as the target, --public on an existing
private repo, a non-commercial training dataset, and a dry run that cannot publish for real.

The real HfApi talks to the loopback fake Hub; runs are job records and event logs as a worker
leaves them; the CLI is called in-process.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from models import fixtures

from fakehub import FakeHub, FakeRepo
from hf_ecosystem.config import load_settings
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.hub.cards import parse_card_text
from hf_ecosystem.jobs.events import EventWriter
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.publishing.data_license import is_non_commercial
from hf_ecosystem.publishing.hub import plan_publish, prepare_card, publish_to_hub
from hf_ecosystem.publishing.plan import PublishResult
from hf_ecosystem.publishing.staging import publish_source
from hf_tui.cli import main

tiny_model = fixtures.tiny_model
TOKEN = "hf_PublishFixesAliceToken0123456789abcd"
METRICS = {"eval_accuracy": 0.75, "eval_loss": 0.6}
Capsys = pytest.CaptureFixture[str]


@pytest.fixture
def alice(fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    """The fake Hub with a write token for alice (member of org), set as HF_TOKEN."""
    fake_hub.add_token(TOKEN, user="alice", orgs=("org",))
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    return fake_hub


@pytest.fixture
def base_model() -> Path:
    """A base model in the local hub, with a card (its license is what a card inherits)."""
    base = load_settings().home / "hub" / "models" / "acme" / "base"
    base.mkdir(parents=True)
    (base / "README.md").write_text("---\nlicense: apache-2.0\n---\n# base\n")
    (base / "config.json").write_text("{}")
    return base


@pytest.fixture
def run_dir(tmp_path: Path, tiny_model: Callable[[str], Path]) -> Path:
    """A run's folder as training leaves it: model/, a checkpoint, evaluation/, TensorBoard."""
    folder = tmp_path / "runs" / "r1"
    shutil.copytree(tiny_model("text-classification"), folder / "model")
    (folder / "model" / "README.md").unlink(missing_ok=True)
    shutil.copytree(folder / "model", folder / "checkpoint-2")
    (folder / "checkpoint-2" / "optimizer.pt").write_bytes(b"\0" * 8)
    (folder / "evaluation" / "job-x").mkdir(parents=True)
    (folder / "evaluation" / "job-x" / "evaluation.json").write_text('{"accuracy": 0.7}')
    (folder / "runs").mkdir()
    (folder / "runs" / "events.out.tfevents.1").write_bytes(b"tb")
    return folder


def _record_run(run_dir: Path, base: Path | str, dataset: str = "acme/news") -> str:
    """A finished train job whose run-dir is `run_dir` and final model `run_dir/model`."""
    manager = JobManager()
    config = {"model": str(base), "dataset": dataset, "task": "text-classification"}
    record = manager.store.create(JobSpec.create("train", config=config))
    events = EventWriter(manager.events_path(record.id))
    events.emit("artifact", path=str(run_dir), kind="run-dir")
    events.emit("metric", step=4, **METRICS)
    events.emit("artifact", path=str(run_dir / "model"), kind="model")
    result = {"metrics": METRICS, "model_dir": str(run_dir / "model")}
    manager.store.finish(record.id, "succeeded", result=result)
    return record.id


def _dry_run(capsys: Capsys, *args: str) -> dict[str, object]:
    capsys.readouterr()
    assert main(["publish", *args, "--dry-run", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _local_dataset(repo_id: str, license_id: str) -> Path:
    folder = load_settings().home / "hub" / "datasets" / repo_id
    folder.mkdir(parents=True)
    (folder / "README.md").write_text(f"---\nlicense: {license_id}\n---\n# {repo_id}\n")
    (folder / "train.csv").write_text("text,label\nhello,0\n")
    return folder


# -- 1. a run's folder as the target ----------------------------------------------------------


def test_a_run_folder_publishes_the_run_model_as_its_job_id_does(
    run_dir: Path, base_model: Path, capsys: Capsys
) -> None:
    run_id = _record_run(run_dir, base_model)
    by_folder = _dry_run(capsys, str(run_dir), "--repo", "org/clf", "--offline")
    by_id = _dry_run(capsys, run_id, "--repo", "org/clf", "--offline")
    assert by_folder == by_id
    spec = by_folder["spec"]
    assert isinstance(spec, dict)
    assert spec["run"] == run_id and spec["source"] == str(run_dir / "model")
    plan = by_folder["plan"]
    assert isinstance(plan, dict)
    paths = {f["path"] for f in plan["files"]}
    assert "config.json" in paths and "model.safetensors" in paths
    assert not any(p.startswith(("model/", "evaluation/", "checkpoint-")) for p in paths)
    # The run's own model folder is the same publish, with the run's card.
    assert _dry_run(capsys, str(run_dir / "model"), "--repo", "org/clf", "--offline") == by_id

    source, run = publish_source(str(run_dir))
    assert run is not None and run.record.id == run_id
    card = prepare_card(plan_publish(source), "org/clf", run=run, remote=False)
    parsed = parse_card_text(card.text)
    assert parsed.base_models == ("acme/base",) and card.license == "apache-2.0"
    assert {r.metric: r.value for r in parsed.results} == {"Accuracy": 0.75, "Loss": 0.6}


def test_a_run_folder_no_record_names_is_refused_with_the_folder_to_publish(
    run_dir: Path, capsys: Capsys
) -> None:
    assert main(["publish", str(run_dir), "--repo", "org/x", "--dry-run", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["error"] == "PublishError" and "training run's folder" in data["title"]
    assert f"hf-tui publish {run_dir.resolve() / 'model'} --repo" in data["hint"]
    shutil.rmtree(run_dir / "model")
    with pytest.raises(HfEcoError, match="no final model") as refused:
        publish_source(str(run_dir))
    assert str(run_dir.resolve() / "checkpoint-2") in refused.value.hint
    assert JobManager().list() == []


def test_a_recorded_run_folder_without_a_model_says_so(run_dir: Path, base_model: Path) -> None:
    manager = JobManager()
    config = {"model": str(base_model), "dataset": "acme/news"}
    record = manager.store.create(JobSpec.create("train", config=config))
    EventWriter(manager.events_path(record.id)).emit("artifact", path=str(run_dir), kind="run-dir")
    manager.store.finish(record.id, "failed")
    with pytest.raises(HfEcoError, match=f"Run {record.id} has no final model folder"):
        publish_source(str(run_dir))


# -- 2. visibility ----------------------------------------------------------------------------


def test_public_on_an_existing_private_repo_makes_it_public(alice: FakeHub, run_dir: Path) -> None:
    plan = plan_publish(run_dir / "model")
    first = publish_to_hub(plan, "org/vis", card_text="# v\n")
    assert first.private is True and not first.visibility_changed
    second = publish_to_hub(plan, "org/vis", card_text="# v\n", private=False)
    assert second.private is False and second.visibility_changed
    assert alice._repos[("model", "org/vis")].private is False
    assert ("PUT", "/api/models/org/vis/settings") in [(m, p) for m, p, _ in alice.requests]
    kept = publish_to_hub(plan, "org/vis", card_text="# v\n")  # no choice: kept public
    assert kept.private is False and not kept.visibility_changed
    back = publish_to_hub(plan, "org/vis", card_text="# v\n", private=True)
    assert back.private is True and back.visibility_changed
    stored = back.to_dict()
    assert stored["visibility_changed"] is True
    assert PublishResult.from_dict(stored) == back
    assert not alice.server_errors


def test_fake_hub_settings_route_follows_the_hub(alice: FakeHub) -> None:
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError
    from huggingface_hub.utils import get_session

    api = HfApi(endpoint=alice.url, token=TOKEN)
    api.create_repo("org/s", private=False)
    api.update_repo_settings("org/s", private=True)
    assert api.model_info("org/s").private is True
    api.update_repo_settings("org/s", gated="manual")
    assert alice._repos[("model", "org/s")].gated
    api.create_repo("org/d", repo_type="dataset")
    api.update_repo_settings("org/d", repo_type="dataset", visibility="private")
    assert alice._repos[("dataset", "org/d")].private
    with pytest.raises(HfHubHTTPError) as anonymous:
        HfApi(endpoint=alice.url, token=False).update_repo_settings("org/s", private=False)
    assert anonymous.value.response.status_code == 401
    url = f"{alice.url}/api/models/org/s/settings"
    headers = {"authorization": f"Bearer {TOKEN}"}
    for body in ({"visibility": "secret"}, {"gated": "sometimes"}, {}):
        assert get_session().put(url, headers=headers, json=body).status_code == 400
    assert alice._repos[("model", "org/s")].private is True


def test_visibility_flags_for_the_local_hub_are_reported_not_ignored(
    run_dir: Path, capsys: Capsys
) -> None:
    from hf_ecosystem.publishing.staging import visibility_warnings

    assert visibility_warnings(True, None) == () and visibility_warnings(False, False) == ()
    model = str(run_dir / "model")
    data = _dry_run(capsys, model, "--repo", "org/x", "--local", "--public")
    plan = data["plan"]
    assert isinstance(plan, dict)
    assert any("local hub has no private or public" in w for w in plan["warnings"])
    assert data["where"] == "local hub"
    default = _dry_run(capsys, model, "--repo", "org/x")
    assert default["where"] == "Hub (private if new)"
    assert "private" not in default["spec"]  # type: ignore[operator]
    public = _dry_run(capsys, model, "--repo", "org/x", "--public")
    assert public["where"] == "Hub (public)" and public["spec"]["private"] is False  # type: ignore[index]


@pytest.mark.slow
def test_cli_public_publish_job_reports_the_visibility_change(
    alice: FakeHub, run_dir: Path, capsys: Capsys
) -> None:
    model = str(run_dir / "model")
    publish_to_hub(plan_publish(model), "org/job-vis", card_text="# v\n")  # exists, private
    code = main(["publish", model, "--repo", "org/job-vis", "--public", "--wait", "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    result = json.loads(out)["result"]
    assert result["private"] is False and result["visibility_changed"] is True
    assert alice._repos[("model", "org/job-vis")].private is False
    manager = JobManager()
    log = manager.events_path(manager.list()[0].id).read_text()
    assert "org/job-vis is now public" in log


# -- 3. the training dataset's license --------------------------------------------------------


def test_non_commercial_licenses_are_recognised() -> None:
    for nc in ("cc-by-nc-4.0", "cc-by-nc-sa-4.0", "CC BY NC 4", "cc-by-nc-nd-3.0", "cc-by-nc-2.0"):
        assert is_non_commercial(nc), nc
    for ok in ("mit", "apache-2.0", "cc-by-4.0", "cc-by-sa-4.0", "openrail", "", None, "other"):
        assert not is_non_commercial(ok), ok


def test_a_non_commercial_training_dataset_warns_in_the_plan(
    run_dir: Path, base_model: Path, tmp_path: Path, capsys: Capsys
) -> None:
    _local_dataset("acme/news-nc", "cc-by-nc-4.0")
    run_id = _record_run(run_dir, base_model, dataset="acme/news-nc")
    data = _dry_run(capsys, run_id, "--repo", "org/x", "--offline")
    plan = data["plan"]
    assert isinstance(plan, dict)
    [warning] = [w for w in plan["warnings"] if "non-commercial" in w]
    assert "acme/news-nc" in warning and "cc-by-nc-4.0" in warning
    assert main(["publish", run_id, "--repo", "org/x", "--offline", "--dry-run"]) == 0
    assert "warning: The training dataset acme/news-nc is licensed cc-by-nc-4.0" in (
        capsys.readouterr().out
    )
    # A dataset folder's own card counts too; a permissive one warns about nothing.
    from hf_ecosystem.publishing.staging import plan_source

    folder = tmp_path / "my-data"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: cc-by-nc-nd-3.0\n---\n")
    manager = JobManager()
    source, run = publish_source(_record_run(run_dir, base_model, dataset=str(folder)), manager)
    assert any("cc-by-nc-nd-3.0" in w for w in plan_source(source, run, remote=False).warnings)
    _local_dataset("acme/news-ok", "cc-by-4.0")
    source, run = publish_source(_record_run(run_dir, base_model, dataset="acme/news-ok"))
    assert not any("non-commercial" in w for w in plan_source(source, run).warnings)


def test_a_hub_dataset_card_is_read_only_when_publishing_to_the_hub(
    fake_hub: FakeHub, run_dir: Path, base_model: Path, capsys: Capsys
) -> None:
    card = b"---\nlicense: cc-by-nc-sa-4.0\n---\n# remote\n"
    fake_hub.add(FakeRepo("acme/remote-nc", kind="dataset", files={"README.md": card}))
    run_id = _record_run(run_dir, base_model, dataset="acme/remote-nc")
    local = _dry_run(capsys, run_id, "--repo", "org/x", "--offline")
    assert not any("non-commercial" in w for w in local["plan"]["warnings"])  # type: ignore[index]
    assert fake_hub.requests == []  # nothing left the machine for a local publish
    hub = _dry_run(capsys, run_id, "--repo", "org/x")
    assert any("cc-by-nc-sa-4.0" in w for w in hub["plan"]["warnings"])  # type: ignore[index]


# -- 4. a dry run that could not publish ------------------------------------------------------


def test_dry_run_says_when_the_real_publish_would_fail(
    fake_hub: FakeHub, run_dir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = str(run_dir / "model")
    data = _dry_run(capsys, model, "--repo", "org/x")
    [problem] = data["problems"]  # type: ignore[misc]
    assert problem.startswith("Not logged in: it would fail")
    assert main(["publish", model, "--repo", "org/x", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "problem: Not logged in" in out and "nothing was published" not in out
    assert _dry_run(capsys, model, "--repo", "org/x", "--local")["problems"] == []

    fake_hub.add_token(TOKEN, user="alice", orgs=("org",))
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    assert _dry_run(capsys, model, "--repo", "org/x")["problems"] == []
    assert main(["publish", model, "--repo", "org/x", "--dry-run"]) == 0
    assert "dry run: nothing was published" in capsys.readouterr().out

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    [offline] = _dry_run(capsys, model, "--repo", "org/x")["problems"]  # type: ignore[misc]
    assert offline.startswith("Offline") and "--local" in offline
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    [unreachable] = _dry_run(capsys, model, "--repo", "org/x")["problems"]  # type: ignore[misc]
    assert unreachable.startswith("http://127.0.0.1:9 cannot be reached")
    assert JobManager().list() == []


def test_dataset_card_license_reads_what_there_is(tmp_path: Path) -> None:
    from hf_ecosystem.publishing.data_license import dataset_card_license

    settings = load_settings()
    folder = tmp_path / "data"
    folder.mkdir()
    assert dataset_card_license(str(folder), settings, remote=False) is None  # no card
    (folder / "train.csv").write_text("text\nhi\n")
    assert dataset_card_license(str(folder / "train.csv"), settings, remote=False) is None
    (folder / "README.md").write_text("---\nlicense: [broken\n---\n")
    assert dataset_card_license(str(folder), settings, remote=False) is None
    (folder / "README.md").write_text("")
    assert dataset_card_license(str(folder), settings, remote=False) is None
    assert dataset_card_license("not a repo id!", settings, remote=True) is None
    assert dataset_card_license("acme/nowhere", settings, remote=False) is None
    # A folder that is neither a model nor a run's: planned as given (and refused there).
    (folder / "notes.txt").write_text("n")
    assert publish_source(str(folder)) == (folder.resolve(), None)
