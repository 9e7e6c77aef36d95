"""Every inference task end to end on a tiny random-init model (plus the real MiniLM): outputs
have the documented shapes; safety rules (pickle, remote code), OOM advice, streaming, chains."""

from __future__ import annotations

import json
import math
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from models import fixtures

from hf_ecosystem.demo.samples import write_sine_wav
from hf_ecosystem.demo.tiny_models import NER_LABELS, VQA_ANSWERS
from hf_ecosystem.inference import create_pipeline, run_chain
from hf_ecosystem.inference.chain import ChainStep
from hf_ecosystem.inference.errors import (
    BadInputError,
    InferenceError,
    InferenceOutOfMemoryError,
    PickleWeightsError,
)
from hf_ecosystem.inference.predictor import Predictor
from hf_ecosystem.inference.registry import TASKS, get_task

tiny_model = fixtures.tiny_model
sample_image = fixtures.sample_image
sine_wav = fixtures.sine_wav

LONG_CONTEXT = " ".join(
    f"In year {1800 + i} the engine team met in room {i} of the old mill near the river."
    for i in range(40)
)
IMAGE_TASKS = {t for t, s in TASKS.items() if s.input_kind.startswith("image")}
# Tasks whose scores are one softmax over the labels shown.
SOFTMAX = {"text-classification", "zero-shot-classification", "zero-shot-image-classification",
           "image-classification"}  # fmt: skip


def _inputs(task: str, image: Path | None, wav: Path) -> list[Any]:
    """Two real inputs of the task's kind."""
    kind = get_task(task).input_kind
    if kind == "text":
        if task == "fill-mask":
            return ["Paris is the [MASK] of France.", "A <mask> sat on the mat."]
        return ["Ada Lovelace wrote the first program in London.", "The house is small."]
    if kind == "text-pair":
        return [{"text": "A dog runs.", "text_pair": "A puppy is running."}, ("a", "b")]
    if kind == "question+context":
        return [
            {"question": "Where did Ada work?", "context": "Ada Lovelace worked in London."},
            {"question": "Which room?", "context": LONG_CONTEXT},
        ]
    if kind == "text+labels":
        return [
            {"text": "The match ended 2-1.", "labels": ["sport", "politics", "music"]},
            {"text": "Parliament voted today.", "candidate_labels": "politics, sport"},
        ]
    if kind == "audio":
        return [str(wav), {"array": [0.0] * 8000 + [0.1] * 8000, "sampling_rate": 8000}]
    assert image is not None
    if kind == "image":
        return [str(image), {"image": image}]
    if kind == "image+labels":
        return [{"image": str(image), "labels": ["a cat", "a dog", "a car"]}] * 2
    return [{"image": str(image), "text": "What colour is the car?"}] * 2


def _check_label_scores(task: str, out: Any, item: Any) -> None:
    assert isinstance(out, list) and out
    for row in out:
        assert isinstance(row["label"], str) and isinstance(row["score"], float)
        assert 0.0 <= row["score"] <= 1.0
    scores = [row["score"] for row in out]
    assert scores == sorted(scores, reverse=True)
    if task in SOFTMAX:
        assert math.isclose(sum(scores), 1.0, rel_tol=1e-4)
    if task in {"zero-shot-classification", "zero-shot-image-classification"}:
        labels = item.get("labels") or item["candidate_labels"]
        wanted = labels.split(", ") if isinstance(labels, str) else labels
        assert sorted(r["label"] for r in out) == sorted(wanted)
    if task == "text-classification":
        assert {r["label"] for r in out} == {"negative", "neutral", "positive"}
    if task == "fill-mask":
        assert len(out) == 5
        assert all("[MASK]" not in r["sequence"] and "<mask>" not in r["sequence"] for r in out)
    if task == "visual-question-answering":
        assert len(out) == 5 and {r["label"] for r in out} <= set(VQA_ANSWERS)


