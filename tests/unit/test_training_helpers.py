"""The cheap parts of fine-tuning: precision, tokenizer/model loading, LoRA, TrainingArguments,
the job-events callback and the train job's helpers. Tiny random models; no training loop."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from models import fixtures

from hf_ecosystem.config import load_settings
from hf_ecosystem.jobs.context import JobContext
from hf_ecosystem.jobs.events import EventWriter, JobEvent, read_events
from hf_ecosystem.jobs.params import JobSpecError
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.training import job, trainer
from hf_ecosystem.training.callbacks import JobEventsCallback, gpu_memory_mb
from hf_ecosystem.training.data import PreparedData
from hf_ecosystem.training.errors import TrainingError
from hf_ecosystem.training.spec import TrainSpec

tiny_model = fixtures.tiny_model


def _spec(**fields: Any) -> TrainSpec:
    return TrainSpec.parse({"model": "m", "dataset": "d", **fields})


# --- precision and environment -----------------------------------------------------------------


def test_an_explicit_precision_is_kept() -> None:
    """Anything but 'auto' is what the config asked for."""
    assert [trainer.pick_precision(p) for p in ("fp32", "fp16", "bf16")] == ["fp32", "fp16", "bf16"]


def test_auto_precision_follows_the_hardware(monkeypatch: pytest.MonkeyPatch) -> None:
    """auto: fp32 without CUDA; bf16 on a GPU that supports it, else fp16."""
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert trainer.pick_precision("auto") == "fp32"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    assert trainer.pick_precision("auto") == "bf16"
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)
    assert trainer.pick_precision("auto") == "fp16"


def test_a_temporary_environment_variable_restores_the_old_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A variable set before the block gets its value back; an unset one is removed again."""
    monkeypatch.setenv("HFTUI_TEST_VAR", "before")
    with trainer._environ("HFTUI_TEST_VAR", "inside"):
        assert os.environ["HFTUI_TEST_VAR"] == "inside"
    assert os.environ["HFTUI_TEST_VAR"] == "before"
    monkeypatch.delenv("HFTUI_TEST_VAR")
    with pytest.raises(RuntimeError), trainer._environ("HFTUI_TEST_VAR", "inside"):
        raise RuntimeError("the block fails")
    assert "HFTUI_TEST_VAR" not in os.environ


# --- tokenizer, model, LoRA --------------------------------------------------------------------


@pytest.fixture(scope="module")
def padless_lm(tiny_model: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny GPT-2 with no pad token in its tokenizer nor its config (like the real GPT-2)."""
    from transformers import AutoTokenizer

    source = tiny_model("text-generation")
    dest = tmp_path_factory.mktemp("padless")
    for name in ("config.json", "model.safetensors"):
        shutil.copy(source / name, dest / name)
    config = json.loads((dest / "config.json").read_text(encoding="utf-8"))
    config.pop("pad_token_id", None)
    (dest / "config.json").write_text(json.dumps(config), encoding="utf-8")
    tok = AutoTokenizer.from_pretrained(str(source))
    tok.pad_token = None
    tok.save_pretrained(str(dest))
    return dest


def test_a_causal_lm_without_a_pad_token_pads_with_eos(padless_lm: Path) -> None:
    """Tokenizer and model config both get eos as the pad token, so batches can be padded."""
    from transformers import AutoTokenizer

    assert AutoTokenizer.from_pretrained(str(padless_lm)).pad_token is None
    tokenizer = trainer.load_tokenizer(str(padless_lm))
    assert tokenizer.pad_token == tokenizer.eos_token == "<|endoftext|>"
    model = trainer.load_model(
        _spec(task="causal-lm"), str(padless_lm), PreparedData([], None), tokenizer
    )
    assert model.config.pad_token_id == tokenizer.eos_token_id
    assert type(model).__name__ == "GPT2LMHeadModel"


def test_a_folder_without_a_tokenizer_is_a_training_error(tmp_path: Path) -> None:
    """The error names the folder instead of transformers' converter message alone."""
    with pytest.raises(TrainingError, match=f"Cannot load the tokenizer of {tmp_path}"):
        trainer.load_tokenizer(str(tmp_path))


def test_a_model_that_does_not_fit_the_task_is_a_training_error(
    tiny_model: Callable[[str], Path],
) -> None:
    """A BERT encoder cannot be a seq2seq model: one line, and a hint about the task."""
    folder = str(tiny_model("text-classification"))
    tokenizer = trainer.load_tokenizer(folder)
    spec = _spec(task="seq2seq", target_column="summary")
    with pytest.raises(TrainingError, match=f"Cannot load {folder} for seq2seq: ") as caught:
        trainer.load_model(spec, folder, PreparedData([], None), tokenizer)
    assert "\n" not in caught.value.title
    assert caught.value.hint == "Check that the model fits the task (e.g. a decoder for causal-lm)."


def test_a_multi_label_head_is_sized_and_named_for_the_data(
    tiny_model: Callable[[str], Path],
) -> None:
    """The new head has one output per class, the class names, and a multi-label loss."""
    folder = str(tiny_model("text-classification"))
    tokenizer = trainer.load_tokenizer(folder)
    data = PreparedData([], None, labels=["art", "sport", "tech"])
    model = trainer.load_model(_spec(task="multi-label-classification"), folder, data, tokenizer)
    assert model.config.num_labels == 3
    assert model.config.id2label == {0: "art", 1: "sport", 2: "tech"}
    assert model.config.problem_type == "multi_label_classification"
    assert model.classifier.out_features == 3


def test_lora_wraps_the_named_layers_or_says_which_to_name(
    tiny_model: Callable[[str], Path],
) -> None:
    """Known layer names get adapters (few trainable weights); unknown ones a TrainingError."""
    folder = str(tiny_model("text-classification"))
    tokenizer = trainer.load_tokenizer(folder)
    data = PreparedData([], None, labels=["a", "b"])
    spec = _spec(lora={"r": 2, "alpha": 4, "target_modules": ["query", "value"]})
    model = trainer.apply_lora(spec, trainer.load_model(spec, folder, data, tokenizer))
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n or "classifier" in n for n in trainable)
    bad = _spec(lora={"target_modules": ["no_such_layer"]})
    with pytest.raises(TrainingError, match="Cannot add LoRA adapters") as caught:
        trainer.apply_lora(bad, trainer.load_model(bad, folder, data, tokenizer))
    assert "lora.target_modules" in caught.value.hint


