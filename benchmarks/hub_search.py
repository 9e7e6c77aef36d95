"""Benchmark LocalHub: index build and refresh against scan_cache_dir, and search latency."""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import save

from hf_ecosystem.hub.local import LocalHub
from hf_ecosystem.hub.types import SearchFilters, Sort

P95_TARGET_MS = 20.0
ORGS = [f"org{i}" for i in range(40)] + ["google", "meta-llama", "mistralai", "Qwen", "openai"]
_VOCABULARY = (
    "bert gpt llama mistral qwen phi t5 bart roberta deberta vit clip whisper wav2vec sam "
    "tiny small base large xl mini instruct chat code math vision audio squad imdb wiki news "
    "reviews multilingual distilled quantized lora merged v1 v2 v3 7b 13b"
)
WORDS = _VOCABULARY.split()
MODEL_TASKS = [
    "text-generation",
    "text-classification",
    "fill-mask",
    "token-classification",
    "image-classification",
    "automatic-speech-recognition",
    "feature-extraction",
    "summarization",
]
DATASET_TASKS = ["text-classification", "question-answering", "summarization", "translation"]
LIBRARIES = ["transformers", "sentence-transformers", "timm", "diffusers", "peft", "gguf"]
LICENSES = ["apache-2.0", "mit", "cc-by-4.0", "llama2", "other", "openrail"]
LANGUAGES = ["en", "fr", "de", "es", "zh", "ja", "ar", "hi", "ru", "pt"]
TAGS = ["chat", "code", "math", "medical", "legal", "4-bit", "lora", "merge", "rlhf", "eval"]


def make_repos(n: int, seed: int) -> list[dict[str, Any]]:
    """Random repo specs: id, kind and card metadata."""
    rng = random.Random(seed)
    repos: list[dict[str, Any]] = []
    for i in range(n):
        kind = "model" if rng.random() < 0.7 else "dataset"
        name = "-".join(rng.sample(WORDS, rng.randint(1, 3))) + f"-{i}"
        meta: dict[str, Any] = {
            "license": rng.choice(LICENSES),
            "language": rng.sample(LANGUAGES, rng.randint(0, 3)),
            "tags": rng.sample(TAGS, rng.randint(0, 3)),
        }
        if kind == "model":
            meta["pipeline_tag"] = rng.choice(MODEL_TASKS)
            meta["library_name"] = rng.choice(LIBRARIES)
        else:
            meta["task_categories"] = [rng.choice(DATASET_TASKS)]
        repos.append({"id": f"{rng.choice(ORGS)}/{name}", "kind": kind, "meta": meta})
    return repos


def repo_files(repo: dict[str, Any], rng: random.Random) -> dict[str, bytes]:
    """The files of one repo: a card, a config, and small safetensors weights for models."""
    card = f"---\n{json.dumps(repo['meta'])}\n---\n\n# {repo['id']}\n\nBenchmark repo.\n"
    files = {"README.md": card.encode(), "config.json": json.dumps({"id": repo["id"]}).encode()}
    if repo["kind"] == "model":
        shapes = [(rng.randint(1, 64), rng.randint(1, 64)) for _ in range(rng.randint(1, 4))]
        files["model.safetensors"] = save(
            {f"w{i}": np.zeros(s, np.float16) for i, s in enumerate(shapes)}
        )
    else:
        files["data/train.csv"] = b"text,label\n" + b"row,1\n" * rng.randint(1, 100)
    return files


def write_folder_layout(root: Path, repos: list[dict[str, Any]]) -> None:
    """`<root>/models/<org>/<name>/...` like a clone of each repo."""
    rng = random.Random(1)
    for repo in repos:
        folder = root / f"{repo['kind']}s" / repo["id"]
        for rel, content in repo_files(repo, rng).items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)


def write_cache_layout(cache: Path, repos: list[dict[str, Any]]) -> None:
    """The huggingface_hub cache: blobs, refs/main and snapshots symlinking into blobs."""
    rng = random.Random(1)
    for repo in repos:
        base = cache / f"{repo['kind']}s--{repo['id'].replace('/', '--')}"
        commit = hashlib.sha1(repo["id"].encode()).hexdigest()
        (base / "blobs").mkdir(parents=True)
        (base / "refs").mkdir()
        (base / "refs" / "main").write_text(commit)
        for rel, content in repo_files(repo, rng).items():
            blob = base / "blobs" / hashlib.sha256(content).hexdigest()
            blob.write_bytes(content)
            link = base / "snapshots" / commit / rel
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(Path("../" * rel.count("/") + "../../blobs") / blob.name)


