"""What a human review says: answers counted, agreement between reviewers (Cohen's kappa), and
how the humans compare with the automatic metric of the same evaluation."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from hf_ecosystem.evaluation.human import Review, read_ratings


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float:
    """Cohen's kappa of two raters' answers to the same items (1: full agreement, 0: chance)."""
    if len(first) != len(second) or not first:
        raise ValueError("kappa needs two equally long, non-empty answer lists")
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    left, right = Counter(first), Counter(second)
    expected = sum(left[k] * right[k] for k in left) / (n * n)
    if expected == 1.0:  # both raters gave one and the same answer throughout
        return 1.0
    return (observed - expected) / (1 - expected)


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):  # ties share their mean rank
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's rank correlation; None when either side has no spread."""
    rx, ry = _ranks(xs), _ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sx = math.sqrt(sum((a - mx) ** 2 for a in rx))
    sy = math.sqrt(sum((b - my) ** 2 for b in ry))
    return None if sx == 0 or sy == 0 else cov / (sx * sy)


@dataclass(frozen=True, slots=True)
class Agreement:
    """Kappa for one pair of reviewers over the items both answered."""

    first: str
    second: str
    items: int
    kappa: float


@dataclass(frozen=True, slots=True)
class HumanSummary:
    """A review's answers: counts, means, wins, agreement and the human-vs-metric comparison."""

    review: str
    kind: str
    items: int
    answered: int
    counts: dict[str, int]
    mean_rating: float | None
    wins: dict[str, int]
    agreements: tuple[Agreement, ...]
    comparison: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for --json and the job files."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HumanSummary:
        """Read back what to_dict wrote."""
        mean = data.get("mean_rating")
        return cls(
            review=str(data["review"]),
            kind=str(data["kind"]),
            items=int(data["items"]),
            answered=int(data["answered"]),
            counts={str(k): int(v) for k, v in data.get("counts", {}).items()},
            mean_rating=None if mean is None else float(mean),
            wins={str(k): int(v) for k, v in data.get("wins", {}).items()},
            agreements=tuple(Agreement(**a) for a in data.get("agreements", ())),
            comparison=tuple(str(line) for line in data.get("comparison", ())),
        )


def agreements(folder: Path) -> tuple[Agreement, ...]:
    """Pairwise kappa between every two reviewers of a review folder (latest answers)."""
    answers: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.jsonl")):
        latest = {r.item_id: r.answer for r in read_ratings(path)}
        if latest:
            answers[path.stem] = latest
    found: list[Agreement] = []
    for a, b in combinations(sorted(answers), 2):
        common = sorted(set(answers[a]) & set(answers[b]))
        if common:
            kappa = cohen_kappa([answers[a][i] for i in common], [answers[b][i] for i in common])
            found.append(Agreement(a, b, len(common), round(kappa, 4)))
    return tuple(found)


def _evaluation_json(review: Review) -> dict[str, Any]:
    path = review.folder.parent.parent / "evaluation.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}  # pyright: ignore[reportUnknownVariableType]


def _label_comparison(review: Review) -> list[str]:
    acceptable = sum(r.answer == "y" for r in review.ratings.values())
    lines = [f"{acceptable} of {len(review.ratings)} reviewed errors are acceptable answers"]
    evaluation = _evaluation_json(review)
    samples, accuracy = evaluation.get("samples"), evaluation.get("metrics", {}).get("accuracy")
    if isinstance(samples, int) and samples and isinstance(accuracy, (int, float)):
        adjusted = min(1.0, float(accuracy) + acceptable / samples)
        lines.append(f"accuracy {accuracy:.3f} by the labels, {adjusted:.3f} by the reviewers")
    return lines


def _rating_comparison(review: Review) -> list[str]:
    rated = [
        (float(r.answer), item)
        for item in review.items
        if (r := review.ratings.get(item.item_id)) and item.reference is not None
    ]
    if len(rated) < 3:
        return ["rate at least 3 items with references to compare with chrF"]
    import sacrebleu  # per-sentence chrF: the metric the evaluation reports, item by item

    scores = [
        float(sacrebleu.sentence_chrf(item.outputs[0], [item.reference or ""]).score)  # pyright: ignore[reportUnknownMemberType]
        for _, item in rated
    ]
    rho = spearman([r for r, _ in rated], scores)
    if rho is None:
        return [f"{len(rated)} items rated; no spread to correlate with chrF yet"]
    return [f"Spearman {rho:+.2f} between ratings and sentence chrF over {len(rated)} items"]


def summarize(review: Review) -> HumanSummary:
    """Count this reviewer's answers, and compare with the other reviewers and the metric."""
    answers = [r.answer for r in review.ratings.values()]
    counts = dict(sorted(Counter(answers).items()))
    mean = sum(map(float, answers)) / len(answers) if answers and review.kind == "rating" else None
    wins = dict(Counter(r.chosen for r in review.ratings.values() if r.chosen))
    comparison: list[str] = []
    if review.ratings and review.kind == "label":
        comparison = _label_comparison(review)
    elif review.ratings and review.kind == "rating":
        comparison = _rating_comparison(review)
    return HumanSummary(
        review.name, review.kind, len(review.items), len(review.ratings), counts,
        None if mean is None else round(mean, 3), wins, agreements(review.folder),
        tuple(comparison),
    )  # fmt: skip