# --- TrainingArguments -------------------------------------------------------------------------


def test_training_arguments_without_evaluation(tmp_path: Path) -> None:
    """No evaluation set: no evaluation, no best model; epochs and the spec's save plan."""
    spec = _spec(epochs=2, batch_size=8, warmup_ratio=0.1, report_to=["none"], save_strategy="no")
    args = trainer.training_arguments(spec, tmp_path, "fp32", has_eval=False)
    assert (args.eval_strategy, args.save_strategy) == ("no", "no")
    assert not args.load_best_model_at_end and args.metric_for_best_model is None
    assert args.num_train_epochs == 2 and args.max_steps == -1
    assert args.per_device_eval_batch_size == 8  # eval_batch_size defaults to batch_size
    assert args.warmup_steps == pytest.approx(0.1) and args.report_to == []
    assert not args.dataloader_pin_memory and not args.bf16 and not args.fp16
    assert args.output_dir == str(tmp_path)


def test_early_stopping_saves_when_it_evaluates(tmp_path: Path) -> None:
    """With patience, checkpoints follow evaluation so the best one can be reloaded."""
    spec = _spec(
        max_steps=7,
        eval_strategy="steps",
        eval_steps=3,
        save_strategy="epoch",
        early_stopping_patience=2,
        warmup_steps=4,
        warmup_ratio=0.5,
        eval_batch_size=32,
        report_to=["none"],
    )
    args = trainer.training_arguments(spec, tmp_path, "fp32", has_eval=True)
    assert (args.eval_strategy, args.save_strategy) == ("steps", "steps")
    assert (args.eval_steps, args.save_steps) == (3, 3)
    assert args.load_best_model_at_end and args.metric_for_best_model == "eval_loss"
    assert args.max_steps == 7 and args.warmup_steps == 4  # steps win over the ratio
    assert args.per_device_eval_batch_size == 32
    named = _spec(eval_strategy="epoch", early_stopping_patience=1, metric_for_best_model="f1")
    args = trainer.training_arguments(named, tmp_path, "fp32", has_eval=True)
    assert args.metric_for_best_model == "f1" and args.save_strategy == "epoch"