def _check(task: str, out: Any, item: Any) -> None:
    """The output has the documented shape for its kind, and the invariants that hold even
    for random weights."""
    kind = get_task(task).output_kind
    if kind == "label-scores":
        _check_label_scores(task, out, item)
    elif kind == "entities":
        assert isinstance(out, list)
        for ent in out:
            assert set(ent) == {"entity", "word", "start", "end", "score"}
            assert ent["entity"] in {label.split("-")[-1] for label in NER_LABELS[1:]}
            assert 0 <= ent["start"] < ent["end"] <= len(item)
            span = item[ent["start"] : ent["end"]].lower().replace(" ", "")
            assert ent["word"].lower().replace(" ", "").removeprefix("##") in span
    elif kind == "answer-span":
        assert set(out) == {"answer", "start", "end", "score"}
        assert 0 <= out["start"] <= out["end"] <= len(item["context"])
        assert item["context"][out["start"] : out["end"]] == out["answer"]
        assert 0.0 <= out["score"] <= 1.0
    elif kind == "embedding":
        assert isinstance(out, list) and len(out) == 32
        assert all(isinstance(v, float) for v in out)
    elif kind == "similarity":
        if isinstance(item, str):
            assert math.isclose(math.fsum(v * v for v in out), 1.0, rel_tol=1e-4)
        else:
            assert set(out) == {"score"} and -1.0 - 1e-6 <= out["score"] <= 1.0 + 1e-6
    else:  # generated-text, transcription, caption
        assert set(out) == {"text"} and isinstance(out["text"], str)
        if kind == "caption" and not (isinstance(item, dict) and "text" in item):
            assert out["text"].startswith("a photo of")  # BLIP continues its prompt


@pytest.mark.slow
@pytest.mark.parametrize("task", sorted(TASKS))
def test_task_runs_end_to_end(
    task: str,
    tiny_model: Callable[[str], Path],
    sine_wav: Path,
    request: pytest.FixtureRequest,
) -> None:
    image = request.getfixturevalue("sample_image") if task in IMAGE_TASKS else None
    predictor = create_pipeline(task, tiny_model(task))
    assert predictor.to_dict() == {
        "task": task, "model": str(tiny_model(task)), "device": "cpu", "dtype": "fp32",
    }  # fmt: skip
    items = _inputs(task, image, sine_wav)
    _check(task, predictor(items[0]), items[0])
    batch = predictor(items)
    assert isinstance(batch, list) and len(batch) == len(items)
    for item, out in zip(items, batch, strict=True):
        _check(task, out, item)
    json.dumps(batch)  # plain data all the way down


def test_pipeline_tasks_still_exist_in_transformers() -> None:
    from transformers.pipelines import SUPPORTED_TASKS

    for spec in TASKS.values():
        if spec.backend == "pipeline":
            assert spec.pipeline_task in SUPPORTED_TASKS, spec.name


# --- the real all-MiniLM-L6-v2 ------------------------------------------------------------------


@pytest.fixture(scope="module")
def minilm_similarity(minilm_path: Path) -> Predictor:
    return create_pipeline("sentence-similarity", minilm_path)


def test_minilm_ranks_a_paraphrase_above_an_unrelated_sentence(
    minilm_similarity: Predictor,
) -> None:
    anchor = "A man is playing a guitar on stage."
    close = minilm_similarity.similarity(anchor, "Someone performs music with a guitar.")
    far = minilm_similarity.similarity(anchor, "The central bank raised interest rates again.")
    assert close > far + 0.3
    assert minilm_similarity({"text": anchor, "text_pair": anchor})["score"] == pytest.approx(1.0)


def test_minilm_embedding_is_sentence_transformers_mean_pooling(
    minilm_path: Path, minilm_similarity: Predictor
) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    texts = ["A short sentence.", "Another, somewhat longer sentence about embeddings."]
    tokenizer = AutoTokenizer.from_pretrained(minilm_path)
    model = AutoModel.from_pretrained(minilm_path).eval()
    encoded = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**encoded).last_hidden_state
    mask = encoded["attention_mask"].unsqueeze(-1).float()
    expected = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
    got = torch.tensor(minilm_similarity(texts))
    assert got.shape == (2, 384)
    assert torch.allclose(got, expected, atol=1e-5)
    # Padding in a batch must not change an embedding.
    assert torch.allclose(torch.tensor(minilm_similarity(texts[0])), got[0], atol=1e-5)
    raw = create_pipeline("feature-extraction", minilm_path)(texts[0])
    assert len(raw) == 384 and abs(math.fsum(v * v for v in raw) - 1.0) > 1e-3  # not normalised


# --- text generation streaming, seq2seq prompts, QA windows -------------------------------------


def test_text_generation_streams_the_same_text_it_returns(
    tiny_model: Callable[[str], Path],
) -> None:
    predictor = create_pipeline("text-generation", tiny_model("text-generation"))
    pieces: list[str] = []
    result = predictor("Once upon a time", stream=pieces.append, max_new_tokens=6)
    assert pieces and result == {"text": "".join(pieces)}
    streamed = list(predictor.stream("Once upon a time", max_new_tokens=6))
    assert streamed and all(isinstance(p, str) for p in streamed)


