"""Hostile cards and special files: one bad repo never takes the hub down, nothing hangs, nothing
is read from outside its folder. Every reader that touches a file it did not write is driven
with a FIFO, a link to /dev/zero, a link out of its folder and a YAML alias bomb."""

from __future__ import annotations

import io
import json
import os
import threading
import time
from collections.abc import Callable
from contextlib import redirect_stdout, suppress
from pathlib import Path
from typing import Any

import pytest

from hf_ecosystem.errors import CardError, HfEcoError
from hf_ecosystem.hub.cards import parse_card_text
from hf_ecosystem.hub.local import LocalHub
from hf_ecosystem.hub.search import parse_model_card
from hf_ecosystem.hub.types import SearchFilters, Sort
from hf_ecosystem.publishing.plan import plan_publish
from hf_ecosystem.training.spec import TrainSpec, TrainSpecError
from hf_tui.cli import main

SELF_ALIAS = "---\nlicense: mit\ntags: &a [*a]\n---\n# loop\n"


def billion_laughs(levels: int = 9) -> str:
    """The classic nested-alias card: a few hundred bytes that expand to 9**levels strings."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghijklmn"[: levels - 1]:
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
        previous = name
    return "---\n" + "\n".join(lines) + "\n---\n# lol\n"


def finishes(fn: Callable[[], Any], seconds: float = 20.0) -> Any:
    """Run fn in a thread; fail (instead of hanging the suite) when it does not return in time."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the test
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s: it blocked"
    if "error" in box:
        raise box["error"]
    return box.get("value")


def repo(root: Path, repo_id: str, card: str | None = "---\nlicense: mit\n---\n# ok\n") -> Path:
    folder = root / "models" / repo_id
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    if card is not None:
        (folder / "README.md").write_text(card)
    return folder


def ids(hub: LocalHub) -> list[str]:
    return [r.id for r in hub.search_models(SearchFilters(), Sort.NAME, limit=100)]


# ------------------------------------------------------------------ YAML in cards and configs


def test_self_referencing_alias_breaks_only_its_own_repo(tmp_path: Path) -> None:
    root = tmp_path / "hub"
    repo(root, "team/good")
    repo(root, "team/loop", SELF_ALIAS)
    hub = LocalHub([root], tmp_path / "index.sqlite")
    stats = hub.refresh()
    assert ids(hub) == ["team/good", "team/loop"]  # the bad one is listed, the others searchable
    error = hub.model_info("team/loop").card_data["card_error"]
    assert "refers to a node that contains it" in error
    assert any("team/loop" in w for w in stats.warnings)
    with pytest.raises(CardError, match="refers to a node that contains it"):
        parse_model_card("team/loop", backend=hub)


def test_billion_laughs_is_refused_before_it_expands() -> None:
    card = billion_laughs(9)
    assert len(card) < 400
    start = time.perf_counter()
    with pytest.raises(CardError, match="expands to more than"):
        parse_card_text(card)
    assert time.perf_counter() - start < 1.0  # refused on the event stream, nothing built
    parse_card_text(billion_laughs(2))  # 81 strings: an ordinary use of aliases still reads