def test_create_trainer_adds_early_stopping(
    tiny_model: Callable[[str], Path], tmp_path: Path
) -> None:
    """The bundle carries the Trainer with an EarlyStoppingCallback and the run's folders."""
    from transformers import EarlyStoppingCallback

    data = tmp_path / "data"
    data.mkdir()
    for split, n in (("train", 8), ("validation", 4)):
        rows = [{"text": f"row {i}", "label": "ab"[i % 2]} for i in range(n)]
        (data / f"{split}.jsonl").write_text(
            "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8"
        )
    messages: list[str] = []
    bundle = trainer.create_trainer(
        {
            "model": str(tiny_model("text-classification")),
            "dataset": str(data),
            "max_steps": 2,
            "batch_size": 4,
            "eval_strategy": "steps",
            "eval_steps": 1,
            "early_stopping_patience": 1,
            "report_to": ["none"],
        },
        output_dir=tmp_path / "run",
        log=messages.append,
    )
    callbacks = bundle.trainer.callback_handler.callbacks
    stopper = [c for c in callbacks if isinstance(c, EarlyStoppingCallback)]
    assert len(stopper) == 1 and stopper[0].early_stopping_patience == 1
    assert bundle.trainer.args.load_best_model_at_end
    assert (bundle.precision, bundle.lora, bundle.data.labels) == ("fp32", False, ["a", "b"])
    assert messages[-1] == "8 training rows, 4 evaluation rows (split 'validation'), 2 classes"
    assert "TENSORBOARD_LOGGING_DIR" not in os.environ


# --- the job-events callback -------------------------------------------------------------------


def _context(tmp_path: Path) -> JobContext:
    spec = JobSpec.create("train", config={"model": "m", "dataset": "d"})
    events = EventWriter(tmp_path / "events.jsonl")
    return JobContext("job1", spec, events, tmp_path / "work", load_settings())


def _events(ctx: JobContext, kind: str) -> list[JobEvent]:
    return [e for e in read_events(ctx.events.path)[0] if e.type == kind]


def _state(step: int, *, main: bool = True, max_steps: int = 10) -> Any:
    from transformers import TrainerState

    state = TrainerState(global_step=step, max_steps=max_steps, epoch=step / max_steps)
    state.is_world_process_zero = main
    return state


def test_a_cancel_request_stops_training_at_the_next_step(tmp_path: Path) -> None:
    """on_step_end turns the job's cancel flag into should_training_stop."""
    from transformers import TrainerControl

    ctx = _context(tmp_path)
    callback = JobEventsCallback(ctx, samples_per_step=4)
    control = TrainerControl()
    callback.on_step_end(None, _state(1), control)
    assert not control.should_training_stop
    ctx.cancel.set()
    callback.on_step_end(None, _state(2), control)
    assert control.should_training_stop


def test_progress_is_reported_at_the_start_and_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forced progress events at train begin/end carry steps done and the total."""
    from hf_ecosystem.training import callbacks

    monkeypatch.setattr(callbacks, "PROGRESS_EVERY_SECONDS", 60.0)  # no timed report in between
    ctx = _context(tmp_path)
    callback = JobEventsCallback(ctx, samples_per_step=4)
    callback.on_train_begin(None, _state(3), None)  # resumed at step 3
    callback.on_step_end(None, _state(4), None)  # within a minute of the last: not reported
    callback.on_train_end(None, _state(10), None)
    progress = _events(ctx, "progress")
    assert [(e.data["done"], e.data["total"]) for e in progress] == [(3, 10), (10, 10)]
    assert progress[0].data["unit"] == "steps" and progress[1].data["eta"] == 0
    for hook in (callback.on_train_begin, callback.on_step_end, callback.on_train_end):
        hook(None, _state(10, main=False), None)
    assert len(_events(ctx, "progress")) == 2  # other ranks stay quiet


def test_logs_keep_finite_numbers_and_add_speed(tmp_path: Path) -> None:
    """NaN, booleans and text are dropped; the epoch moves out of the values; a later step with
    a loss adds samples per second; a log at the same step does not."""
    ctx = _context(tmp_path)
    callback = JobEventsCallback(ctx, samples_per_step=8)
    callback.on_train_begin(None, _state(0), None)
    logs = {"loss": 0.5, "grad_norm": float("nan"), "flag": True, "note": "x", "epoch": 0.2}
    callback.on_log(None, _state(2), None, logs=logs)
    callback.on_log(None, _state(2), None, logs={"loss": 0.4})
    callback.on_log(None, _state(2), None, logs={})  # nothing to report
    first, second = (e.data for e in _events(ctx, "metric"))
    assert set(first) == {"step", "epoch", "loss", "samples_per_second"}
    assert first["samples_per_second"] > 0 and first["epoch"] == pytest.approx(0.2)
    assert second == {"step": 2, "epoch": pytest.approx(0.2), "loss": 0.4}


def test_language_models_report_perplexity(tmp_path: Path) -> None:
    """eval_perplexity = exp(eval_loss) for language models, unless the loss would overflow."""
    import math

    ctx = _context(tmp_path)
    callback = JobEventsCallback(ctx, samples_per_step=1, language_model=True)
    callback.on_log(None, _state(5), None, logs={"eval_loss": 2.0})
    callback.on_log(None, _state(6), None, logs={"eval_loss": 800.0})
    classifier = JobEventsCallback(ctx, samples_per_step=1)
    classifier.on_log(None, _state(7), None, logs={"eval_loss": 2.0})
    metrics = [e.data for e in _events(ctx, "metric")]
    assert metrics[0]["eval_perplexity"] == pytest.approx(math.exp(2.0))
    assert "eval_perplexity" not in metrics[1] and "eval_perplexity" not in metrics[2]
    classifier.on_log(None, _state(8, main=False), None, logs={"eval_loss": 1.0})
    assert len(_events(ctx, "metric")) == 3
    assert "gpu_memory_mb" not in metrics[0]


def test_peak_gpu_memory_joins_the_metrics_when_there_is_a_gpu(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without CUDA there is no memory value; with one, each log carries the peak in MiB."""
    import torch

    from hf_ecosystem.training import callbacks

    ctx = _context(tmp_path)
    callback = JobEventsCallback(ctx, samples_per_step=1)
    if not torch.cuda.is_available():
        assert gpu_memory_mb() is None
    monkeypatch.setattr(callbacks, "gpu_memory_mb", lambda: 512.0)  # this box has no GPU
    callback.on_log(None, _state(1), None, logs={"loss": 1.0})
    assert _events(ctx, "metric")[0].data["gpu_memory_mb"] == 512.0


