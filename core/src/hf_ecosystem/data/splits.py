"""Stratified train/validation/test splits, class weights, and simple seeded text augmentation."""

from __future__ import annotations

import random
import warnings
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from hf_ecosystem.data.errors import DataError, DataWarning

if TYPE_CHECKING:
    from datasets import Dataset, DatasetDict

AugmentMethod = Literal["delete", "swap"]


@dataclass(frozen=True, slots=True)
class SplitIndices:
    """Row indices of each split, each sorted."""

    train: tuple[int, ...]
    validation: tuple[int, ...]
    test: tuple[int, ...]


def _check_labels(labels: Sequence[Any], column: str) -> None:
    for index, label in enumerate(labels):
        if label is None:
            raise DataError("missing label", row=index, column=column, hint="Fill or drop it.")
    kinds: set[type] = {type(label) for label in labels}
    if len(kinds) > 1 and not kinds <= {int, bool}:
        names = ", ".join(sorted(k.__name__ for k in kinds))
        raise DataError(f"mixed label types ({names})", column=column)


def stratified_indices(
    labels: Sequence[Hashable],
    *,
    validation_size: float = 0.1,
    test_size: float = 0.1,
    seed: int = 42,
    column: str = "label",
) -> SplitIndices:
    """Indices of a train/validation/test split that keeps each class's share in every split."""
    import numpy as np
    from sklearn.model_selection import train_test_split  # pyright: ignore[reportUnknownVariableType]

    if not (0 <= validation_size < 1 and 0 <= test_size < 1 and validation_size + test_size < 1):
        raise DataError(
            f"validation_size {validation_size} and test_size {test_size} leave no training rows",
            hint="Use fractions between 0 and 1 whose sum is below 1.",
        )
    _check_labels(labels, column)
    counts = Counter(labels)
    held = validation_size + test_size
    needed = 2 + (validation_size > 0 and test_size > 0)
    rare = [label for label, count in counts.items() if count < needed]
    if held and rare:
        raise DataError(
            f"class {rare[0]!r} has {counts[rare[0]]} example(s); a stratified split needs "
            f"{needed} per class",
            column=column,
            hint="Merge or drop the rarest classes, or split without stratifying.",
        )
    # scikit-learn's signature is partly untyped: it returns the list of split arrays.
    split = cast("Callable[..., list[Any]]", train_test_split)
    index = np.arange(len(labels))
    y = np.asarray(labels, dtype=object)
    # Whole row counts (not fractions) so 0.1 + 0.2 cannot round into an extra row.
    n_val, n_test = round(len(labels) * validation_size), round(len(labels) * test_size)
    empty = np.array([], dtype=int)
    if not n_val + n_test:
        return SplitIndices(tuple(int(i) for i in index), (), ())
    _check_room(len(counts), {"validation and test": n_val + n_test}, column)
    try:
        train, rest = split(index, test_size=n_val + n_test, stratify=y, random_state=seed)
        if n_val and n_test:
            held_out: Counter[Any] = Counter(labels[int(i)] for i in rest)
            _check_held_out(counts, held_out, column)
            _check_room(len(held_out), {"validation": n_val, "test": n_test}, column)
            val, test = split(rest, test_size=n_test, stratify=y[rest], random_state=seed)
        else:
            val, test = (rest, empty) if n_val else (empty, rest)
    except ValueError as exc:
        raise DataError(
            f"cannot stratify: {exc}",
            column=column,
            hint="Use larger split sizes, or fewer classes.",
        ) from exc
    return SplitIndices(*(tuple(sorted(int(i) for i in part)) for part in (train, val, test)))


def _check_room(classes: int, sizes: dict[str, int], column: str) -> None:
    """Each held-out split needs a row per class to keep every class's share."""
    for name, rows in sizes.items():
        if rows < classes:
            raise DataError(
                f"cannot stratify: {name} would hold {rows} row(s) for {classes} classes",
                column=column,
                hint="Use larger split sizes, or fewer classes.",
            )


def _check_held_out(total: Counter[Any], held: Counter[Any], column: str) -> None:
    """The held-out rows are split again into validation and test: two of each class at least.

    Checked before scikit-learn, whose refusal names neither the class nor its count.
    """
    rare = sorted((n, str(label), label) for label, n in held.items() if n < 2)
    if rare:
        _, _, label = rare[0]
        raise DataError(
            f"class {label!r} has {total[label]} example(s), of which {held[label]} would go to "
            "validation and test together; splitting those into both needs at least 2",
            column=column,
            hint="Merge or drop the rarest classes, use larger split sizes, or hold out only a "
            "validation or only a test split.",
        )