def test_stream_stops_when_cancelled_or_closed(tiny_model: Callable[[str], Path]) -> None:
    predictor = create_pipeline("text-generation", tiny_model("text-generation"))
    cancel = threading.Event()
    cancel.set()
    # Generation stops after its first step, far short of max_new_tokens.
    assert len(list(predictor.stream("hello", max_new_tokens=60, cancel=cancel))) <= 2
    stream = predictor.stream("hello", max_new_tokens=60)
    next(stream)
    stream.close()  # joins the generating thread; must return promptly
    assert not [t for t in threading.enumerate() if t.name == "hf-generate"]


def test_stream_is_text_generation_only(tiny_model: Callable[[str], Path]) -> None:
    predictor = create_pipeline("summarization", tiny_model("summarization"))
    with pytest.raises(InferenceError, match="cannot stream"):
        list(predictor.stream("text"))
    with pytest.raises(InferenceError, match="no similarity"):
        predictor.similarity("a", "b")


def test_seq2seq_prefixes_and_target_language(tiny_model: Callable[[str], Path]) -> None:
    summarizer = create_pipeline("summarization", tiny_model("summarization"))
    translator = create_pipeline("translation", tiny_model("translation"))
    assert summarizer._runner._setup(None, None)[0] == "summarize: "  # type: ignore[attr-defined]
    setup = translator._runner._setup  # type: ignore[attr-defined]
    assert setup(None, None)[0] == "translate English to German: "
    assert setup("en", "fr")[0] == "translate English to French: "
    assert setup("en", "ro")[0] == "translate English to Romanian: "
    # A target code that is a vocabulary token becomes the forced first decoder token (mBART,
    # NLLB, M2M100 style); "the" stands in for "fr_XX" in this tiny vocabulary.
    _, settings = setup("en", "the")
    vocab = translator._runner.tokenizer.get_vocab()  # type: ignore[attr-defined]
    assert settings["forced_bos_token_id"] == vocab["the"]
    out = translator("The house is small.", tgt_lang="the", max_new_tokens=4)
    assert set(out) == {"text"}
    with pytest.raises(BadInputError):
        translator("x", tgt_lang=42)


def test_question_answering_finds_spans_in_every_window(tiny_model: Callable[[str], Path]) -> None:
    predictor = create_pipeline("question-answering", tiny_model("question-answering"))
    runner: Any = predictor._runner  # type: ignore[attr-defined]
    windows = runner._windows("Which room?", LONG_CONTEXT, runner.max_len, 32)
    assert windows["input_ids"].shape[0] > 5  # the 128-token model needs many windows
    out = predictor({"question": "Which room?", "context": LONG_CONTEXT}, doc_stride=32)
    assert LONG_CONTEXT[out["start"] : out["end"]] == out["answer"]
    with pytest.raises(BadInputError, match="too long"):
        predictor({"question": "why " * 200, "context": "short"})


# --- safety: pickle weights, remote code ---------------------------------------------------------


def _pickle_only_copy(src: Path, dest: Path) -> Path:
    import torch
    from safetensors.torch import load_file

    shutil.copytree(src, dest)
    weights = dest / "model.safetensors"
    torch.save(load_file(weights), dest / "pytorch_model.bin")
    weights.unlink()
    return dest


def test_pickle_only_models_are_refused_unless_allowed(
    tiny_model: Callable[[str], Path], tmp_path: Path
) -> None:
    folder = _pickle_only_copy(tiny_model("text-classification"), tmp_path / "pickled")
    with pytest.raises(PickleWeightsError) as info:
        create_pipeline("text-classification", folder)
    assert "pytorch_model.bin" in info.value.title and "allow_pickle" in info.value.hint
    predictor = create_pipeline("text-classification", folder, allow_pickle=True)
    reference = create_pipeline("text-classification", tiny_model("text-classification"))
    assert predictor("same weights") == reference("same weights")


def test_safetensors_win_when_both_are_present(
    tiny_model: Callable[[str], Path], tmp_path: Path
) -> None:
    folder = tmp_path / "both"
    shutil.copytree(tiny_model("text-classification"), folder)
    # A booby-trapped pickle beside the safetensors must never be opened.
    (folder / "pytorch_model.bin").write_bytes(b"not a pickle at all")
    assert create_pipeline("text-classification", folder)("fine")[0]["label"]


def test_remote_code_does_not_run_without_trust(
    tiny_model: Callable[[str], Path], tmp_path: Path
) -> None:
    folder = tmp_path / "custom"
    shutil.copytree(tiny_model("text-classification"), folder)
    marker = tmp_path / "remote-code-ran"
    config = json.loads((folder / "config.json").read_text())
    config["auto_map"] = {
        "AutoConfig": "custom_code.CustomConfig",
        "AutoModelForSequenceClassification": "custom_code.CustomModel",
    }
    config["model_type"] = "hftui-custom"
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "custom_code.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\n"
    )
    with pytest.raises(InferenceError) as info:
        create_pipeline("text-classification", folder)
    assert "own Python code" in info.value.title and "trust_remote_code=True" in info.value.hint
    assert not marker.exists()


