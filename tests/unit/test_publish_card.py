"""Model cards for published models, and the publish plan (file list, leftovers, secrets)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hf_ecosystem.hub.cards import parse_card_text
from hf_ecosystem.publishing.card import (
    build_model_card,
    eval_results,
    hyperparameters,
    pipeline_tag_for,
    resolve_license,
)
from hf_ecosystem.publishing.plan import (
    PublishError,
    SecretFileError,
    contains_token,
    plan_publish,
    secret_name_reason,
)

BASE_NC = (
    "---\nlicense: cc-by-nc-4.0\nlanguage:\n- en\n- fr\npipeline_tag: fill-mask\n---\n# base\n"
)
CONFIG = {
    "model": "acme/base",
    "dataset": "acme/news",
    "task": "text-classification",
    "learning_rate": 3e-5,
    "batch_size": 8,
    "gradient_accumulation_steps": 4,
    "epochs": 2.0,
    "max_steps": None,
    "seed": 7,
    "warmup_steps": 0,
    "lora": {"r": 8, "alpha": 16, "dropout": 0.05, "target_modules": None},
}
METRICS = {"eval_accuracy": 0.875, "eval_loss": 0.42, "eval_runtime": 3.1, "train_loss": 0.9}
TOKEN = "hf_" + "Ab3" * 12  # token-shaped, not a real one


def _card(**overrides: object) -> str:
    args: dict[str, object] = {
        "base_model": "acme/base",
        "base_card": BASE_NC,
        "datasets": ["acme/news"],
        "eval_split": "validation",
        "task": "text-classification",
        "metrics": METRICS,
        "hyperparameters": hyperparameters(CONFIG),
    }
    args.update(overrides)
    return build_model_card("org/news-clf", **args)  # type: ignore[arg-type]


def test_card_carries_base_model_data_results_and_hyperparameters() -> None:
    text = _card()
    card = parse_card_text(text)
    assert card.base_models == ("acme/base",)
    assert card.datasets == ("acme/news",)
    assert card.languages == ("en", "fr")  # from the base card
    assert card.pipeline_tag == "text-classification"  # the fine-tune's task beats the base's
    assert card.model_name == "news-clf"
    assert {"hf-tui", "fine-tuned"} <= set(card.tags)
    results = {r.metric: (r.value, r.dataset, r.split, r.task) for r in card.results}
    assert results == {
        "Accuracy": (0.875, "acme/news", "validation", "text-classification"),
        "Loss": (0.42, "acme/news", "validation", "text-classification"),
    }
    assert "| learning_rate | 3e-05 |" in text
    assert "| total_train_batch_size | 32 |" in text
    assert "| lora_r | 8 |" in text
    assert "warmup_steps" not in text  # zero warmup steps is no hyperparameter worth a row
    for section in ("## Intended uses & limitations", "## Training and evaluation data"):
        assert section in text
    assert "More information needed" in text


def test_license_is_inherited_from_the_base_model_without_warning() -> None:
    card = parse_card_text(text := _card())
    assert card.license == "cc-by-nc-4.0"
    assert "inherited from the base model" in text
    assert "Warning" not in text


def test_a_license_that_the_base_forbids_is_kept_but_warned_about() -> None:
    text = _card(license="apache-2.0")
    assert parse_card_text(text).license == "apache-2.0"
    assert "forbids commercial use, which apache-2.0 would allow" in text
    choice = resolve_license("apache-2.0", "cc-by-nc-4.0")
    assert choice.license == "apache-2.0" and not choice.inherited
    assert len(choice.warnings) == 1 and "commercial use" in choice.warnings[0]


@pytest.mark.parametrize(
    ("chosen", "base", "license", "warned"),
    [
        ("MIT", "apache-2.0", "mit", False),
        (None, "apache-2.0", "apache-2.0", False),
        (None, None, None, True),  # no license at all is worth a warning
        ("mit", "cc-by-sa-4.0", "mit", True),  # share alike
        ("apache-2.0", "llama3", "apache-2.0", True),  # use restrictions
        ("apache-2.0", "my-own-license", "apache-2.0", True),  # not checkable
        ("cc-by-nc-4.0", "cc-by-nc-4.0", "cc-by-nc-4.0", False),
    ],
)
def test_license_choices(chosen: str | None, base: str | None, license: str, warned: bool) -> None:
    choice = resolve_license(chosen, base)
    assert choice.license == license
    assert bool(choice.warnings) is warned


def test_card_without_run_data_still_parses_and_says_so() -> None:
    text = build_model_card("solo", base_model_path="/models/base", license="mit")
    card = parse_card_text(text)
    assert card.license == "mit" and card.results == () and card.base_models == ()
    assert "local model `/models/base`" in text


def test_an_unreadable_base_card_is_a_warning_not_a_failure() -> None:
    text = build_model_card("org/x", base_card="---\nlicense: [unclosed\n---\n", license="mit")
    assert "base model's card could not be read" in text
    assert parse_card_text(text).license == "mit"


def test_helpers() -> None:
    assert eval_results(METRICS) == {"accuracy": 0.875, "loss": 0.42}
    assert eval_results({"eval_flag": True, "eval_name": "x"}) == {}
    assert pipeline_tag_for("seq2seq", "summarization") == "summarization"
    assert pipeline_tag_for("seq2seq", "fill-mask") == "text2text-generation"
    assert pipeline_tag_for("causal-lm") == "text-generation"
    assert pipeline_tag_for(None, "fill-mask") == "fill-mask"


# -- the plan ---------------------------------------------------------------------------------


def _model_folder(root: Path) -> Path:
    folder = root / "model"
    folder.mkdir()
    (folder / "config.json").write_text('{"architectures": ["BertForSequenceClassification"]}')
    (folder / "model.safetensors").write_bytes(b"\0" * 4096)
    (folder / "tokenizer.json").write_text('{"model": {"vocab": {"hf_hub": 1}}}')
    (folder / "tokenizer_config.json").write_text("{}")
    (folder / "special_tokens_map.json").write_text("{}")
    (folder / "modeling.py").write_text("from huggingface_hub import hf_hub_download\n")
    return folder


def test_plan_lists_files_and_skips_training_leftovers(tmp_path: Path) -> None:
    folder = _model_folder(tmp_path)
    for leftover in ("optimizer.pt", "scheduler.pt", "rng_state_0.pth", "trainer_state.json",
                     "training_args.bin", "checkpoint-10/model.safetensors",
                     "runs/May01/events.out.tfevents.1", ".git/config"):  # fmt: skip
        (folder / leftover).parent.mkdir(parents=True, exist_ok=True)
        (folder / leftover).write_bytes(b"x")
    plan = plan_publish(folder)
    assert [f.path for f in plan.files] == [
        "config.json",
        "model.safetensors",
        "modeling.py",
        "special_tokens_map.json",
        "tokenizer.json",
        "tokenizer_config.json",
    ]
    assert plan.total_bytes == sum((folder / f.path).stat().st_size for f in plan.files)
    skipped = {s.path: s.reason for s in plan.skipped}
    assert skipped == {
        ".git/": "hidden folder",
        "checkpoint-10/": "training checkpoint",
        "runs/": "TensorBoard logs",
        "optimizer.pt": "optimizer state",
        "rng_state_0.pth": "random number generator state",
        "scheduler.pt": "scheduler state",
        "trainer_state.json": "trainer state",
        "training_args.bin": "training arguments (a pickle)",
    }
    assert plan.warnings == ()
    assert not plan.has_readme and "README.md" in plan.allow_patterns
    data = plan.to_dict()
    assert data["total_bytes"] == plan.total_bytes and len(data["skipped"]) == 8


@pytest.mark.parametrize(
    "name", [".env", "prod.env", ".env.local", "my_token.txt", "HF_TOKEN", "client_secret.json",
             "credentials.json", "id_rsa", "id_ed25519.pub", ".netrc", ".git-credentials", "k.pem"],
)  # fmt: skip
def test_secret_file_names_are_refused(tmp_path: Path, name: str) -> None:
    folder = _model_folder(tmp_path)
    (folder / name).write_text("nothing to see")
    with pytest.raises(SecretFileError) as caught:
        plan_publish(folder)
    assert caught.value.findings == [(name, "its name looks like a secret file")]
    assert name in caught.value.title and "revoke" in caught.value.hint


def test_a_token_inside_a_text_file_is_refused_without_showing_it(tmp_path: Path) -> None:
    folder = _model_folder(tmp_path)
    (folder / "sub").mkdir()
    (folder / "sub" / "notes.md").write_text(f"push with\nHF_TOKEN={TOKEN}\n")
    with pytest.raises(SecretFileError) as caught:
        plan_publish(folder)
    assert caught.value.findings == [
        ("sub/notes.md", "it contains a secret (a Hugging Face token)")
    ]
    assert TOKEN not in str(caught.value) and TOKEN not in str(caught.value.to_dict())


def test_token_scan_reads_past_the_first_chunk_and_into_binaries(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("a" * (3 << 20) + " " + TOKEN + "\n")
    assert contains_token(big)
    binary = tmp_path / "w.bin"
    binary.write_bytes(b"\0" + TOKEN.encode())
    assert contains_token(binary)  # a NUL byte no longer hides a token
    assert not contains_token(tmp_path / "missing.txt")
    assert secret_name_reason("tokenizer.json") is None
    assert secret_name_reason("tokenizer.env") is not None


def test_an_edited_card_is_checked_too(tmp_path: Path) -> None:
    folder = _model_folder(tmp_path)
    card = tmp_path / "README.md"
    card.write_text(f"---\nlicense: mit\n---\n{TOKEN}\n")
    with pytest.raises(SecretFileError):
        plan_publish(folder, card=card)
    with pytest.raises(PublishError, match="Card file not found"):
        plan_publish(folder, card=tmp_path / "nope.md")


def test_plan_refuses_what_is_not_a_model_folder(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="Not a folder"):
        plan_publish(tmp_path / "missing")
    (tmp_path / "empty" / "checkpoint-1").mkdir(parents=True)
    (tmp_path / "empty" / "checkpoint-1" / "x.bin").write_bytes(b"x")
    with pytest.raises(PublishError, match="Nothing to publish"):
        plan_publish(tmp_path / "empty")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "pytorch_model.bin").write_bytes(b"x")
    assert any("Pickle" in w for w in plan_publish(tmp_path / "old").warnings)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("x")
    assert any("No weights" in w for w in plan_publish(tmp_path / "notes").warnings)