def stratified_split(
    dataset: Dataset,
    label_column: str = "label",
    *,
    validation_size: float = 0.1,
    test_size: float = 0.1,
    seed: int = 42,
) -> DatasetDict:
    """train/validation/test Datasets with each class in the same share (empty splits left out)."""
    from datasets import DatasetDict

    if label_column not in dataset.column_names:
        raise DataError(
            f"no column {label_column!r}",
            hint=f"Columns: {', '.join(dataset.column_names)}.",
        )
    parts = stratified_indices(
        list(cast("Iterable[Any]", dataset[label_column])),
        validation_size=validation_size,
        test_size=test_size,
        seed=seed,
        column=label_column,
    )
    named = {"train": parts.train, "validation": parts.validation, "test": parts.test}
    select = dataset.select  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    return DatasetDict({k: select(v) for k, v in named.items() if v})


def class_weights(labels: Sequence[Hashable]) -> dict[Hashable, float]:
    """n / (classes * count) per class, sklearn's "balanced" weights; rare classes weigh more."""
    counts = Counter(labels)
    if not counts:
        raise DataError("no labels to weigh")
    total, classes = sum(counts.values()), len(counts)
    return {label: total / (classes * count) for label, count in counts.items()}


def _augment_words(
    words: list[str], method: AugmentMethod, p: float, swaps: int, rng: random.Random
) -> list[str] | None:
    """The augmented words, or None when the method cannot apply to this text."""
    if len(words) < 2:
        return None
    if method == "delete":
        kept = [w for w in words if rng.random() >= p]
        return kept or [rng.choice(words)]
    out = list(words)
    for _ in range(swaps):
        i, j = rng.sample(range(len(out)), 2)
        out[i], out[j] = out[j], out[i]
    return out


def _check_augment(method: str, p: float, swaps: int) -> None:
    if method not in ("delete", "swap"):
        raise DataError(f"unknown augmentation {method!r}", hint="Use 'delete' or 'swap'.")
    if not 0 <= p <= 1:
        raise DataError(f"p must be between 0 and 1, not {p}")
    if swaps < 0:
        raise DataError(f"swaps must be 0 or more, not {swaps}")


def augment_texts(
    texts: Sequence[str],
    *,
    method: AugmentMethod = "delete",
    p: float = 0.1,
    swaps: int = 1,
    seed: int = 0,
) -> list[str]:
    """Random word deletion (each word with chance p) or `swaps` random swaps, seeded.

    Texts too short for the method (under two words) come back unchanged, with one DataWarning.
    """
    _check_augment(method, p, swaps)
    rng = random.Random(seed)
    out: list[str] = []
    skipped = 0
    for index, text in enumerate(texts):
        # Callers outside the type checker (a dataset column) can hold anything.
        if not isinstance(text, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise DataError(f"not text: {type(text).__name__}", row=index)
        words = _augment_words(text.split(), method, p, swaps, rng)
        if words is None:
            skipped += 1
            out.append(text)
        else:
            out.append(" ".join(words))
    if skipped:
        warnings.warn(
            f"{skipped} of {len(out)} texts are too short for {method!r} augmentation "
            "(under two words); left unchanged",
            DataWarning,
            stacklevel=2,
        )
    return out


def augment_text(
    text: str, *, method: AugmentMethod = "delete", p: float = 0.1, swaps: int = 1, seed: int = 0
) -> str:
    """One text augmented (see `augment_texts`); unchanged, with a DataWarning, when too short."""
    return augment_texts([text], method=method, p=p, swaps=swaps, seed=seed)[0]


def augment_dataset(
    dataset: Dataset,
    column: str = "text",
    *,
    method: AugmentMethod = "delete",
    copies: int = 1,
    p: float = 0.1,
    swaps: int = 1,
    seed: int = 0,
    num_proc: int | None = None,
) -> Dataset:
    """The dataset followed by `copies` augmented copies of it (other columns unchanged)."""
    from datasets import concatenate_datasets

    _check_augment(method, p, swaps)
    if column not in dataset.column_names:
        raise DataError(
            f"no column {column!r}", hint=f"Columns: {', '.join(dataset.column_names)}."
        )

    values = cast("Iterable[Any]", dataset[column])
    short = sum(1 for t in values if not isinstance(t, str) or len(t.split()) < 2)
    if short and copies:
        warnings.warn(
            f"{short} of {len(dataset)} texts are too short for {method!r} augmentation "
            "(under two words); their copies are unchanged",
            DataWarning,
            stacklevel=2,
        )

    def augment(batch: dict[str, list[Any]], indices: list[int], copy: int) -> dict[str, Any]:
        # Seeded by copy and first row, so results do not depend on num_proc.
        first = indices[0] if indices else 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            texts = augment_texts(
                batch[column], method=method, p=p, swaps=swaps, seed=hash((seed, copy, first))
            )
        return {column: texts}

    augmented = [
        dataset.map(  # pyright: ignore[reportUnknownMemberType]  (untyped fn_kwargs dict)
            augment,
            batched=True,
            with_indices=True,
            fn_kwargs={"copy": copy},
            num_proc=num_proc,
            desc=f"Augmenting ({method})",
        )
        for copy in range(copies)
    ]
    return concatenate_datasets([dataset, *augmented])