def timed(fn: Callable[[], Any], repeat: int = 1) -> float:
    """Median wall time of `fn` in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def search_mix(
    repos: list[dict[str, Any]], n: int, seed: int
) -> list[tuple[str, SearchFilters, Sort]]:
    """Varied searches: text of several lengths, each filter, combinations, every sort."""
    rng = random.Random(seed)
    out: list[tuple[str, SearchFilters, Sort]] = []
    for i in range(n):
        repo = rng.choice(repos)
        meta = repo["meta"]
        word = rng.choice(WORDS)
        query = rng.choice(
            [
                "",
                word[:1],
                word[:2],
                word[:3],
                word,
                repo["id"].split("/")[1][: rng.randint(4, 12)],
                f"{rng.choice(WORDS)} {rng.choice(WORDS)}",
                repo["id"].split("/")[0],
            ]
        )
        f: dict[str, Any] = {"query": query}
        choice = i % 8
        if choice == 1:
            f["task"] = meta.get("pipeline_tag") or meta["task_categories"][0]
        elif choice == 2:
            f["license"] = meta["license"]
        elif choice == 3:
            f["language"] = rng.choice(LANGUAGES)
        elif choice == 4:
            f["tags"] = (rng.choice(TAGS),)
        elif choice == 5:
            f["author"] = repo["id"].split("/")[0]
        elif choice == 6:
            f["library"] = rng.choice(LIBRARIES)
            f["tags"] = (rng.choice(LANGUAGES), f"license:{rng.choice(LICENSES)}")
        kind = "model" if rng.random() < 0.7 else "dataset"
        out.append((kind, SearchFilters(**f), rng.choice(list(Sort))))
    return out


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and print a compact table; exit 1 when the p95 target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repos", type=int, default=1000, help="repos for the build benchmark")
    parser.add_argument("--search-repos", type=int, default=10_000, help="repos for searches")
    parser.add_argument("--searches", type=int, default=500)
    args = parser.parse_args(argv)
    rows: list[tuple[str, str]] = []

    from huggingface_hub import scan_cache_dir

    from hf_ecosystem.hub.cards import parse_card_text

    parse_card_text("---\nlicense: mit\n---\n")  # import and warm huggingface_hub's card code once

    with tempfile.TemporaryDirectory(prefix="hftui-bench-") as tmp:
        tmp_path = Path(tmp)
        repos = make_repos(args.repos, seed=1)
        cache, folders = tmp_path / "cache", tmp_path / "folders"
        write_cache_layout(cache, repos)
        write_folder_layout(folders, repos)
        n = args.repos

        scan = timed(lambda: scan_cache_dir(cache), repeat=3)
        builds: list[LocalHub] = []

        def cold_cache() -> None:
            hub = LocalHub([], tmp_path / f"cache-{len(builds)}.sqlite", cache_dir=cache)
            builds.append(hub)
            assert hub.refresh().added == n

        cold = timed(cold_cache, repeat=3)
        hub = builds[-1]
        nochange = timed(lambda: hub.refresh(), repeat=5)
        assert hub.refresh().unchanged == n
        rows += [
            (f"scan_cache_dir, {n} cached repos", f"{scan * 1000:8.1f} ms"),
            (f"LocalHub cold build, {n} cached repos", f"{cold * 1000:8.1f} ms"),
            ("  ratio cold build / scan_cache_dir", f"{cold / scan:8.2f} x"),
            (f"LocalHub no-change refresh, {n} cached", f"{nochange * 1000:8.1f} ms"),
            ("  ratio no-change refresh / scan_cache_dir", f"{nochange / scan:8.3f} x"),
        ]

        folder_hubs: list[LocalHub] = []

        def cold_folders() -> None:
            fhub = LocalHub([folders], tmp_path / f"folders-{len(folder_hubs)}.sqlite")
            folder_hubs.append(fhub)
            assert fhub.refresh().added == n

        folder_cold = timed(cold_folders, repeat=3)
        folder_nochange = timed(lambda: folder_hubs[-1].refresh(), repeat=5)
        rows += [
            (f"LocalHub cold build, {n} folder repos", f"{folder_cold * 1000:8.1f} ms"),
            (f"LocalHub no-change refresh, {n} folders", f"{folder_nochange * 1000:8.1f} ms"),
        ]

        big = make_repos(args.search_repos, seed=2)
        big_root = tmp_path / "big"
        start = time.perf_counter()
        write_folder_layout(big_root, big)
        generate = time.perf_counter() - start
        big_hub = LocalHub([big_root], tmp_path / "big.sqlite")
        build = timed(lambda: big_hub.refresh())
        searches = search_mix(big, args.searches, seed=3)
        for kind, f, sort in searches[:20]:  # warm the page cache and statement cache
            (big_hub.search_models if kind == "model" else big_hub.search_datasets)(f, sort, 50)
        latencies: list[float] = []
        hits = 0
        for kind, f, sort in searches:
            search = big_hub.search_models if kind == "model" else big_hub.search_datasets
            start = time.perf_counter()
            found = search(f, sort, 50)
            latencies.append((time.perf_counter() - start) * 1000)
            hits += bool(found)
        latencies.sort()
        p50 = statistics.median(latencies)
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        verdict = "PASS" if p95 <= P95_TARGET_MS else "FAIL"
        rows += [
            (f"generate {len(big)} folder repos", f"{generate * 1000:8.1f} ms"),
            (f"LocalHub cold build, {len(big)} folder repos", f"{build * 1000:8.1f} ms"),
            ("searches (limit 50), non-empty results", f"{len(latencies):5d}, {hits}"),
            ("search p50", f"{p50:8.2f} ms"),
            ("search p95", f"{p95:8.2f} ms"),
            ("search max", f"{latencies[-1]:8.2f} ms"),
            (f"p95 target {P95_TARGET_MS:.0f} ms", verdict),
        ]
        for h in (*builds, *folder_hubs, big_hub):
            h.index.close()

    width = max(len(label) for label, _ in rows)
    print(f"{'LocalHub benchmark':<{width}}  value")
    print("-" * (width + 14))
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