def test_offline_cli_search_and_card_survive_hostile_cards(
    isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = isolated_env / "hftui_home" / "hub"
    repo(root, "team/good")
    repo(root, "team/loop", SELF_ALIAS)
    repo(root, "team/lol", billion_laughs(9))
    assert main(["models", "search", "--offline", "--json", "--sort", "name"]) == 0
    found = [r["id"] for r in json.loads(capsys.readouterr().out)["results"]]
    assert found == ["team/good", "team/lol", "team/loop"]
    main(["models", "card", "team/lol", "--offline", "--json"])
    out = capsys.readouterr().out
    card = json.loads(out)
    assert card["error"]["error"] == "CardError"
    assert card["ok"] is False and "expands to more than" in card["error"]["problem"]
    assert len(out) < 20_000  # the refusal and the raw text, not 345 MB of expanded lol


def test_training_config_alias_bomb_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text(billion_laughs(9).split("---\n")[1])
    with pytest.raises(TrainSpecError, match="expands to more than"):
        TrainSpec.from_yaml(config)
    loop = tmp_path / "loop.yaml"
    loop.write_text("model: &m [*m]\n")
    with pytest.raises(TrainSpecError, match="refers to a node"):
        TrainSpec.from_yaml(loop)


# ------------------------------------------------------------------ special files and links


def test_fifo_and_dev_zero_cards_do_not_hang_the_index(tmp_path: Path) -> None:
    root = tmp_path / "hub"
    repo(root, "team/good")
    fifo_repo = repo(root, "team/fifo", card=None)
    os.mkfifo(fifo_repo / "README.md")
    zero_repo = repo(root, "team/zero", card=None)
    (zero_repo / "README.md").symlink_to("/dev/zero")
    hub = LocalHub([root], tmp_path / "index.sqlite")
    finishes(hub.refresh)
    assert finishes(lambda: ids(hub)) == ["team/fifo", "team/good", "team/zero"]
    # Neither special file is a file of its repo: nothing to read, nothing to hang on.
    assert [f.path for f in hub.files("team/fifo")] == ["config.json"]
    assert finishes(lambda: hub.card("team/zero")) == ""


def test_card_linked_out_of_its_repo_is_not_shown(tmp_path: Path) -> None:
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    root = tmp_path / "hub"
    folder = repo(root, "team/leak", card=None)
    (folder / "README.md").symlink_to(secret)
    inner = repo(root, "team/inner", card=None)
    (inner / "card.md").write_text("---\nlicense: mit\n---\n# inner\n")
    (inner / "README.md").symlink_to("card.md")  # a link inside the repo is fine
    hub = LocalHub([root], tmp_path / "index.sqlite")
    hub.refresh()
    assert hub.card("team/leak") == ""
    assert "README.md" not in [f.path for f in hub.files("team/leak")]
    assert hub.model_info("team/inner").summary.license == "mit"
    assert "# inner" in hub.card("team/inner")


def test_repo_folder_linked_outside_the_hub_is_not_indexed(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "big"
    outside.mkdir(parents=True)
    for i in range(50):
        (outside / f"f{i}.txt").write_text("x")
    root = tmp_path / "hub"
    repo(root, "team/good")
    (root / "models" / "team" / "usr").symlink_to(outside, target_is_directory=True)
    (root / "models" / "linked").symlink_to(outside, target_is_directory=True)
    hub = LocalHub([root], tmp_path / "index.sqlite")
    hub.refresh()
    assert ids(hub) == ["team/good"]


def test_publish_plan_skips_fifos_and_links_out(tmp_path: Path) -> None:
    secret = tmp_path / "id_rsa"
    secret.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    (model / "model.safetensors").write_bytes(b"\0" * 16)
    os.mkfifo(model / "pipe.bin")
    (model / "weights.bin").symlink_to(secret)
    (model / "inner.json").symlink_to("config.json")
    plan = finishes(lambda: plan_publish(model))
    assert sorted(f.path for f in plan.files) == ["config.json", "inner.json", "model.safetensors"]
    reasons = {s.path: s.reason for s in plan.skipped}
    assert reasons["pipe.bin"] == "not a regular file"
    assert reasons["weights.bin"] == "a link to outside its folder"


def test_publish_dry_run_with_a_fifo_does_not_hang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    (model / "model.safetensors").write_bytes(b"\0" * 16)
    os.mkfifo(model / "README.md")
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = finishes(
            lambda: main(["publish", str(model), "--repo", "me/m", "--local", "--dry-run"])
        )
    assert code == 0, capsys.readouterr().err
    assert "README.md" in buffer.getvalue()  # listed as skipped, not read


def test_batch_input_fifo_is_refused_at_once(tmp_path: Path) -> None:
    from hf_ecosystem.inference.batch import read_inputs

    fifo = tmp_path / "inputs.txt"
    os.mkfifo(fifo)
    with pytest.raises(HfEcoError, match="not a regular file"):
        finishes(lambda: read_inputs(fifo))
    folder = tmp_path / "images"
    folder.mkdir()
    os.mkfifo(folder / "a.png")
    with pytest.raises(HfEcoError, match="No image or audio files"):
        finishes(lambda: read_inputs(folder))


def test_card_file_argument_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "README.md"
    os.mkfifo(fifo)
    with pytest.raises(HfEcoError, match="not a regular file"):
        finishes(lambda: parse_model_card(str(fifo)))


# ------------------------------------------------------------------ secrets in a published folder

PLANTED = {
    ".envrc": "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n",
    ".npmrc": "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789\n",
    "kaggle.json": '{"username": "bob", "key": "0123456789abcdef0123456789abcdef"}',
    "gcp.json": '{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\n'
    'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n"}',
    "notes/aws.txt": "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
    "blob.dat": "abc\0def hf_abcdefghijklmnopqrstuvwxyz0123 \0",
}


def test_publishing_refuses_every_planted_secret_naming_file_and_kind(tmp_path: Path) -> None:
    from hf_ecosystem.publishing.plan import SecretFileError

    model = tmp_path / "model"
    (model / "notes").mkdir(parents=True)
    (model / "config.json").write_text('{"hidden_size": 32, "_commit_hash": "' + "a1" * 20 + '"}')
    (model / "model.safetensors").write_bytes(b"\0" * 16)
    (model / "README.md").write_text("# A model\n\nTrained at 10.0.0.1 with lr 3e-5.\n")
    for name, text in PLANTED.items():
        (model / name).write_text(text)
    with pytest.raises(SecretFileError) as caught:
        plan_publish(model)
    findings = dict(caught.value.findings)
    assert set(findings) == set(PLANTED)  # every one refused, nothing else (no false alarm)
    assert "AWS Access Key" in findings["notes/aws.txt"]
    assert "Private Key" in findings["gcp.json"]
    assert "Hugging Face token" in findings["blob.dat"]
    message = str(caught.value.to_dict())
    assert "AKIAIOSFODNN7EXAMPLE" not in message and "npm_abcdef" not in message


# ------------------------------------------------------------------ fuzzing

_PIECES = [
    "---\n",
    "license: mit\n",
    "tags: [a, b]\n",
    "&x ",
    "*x",
    "[",
    "]",
    "{",
    "}",
    ": ",
    "- ",
    "model-index:\n  - name: m\n    results: []\n",
    "\0",
    "\ufeff",
    "'",
    '"',
    "!!python/object ",
    "&a [*a]",
    "<<: *x\n",
    "\t",
    "\r\n",
    "é",
    "🤗",
    "\\",
    "%YAML 1.1\n",
    "? ",
    "|\n  ",
    "#",
]


def test_fuzzed_cards_only_ever_raise_card_errors() -> None:
    import random

    from hf_ecosystem.hub.cards import split_front_matter

    rng = random.Random(20261203)
    cases = int(os.environ.get("HFTUI_FUZZ_CASES", "3000"))
    refused = 0
    start = time.perf_counter()
    for _ in range(cases):
        text = "---\n" + "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 40))) + "\n---\n"
        try:
            split_front_matter(text)
            parse_card_text(text, rng.choice(("model", "dataset")))
        except CardError:
            refused += 1
    elapsed = time.perf_counter() - start
    print(f"\nfuzzed cards: {cases}, refused as CardError: {refused}, {elapsed:.1f} s")
    assert 0 < refused < cases  # both outcomes happen: the generator is not vacuous


def test_fuzzed_job_ids_and_queries_never_escape(tmp_path: Path) -> None:
    import random

    from hf_ecosystem.errors import HfEcoError as Refused
    from hf_ecosystem.jobs.spec import JobSpec
    from hf_ecosystem.jobs.store import JobStore

    rng = random.Random(7)
    store = JobStore(tmp_path / "home")
    kept = store.create(JobSpec.create("demo-seed"))
    root = tmp_path / "hub"
    repo(root, "team/good")
    hub = LocalHub([root], tmp_path / "index.sqlite")
    alphabet = "%_'\";-*/\\\0\n abcxyz019()[]{}é🤗"
    for _ in range(500):
        word = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        try:
            found = store.get(word)
            assert kept.id.startswith(word)  # only a real prefix of the one id matches
            assert found.id == kept.id
        except Refused:
            pass
        with suppress(Refused):
            hub.search_models(SearchFilters(query=word), Sort.NAME, limit=5)
    assert store.get(kept.id).id == kept.id