# --- bad inputs and out-of-memory ----------------------------------------------------------------


def test_bad_inputs_get_clear_errors(tiny_model: Callable[[str], Path], tmp_path: Path) -> None:
    fill = create_pipeline("fill-mask", tiny_model("fill-mask"))
    with pytest.raises(BadInputError, match="exactly one mask"):
        fill("no mask here")
    qa = create_pipeline("question-answering", tiny_model("question-answering"))
    with pytest.raises(BadInputError, match="context"):
        qa({"question": "where?"})
    asr = create_pipeline(
        "automatic-speech-recognition", tiny_model("automatic-speech-recognition")
    )
    with pytest.raises(BadInputError, match="not found"):
        asr(str(tmp_path / "missing.wav"))
    with pytest.raises(InferenceError, match="Could not load"):
        create_pipeline("text-classification", tmp_path)
    assert fill([]) == []


class _FakeRunner:
    def __init__(self, error: BaseException | None) -> None:
        self.error = error

    def run(self, items: list[Any], **options: Any) -> list[Any]:
        if self.error is not None:
            raise self.error
        return [{"text": "ok"} for _ in items]


def test_out_of_memory_becomes_advice_or_a_cpu_retry() -> None:
    import torch

    oom = torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
    loads: list[tuple[str, Any]] = []

    def load(device: str, dtype: Any) -> _FakeRunner:
        loads.append((device, dtype))
        return _FakeRunner(None)

    spec = get_task("text-generation")
    plain = Predictor(spec, "m", _FakeRunner(oom), device="cuda", dtype="bf16", load=load)
    with pytest.raises(InferenceOutOfMemoryError) as info:
        plain("hi")
    assert "dtype" in info.value.hint and "batch" in info.value.hint and not loads
    retry = Predictor(
        spec, "m", _FakeRunner(oom), device="cuda", dtype="bf16", load=load, retry_on_cpu=True
    )
    assert retry(["hi", "there"]) == [{"text": "ok"}, {"text": "ok"}]
    assert loads == [("cpu", "fp32")] and (retry.device, retry.dtype) == ("cpu", "fp32")


def test_device_choices_on_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from hf_ecosystem.inference.device import get_device, get_device_map, get_dtype

    assert get_device() in {"cuda", "mps", "cpu"}
    assert get_dtype("cpu") == torch.float32
    assert get_device_map(10**15, "cpu") is None
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda index=None: (8, 0))
    assert get_dtype("cuda") == torch.bfloat16
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda index=None: (7, 5))
    assert get_dtype("cuda:0") == torch.float16
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda index=None: (8 * 2**30, 16 * 2**30))
    assert get_device_map(4 * 2**30, "cuda") is None
    assert get_device_map(12 * 2**30, "cuda") == "auto"


# --- chains ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_speech_to_summary_chain(tiny_model: Callable[[str], Path], tmp_path: Path) -> None:
    asr = create_pipeline(
        "automatic-speech-recognition", tiny_model("automatic-speech-recognition")
    )
    summarize = create_pipeline("summarization", tiny_model("summarization"))
    long_wav = write_sine_wav(tmp_path / "long.wav", seconds=35.0)  # over 30 s: chunked
    seen: list[Any] = []

    def spy(text: str) -> Any:
        seen.append(text)
        # random weights may transcribe a tone as nothing; the chain's plumbing is under test
        return summarize(text or "silence", max_new_tokens=4)

    transcript, summary = run_chain([asr, spy], str(long_wav))
    assert set(transcript) == {"text"} and set(summary) == {"text"}
    assert seen == [transcript["text"]]


def test_image_caption_translation_chain(
    tiny_model: Callable[[str], Path], sample_image: Path
) -> None:
    caption = create_pipeline("image-to-text", tiny_model("image-to-text"))
    translate = create_pipeline("translation", tiny_model("translation"))
    outputs = run_chain(
        [ChainStep(caption, {"max_new_tokens": 4}), ChainStep(translate, {"tgt_lang": "fr"})],
        str(sample_image),
    )
    assert len(outputs) == 2 and outputs[0]["text"].startswith("a photo of")
    assert set(outputs[1]) == {"text"}
    classify = create_pipeline("image-classification", tiny_model("image-classification"))
    # A top label can feed the next step too; an embedding cannot.
    assert len(run_chain([classify, translate], str(sample_image))) == 2
    embed = create_pipeline("feature-extraction", tiny_model("feature-extraction"))
    with pytest.raises(InferenceError, match="Cannot chain"):
        run_chain([embed, translate], "hello")
