"""Publishing: the real HfApi against the loopback fake Hub, the local hub, the job and the CLI."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from models import fixtures

from fakehub import FakeHub
from hf_ecosystem.config import load_settings
from hf_ecosystem.errors import AuthError
from hf_ecosystem.hub.cards import parse_card_text
from hf_ecosystem.jobs.events import EventWriter, read_events
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.publishing.hub import (
    PublishError,
    list_local_revisions,
    local_repo_path,
    plan_publish,
    prepare_card,
    publish_to_hub,
    publish_to_local_hub,
)
from hf_tui.cli import main

tiny_model = fixtures.tiny_model
TOKEN = "hf_PublishAliceToken0123456789abcdefgh"
LEFTOVERS = ("optimizer.pt", "trainer_state.json", "checkpoint-2/model.safetensors", "runs/x")


@pytest.fixture
def model_dir(tmp_path: Path, tiny_model: Callable[[str], Path]) -> Path:
    """A copy of the tiny text classifier, as a run leaves it (with training leftovers)."""
    folder = tmp_path / "final"
    shutil.copytree(tiny_model("text-classification"), folder)
    (folder / "README.md").unlink()
    for leftover in LEFTOVERS:
        (folder / leftover).parent.mkdir(parents=True, exist_ok=True)
        (folder / leftover).write_bytes(b"leftover")
    return folder


@pytest.fixture
def alice(fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    """The fake Hub with a write token for alice (member of org), set as HF_TOKEN."""
    fake_hub.add_token(TOKEN, user="alice", orgs=("org",))
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    return fake_hub


def _requests(hub: FakeHub) -> str:
    """What the client sent, for failure messages."""
    return "\n".join(f"{m} {p}" for m, p, _ in hub.requests) + "\n" + "\n".join(hub.server_errors)


def _relabel(folder: Path, names: list[str]) -> None:
    config = json.loads((folder / "config.json").read_text())
    config["id2label"] = {str(i): n for i, n in enumerate(names)}
    config["label2id"] = {n: i for i, n in enumerate(names)}
    (folder / "config.json").write_text(json.dumps(config))


def _labels_and_logits(folder: Path) -> tuple[list[str], tuple[int, ...]]:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    with torch.no_grad():
        logits = model(**tokenizer(["a fine day"], return_tensors="pt")).logits
    return [model.config.id2label[i] for i in range(3)], tuple(logits.shape)


def _recorded_run(model: Path, base: Path | str, metrics: dict[str, float]) -> str:
    """A finished train job as the store and event log keep it (metrics, final model folder)."""
    manager = JobManager()
    config = {"model": str(base), "dataset": "acme/news", "task": "text-classification",
              "epochs": 1, "batch_size": 8, "learning_rate": 3e-5}  # fmt: skip
    record = manager.store.create(JobSpec.create("train", config=config))
    events = EventWriter(manager.events_path(record.id))
    events.emit("metric", step=5, **metrics)
    events.emit("artifact", path=str(model), kind="model")
    manager.store.finish(record.id, "succeeded", result={"metrics": metrics})
    return record.id


# -- the Hub ----------------------------------------------------------------------------------


def test_publish_to_hub_private_tagged_versions_load_back(
    alice: FakeHub, model_dir: Path, tmp_path: Path
) -> None:
    from huggingface_hub import snapshot_download

    settings = load_settings()
    plan = plan_publish(model_dir)
    card = prepare_card(plan, "org/tiny-clf", license="mit", settings=settings)
    assert card.origin == "generated" and card.license == "mit"
    try:
        first = publish_to_hub(plan, "org/tiny-clf", card_text=card.text, tag="v1")
        _relabel(model_dir, ["sad", "meh", "happy"])
        second = publish_to_hub(
            plan_publish(model_dir), "org/tiny-clf", card_text=card.text, tag="v2",
            commit_message="Relabel",
        )  # fmt: skip
    except Exception:
        print(_requests(alice))
        raise
    assert first.private is True and first.tags == ("v1",)
    assert second.tags == ("v1", "v2") and second.commit != first.commit
    assert first.location == f"{alice.url}/org/tiny-clf"
    repo = alice._repos[("model", "org/tiny-clf")]
    assert repo.private and repo.commit_titles == ["Upload tiny-clf", "Relabel"]
    uploaded = set(repo.files)
    assert uploaded == {*second.files, ".gitattributes"}
    assert not any(name.startswith(("checkpoint-", "runs/", "optimizer")) for name in uploaded)
    assert parse_card_text(bytes(repo.files["README.md"]).decode()).license == "mit"
    assert {("POST", "/api/repos/create"), ("GET", "/api/models/org/tiny-clf/refs")} <= {
        (m, p.split("?")[0]) for m, p, _ in alice.requests
    }

    v1 = Path(snapshot_download("org/tiny-clf", revision="v1", cache_dir=tmp_path / "c"))
    main_rev = Path(snapshot_download("org/tiny-clf", cache_dir=tmp_path / "c"))
    assert _labels_and_logits(v1) == (["negative", "neutral", "positive"], (1, 3))
    assert _labels_and_logits(main_rev)[0] == ["sad", "meh", "happy"]
    assert not alice.server_errors, alice.server_errors


def test_hub_errors_are_clear_and_upload_nothing(
    fake_hub: FakeHub, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = plan_publish(model_dir)
    with pytest.raises(AuthError, match="needs a login"):
        publish_to_hub(plan, "org/x", card_text="# x\n")
    assert fake_hub.requests == []

    fake_hub.add_token(TOKEN, user="alice", role="read")
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    with pytest.raises(AuthError, match="403") as caught:
        publish_to_hub(plan, "alice/x", card_text="# x\n")
    assert TOKEN not in str(caught.value)

    fake_hub.add_token(TOKEN, user="alice", role="write")
    with pytest.raises(AuthError, match="403"):  # not a member of that org
        publish_to_hub(plan, "someone-else/x", card_text="# x\n")
    assert list(fake_hub._repos) == []

    publish_to_hub(plan, "alice/x", card_text="# x\n", tag="v1")
    with pytest.raises(PublishError, match="Tag 'v1' already exists"):
        publish_to_hub(plan, "alice/x", card_text="# x\n", tag="v1")
    assert fake_hub._repos[("model", "alice/x")].commit_titles == ["Upload x"]


# -- the local hub ----------------------------------------------------------------------------


def test_local_hub_versions_are_revisions_and_the_newest_is_searchable(
    model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = prepare_card(plan_publish(model_dir), "acme/tiny-clf", license="apache-2.0")
    first = publish_to_local_hub(plan_publish(model_dir), "acme/tiny-clf", card_text=card.text,
                                 tag="v1", commit_message="first")  # fmt: skip
    _relabel(model_dir, ["sad", "meh", "happy"])
    second = publish_to_local_hub(plan_publish(model_dir), "acme/tiny-clf", card_text=card.text)
    repo = local_repo_path("acme/tiny-clf")
    assert first.location == second.location == str(repo)
    assert first.tags == ("v1",) and second.tags[0] == "v1" and len(second.tags) == 2

    revisions = list_local_revisions("acme/tiny-clf")
    assert [r.name for r in revisions] == ["v1", second.commit]
    assert [r.current for r in revisions] == [False, True]
    assert revisions[0].message == "first" and "config.json" in revisions[0].files
    assert not (repo / "optimizer.pt").exists() and not (repo / "checkpoint-2").exists()
    assert _labels_and_logits(repo)[0] == ["sad", "meh", "happy"]
    assert _labels_and_logits(Path(revisions[0].path))[0] == ["negative", "neutral", "positive"]

    assert main(["models", "search", "tiny-clf", "--offline", "--json"]) == 0
    found = {r["id"]: r for r in json.loads(capsys.readouterr().out)["results"]}
    assert list(found) == ["acme/tiny-clf"]
    assert found["acme/tiny-clf"]["license"] == "apache-2.0"
    assert main(["models", "info", "acme/tiny-clf", "--offline", "--json"]) == 0
    files = {f["path"] for f in json.loads(capsys.readouterr().out)["files"]}
    assert "config.json" in files and not any(".revisions" in f for f in files)

    with pytest.raises(PublishError, match="'v1' already exists"):
        publish_to_local_hub(plan_publish(model_dir), "acme/tiny-clf", card_text="# x\n", tag="v1")
    with pytest.raises(PublishError, match="Invalid tag"):
        publish_to_local_hub(plan_publish(model_dir), "acme/tiny-clf", card_text="# x", tag="../x")


def test_a_repo_that_was_there_before_is_kept_as_a_revision(model_dir: Path) -> None:
    repo = local_repo_path("acme/seeded")
    repo.mkdir(parents=True)
    (repo / "README.md").write_text("# hand-made\n")
    publish_to_local_hub(plan_publish(model_dir), "acme/seeded", card_text="# new\n", tag="v2")
    revisions = list_local_revisions("acme/seeded")
    assert [r.name.startswith("before-") for r in revisions] == [True, False]
    assert (Path(revisions[0].path) / "README.md").read_text() == "# hand-made\n"
    assert (repo / "README.md").read_text() == "# new\n"


# -- the job and the CLI ----------------------------------------------------------------------


@pytest.mark.slow
def test_publish_job_from_a_run_writes_a_card_with_its_results(
    model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = load_settings().home / "hub" / "models" / "acme" / "base-nc"
    base.mkdir(parents=True)
    (base / "README.md").write_text("---\nlicense: cc-by-nc-4.0\nlanguage: en\n---\n# base\n")
    run_id = _recorded_run(model_dir, base, {"eval_accuracy": 0.75, "eval_loss": 0.6})
    manager = JobManager(max_running=1)
    spec = JobSpec.create("publish", source=str(model_dir), repo_id="acme/news-clf", local=True,
                          tag="v1", run=run_id, license="mit")  # fmt: skip
    done = manager.wait(manager.launch(spec).id, timeout=120)
    assert done.status == "succeeded", manager.log_path(done.id).read_text()
    result = done.result or {}
    assert result["revisions"] == ["v1"] and result["card"] == "generated"
    assert result["license"] == "mit"
    assert any("forbids commercial use" in w for w in result["warnings"])
    assert set(result["skipped"]) == {
        "checkpoint-2/",
        "runs/",
        "optimizer.pt",
        "trainer_state.json",
    }
    card = parse_card_text((Path(result["path"]) / "README.md").read_text())
    assert card.base_models == ("acme/base-nc",) and card.datasets == ("acme/news",)
    assert {r.metric: r.value for r in card.results} == {"Accuracy": 0.75, "Loss": 0.6}
    events, _ = read_events(manager.events_path(done.id))
    assert {"type": "artifact", "kind": "repo", "path": result["path"]} in [
        {"type": e.type, **e.data} for e in events
    ]
    progress = [e.data for e in events if e.type == "progress"]
    assert progress and progress[-1]["done"] == progress[-1]["total"] == result["total_bytes"]

    # A job id as the CLI target publishes that run's final model folder (--offline: locally).
    capsys.readouterr()
    assert main(["publish", run_id, "--repo", "acme/news-clf", "--offline", "--dry-run",
                 "--json"]) == 0  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert data["spec"]["run"] == run_id and data["spec"]["local"] is True
    assert data["plan"]["source"] == str(model_dir.resolve())


@pytest.mark.slow
def test_cli_local_publish_waits_and_reports_json(
    model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["publish", str(model_dir), "--repo", "org/name", "--local", "--tag", "v1",
                 "--wait", "--json"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    data = json.loads(out)
    assert data["ok"] and data["status"] == "succeeded"
    result = data["result"]
    assert result["repo_id"] == "org/name" and result["local"] is True
    assert result["revisions"] == ["v1"] and result["card"] == "generated"
    assert Path(result["path"]) == local_repo_path("org/name")


def test_cli_dry_run_lists_files_and_starts_nothing(
    model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["publish", str(model_dir), "--repo", "org/name", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "model.safetensors" in out and "skipped: optimizer.pt (optimizer state)" in out
    assert "org/name → Hub (private if new)" in out
    assert main(["publish", str(model_dir), "--repo", "org/name", "--public", "--dry-run",
                 "--json"]) == 0  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert data["spec"]["private"] is False and data["spec"]["local"] is False
    files = {f["path"]: f["size"] for f in data["plan"]["files"]}
    assert files["config.json"] == (model_dir / "config.json").stat().st_size
    assert data["plan"]["total_bytes"] == sum(files.values())
    assert JobManager().list() == []


def test_cli_refuses_secrets_before_any_job_or_request(
    fake_hub: FakeHub, model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (model_dir / ".env").write_text("HF_TOKEN=nope\n")
    (model_dir / "my_token.txt").write_text("nope\n")
    (model_dir / "notes.txt").write_text("token: hf_" + "x9" * 17 + "\n")
    code = main(["publish", str(model_dir), "--repo", "org/name", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and data["error"] == "SecretFileError"
    assert {".env", "my_token.txt", "notes.txt"} <= set(data["files"].replace(";", " ").split())
    assert JobManager().list() == [] and fake_hub.requests == []


def test_cli_target_errors(model_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["publish", "no-such-thing", "--repo", "org/name", "--json"]) == 1
    assert "neither a folder nor a training run" in capsys.readouterr().out
    manager = JobManager()
    record = manager.store.create(JobSpec.create("train", config={"model": "a/b", "dataset": "c"}))
    manager.store.finish(record.id, "failed")
    assert main(["publish", record.id, "--repo", "org/name", "--json"]) == 1
    assert "has no final model folder" in capsys.readouterr().out


def test_cli_publishes_the_model_folder_a_run_result_names(
    model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The run's result names its model (no `model` event was kept): the CLI publishes that."""
    manager = JobManager()
    config = {"model": "a/b", "dataset": "c", "output_dir": str(tmp_path / "elsewhere")}
    record = manager.store.create(JobSpec.create("train", config=config))
    manager.store.finish(record.id, "succeeded", result={"model_dir": str(model_dir)})
    assert main(["publish", record.id, "--repo", "org/name", "--dry-run", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["spec"]["source"] == str(model_dir) and data["spec"]["run"] == record.id


@pytest.mark.slow
def test_cli_hub_publish_job_keeps_the_token_out_of_its_logs(
    alice: FakeHub, model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["publish", str(model_dir), "--repo", "org/pushed", "--tag", "v1", "--wait",
                 "--json"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out + _requests(alice)
    result = json.loads(out)["result"]
    assert result["tags"] == ["v1"] and result["private"] is True
    assert result["url"] == f"{alice.url}/org/pushed"
    manager = JobManager()
    job = manager.list()[0]
    logged = manager.log_path(job.id).read_text() + manager.events_path(job.id).read_text()
    assert TOKEN not in logged and TOKEN not in out
    assert "README.md" in alice._repos[("model", "org/pushed")].files


def test_fake_hub_write_routes_follow_the_hub(alice: FakeHub) -> None:
    from huggingface_hub import CommitOperationAdd, HfApi
    from huggingface_hub.errors import HfHubHTTPError, RevisionNotFoundError

    api = HfApi(endpoint=alice.url, token=TOKEN)
    api.create_repo("alice/scratch")
    with pytest.raises(HfHubHTTPError) as conflict:
        api.create_repo("alice/scratch")
    assert conflict.value.response.status_code == 409
    api.upload_file(path_or_fileobj=b"one", path_in_repo="a/one.txt", repo_id="alice/scratch")
    first = api.model_info("alice/scratch").sha
    assert first is not None
    api.upload_file(path_or_fileobj=b"two", path_in_repo="a/two.txt", repo_id="alice/scratch")
    api.delete_file("a/one.txt", repo_id="alice/scratch")
    assert sorted(api.list_repo_files("alice/scratch")) == [".gitattributes", "a/two.txt"]
    assert "a/one.txt" in api.list_repo_files("alice/scratch", revision=first)  # old commit
    with pytest.raises(HfHubHTTPError) as stale:
        api.create_commit(
            "alice/scratch",
            operations=[CommitOperationAdd("b.txt", b"b")],
            commit_message="stale",
            parent_commit=first,
        )
    assert stale.value.response.status_code == 412
    with pytest.raises(RevisionNotFoundError):
        api.create_tag("alice/scratch", tag="t", revision="no-such-branch")
    api.delete_folder("a", repo_id="alice/scratch")
    assert api.list_repo_files("alice/scratch") == [".gitattributes"]
    assert not alice.server_errors


def test_stage_card_saves_a_checked_card_and_leaves_nothing_when_refused(model_dir: Path) -> None:
    from hf_ecosystem.errors import CardError
    from hf_ecosystem.publishing.plan import SecretFileError
    from hf_ecosystem.publishing.staging import stage_card

    settings = load_settings()
    card = stage_card("---\nlicense: mit\n---\n# mine\n", model_dir, settings)
    assert card.parent.parent == settings.home / "publish" and card.name == "README.md"
    assert card.read_text(encoding="utf-8").endswith("# mine\n")
    again = stage_card("# again\n", model_dir, settings)  # never over an earlier card
    assert again.parent != card.parent
    with pytest.raises(CardError):
        stage_card("---\nlicense: [mit\n---\n", model_dir, settings)
    with pytest.raises(SecretFileError):
        stage_card("# x\n\ntoken: hf_" + "a" * 34 + "\n", model_dir, settings)
    assert sorted(settings.home.glob("publish/*/README.md")) == sorted([card, again])
    assert len(list((settings.home / "publish").iterdir())) == 2


def test_prepare_card_picks_the_edited_file_the_folder_card_or_a_generated_one(
    model_dir: Path, tmp_path: Path
) -> None:
    from hf_ecosystem.errors import CardError

    edited = tmp_path / "EDITED.md"
    edited.write_text("---\nlicense: bsd-3-clause\n---\n# mine\n")
    card = prepare_card(plan_publish(model_dir, card=edited), "org/x")
    assert (card.origin, card.license, card.text) == ("file", "bsd-3-clause", edited.read_text())
    edited.write_text("---\nlicense: [oops\n---\n")
    with pytest.raises(CardError):
        prepare_card(plan_publish(model_dir, card=edited), "org/x")

    (model_dir / "README.md").write_text("---\nlicense: mit\n---\n# folder card\n")
    folder = prepare_card(plan_publish(model_dir), "org/x")
    assert (folder.origin, folder.license) == ("folder", "mit")
    generated = prepare_card(plan_publish(model_dir), "org/x", license="apache-2.0")
    assert generated.origin == "generated"
    parsed = parse_card_text(generated.text)
    assert parsed.pipeline_tag == "text-classification"  # from config.json's architecture
    assert parsed.base_models == ()  # the config names no Hub repo


def test_base_model_cards_come_from_the_local_hub_the_hub_or_the_cache_path(
    alice: FakeHub, model_dir: Path, tmp_path: Path
) -> None:
    from fakehub import FakeRepo
    from hf_ecosystem.training.runs import get_run

    settings = load_settings()
    local = settings.home / "hub" / "models" / "acme" / "local-base"
    local.mkdir(parents=True)
    (local / "README.md").write_text("---\nlicense: gpl-3.0\n---\n# local base\n")
    (local / "config.json").write_text("{}")
    alice.add(FakeRepo("acme/remote-base", files={"README.md": b"---\nlicense: llama3\n---\n"}))
    cached = tmp_path / "models--acme--cached-base" / "snapshots" / "abc"
    cached.mkdir(parents=True)
    (cached / "README.md").write_text("---\nlicense: cc-by-4.0\n---\n")

    def card_of(base: str, remote: bool = True) -> tuple[tuple[str, ...], str | None]:
        run = get_run(JobManager(), _recorded_run(model_dir, base, {"eval_f1": 0.5}))
        prepared = prepare_card(plan_publish(model_dir), "org/x", run=run, remote=remote)
        return parse_card_text(prepared.text).base_models, prepared.license

    assert card_of("acme/local-base") == (("acme/local-base",), "gpl-3.0")
    assert card_of("acme/remote-base", remote=False) == (("acme/remote-base",), None)
    assert card_of("acme/remote-base") == (("acme/remote-base",), "llama3")
    # The card fetched from the Hub is in the HF cache now, which the local hub indexes.
    assert card_of("acme/remote-base", remote=False) == (("acme/remote-base",), "llama3")
    assert card_of("acme/nowhere") == (("acme/nowhere",), None)
    assert card_of(str(cached)) == (("acme/cached-base",), "cc-by-4.0")
    assert card_of(str(tmp_path / "gone")) == ((), None)


def test_an_adapter_folder_is_published_as_peft(model_dir: Path) -> None:
    (model_dir / "adapter_config.json").write_text('{"base_model_name_or_path": "acme/base"}')
    (model_dir / "config.json").unlink()
    card = prepare_card(plan_publish(model_dir), "org/adapter", license="mit", remote=False)
    parsed = parse_card_text(card.text)
    assert parsed.library_name == "peft" and "lora" in parsed.tags
    assert parsed.base_models == ("acme/base",)


def test_a_cancelled_local_publish_leaves_no_partial_revision(model_dir: Path) -> None:
    import threading

    from hf_ecosystem.jobs.context import JobCancelled

    cancel = threading.Event()
    cancel.set()
    with pytest.raises(JobCancelled):
        publish_to_local_hub(plan_publish(model_dir), "acme/c", card_text="# c\n", cancel=cancel)
    revisions = local_repo_path("acme/c") / ".revisions"
    assert list(revisions.iterdir()) == [] and list_local_revisions("acme/c") == []