def test_checkpoints_are_reported_by_rank_zero_only(tmp_path: Path) -> None:
    """on_save names the checkpoint folder the Trainer writes."""
    from transformers import TrainingArguments

    ctx = _context(tmp_path)
    callback = JobEventsCallback(ctx, samples_per_step=1)
    args = TrainingArguments(output_dir=str(tmp_path / "run"), report_to="none")
    callback.on_save(args, _state(4, main=False), None)
    callback.on_save(args, _state(6), None)
    saved = [e.data for e in _events(ctx, "artifact")]
    assert saved == [{"path": f"{tmp_path / 'run'}/checkpoint-6", "kind": "checkpoint"}]


# --- the train job's helpers -------------------------------------------------------------------


@pytest.mark.parametrize(("value", "count"), [("3", 3), ("0", 1), ("-2", 1), ("two", 1)])
def test_the_process_count_override(
    value: str, count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HFTUI_TRAIN_PROCESSES: a whole number of at least 1; anything else means one process."""
    monkeypatch.setenv("HFTUI_TRAIN_PROCESSES", value)
    assert job._process_count() == count


def test_without_an_override_one_process_per_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    """No override: the visible GPU count, and at least one process on a CPU-only box."""
    import torch

    monkeypatch.delenv("HFTUI_TRAIN_PROCESSES", raising=False)
    assert job._process_count() == max(1, torch.cuda.device_count())


def test_rank_zero_is_the_main_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """RANK unset or 0 reports; other ranks do not."""
    monkeypatch.delenv("RANK", raising=False)
    assert job.is_main_process()
    monkeypatch.setenv("RANK", "1")
    assert not job.is_main_process()


def test_the_config_parameter_is_checked(tmp_path: Path) -> None:
    """A mapping becomes the full spec (defaults filled in); anything else is refused."""
    with pytest.raises(JobSpecError, match="'config' must be a mapping of training fields"):
        job.check_config("config", ["model", "m"])
    config = job.check_config("config", {"model": "m", "dataset": "d", "epochs": 1})
    assert config["epochs"] == 1.0 and config["batch_size"] == 16 and config["seed"] == 42


def test_the_run_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """output_dir (with ~ expanded) wins; otherwise runs/<job id> under HFTUI_HOME."""
    monkeypatch.setenv("HOME", str(tmp_path))
    ctx = _context(tmp_path)
    assert job.run_dir_for(ctx, _spec(output_dir="~/out")) == tmp_path / "out"
    assert job.run_dir_for(ctx, _spec()) == ctx.settings.home / "runs" / "job1"


def test_only_finite_numbers_reach_the_result() -> None:
    """Trainer metrics keep ints and floats as floats; bools, text and NaN are dropped."""
    values = {"a": 1, "b": 2.5, "c": True, "d": "x", "e": float("inf"), "f": None}
    assert job._numbers(values) == {"a": 1.0, "b": 2.5}
