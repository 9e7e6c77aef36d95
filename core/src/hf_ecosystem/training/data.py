"""Training data: load the dataset a TrainSpec names, pick or split off evaluation, encode labels,
tokenize for the task. Runs in job processes (imports datasets/transformers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hf_ecosystem.data.errors import DataError
from hf_ecosystem.training.spec import TrainSpec


@dataclass
class PreparedData:
    """Tokenized train/eval sets and what the model head needs to know."""

    train: Any  # datasets.Dataset
    eval: Any | None
    labels: list[str] = field(default_factory=list[str])  # class names (classification tasks)
    train_label_ids: list[int] = field(default_factory=list[int])  # for class weights
    eval_source: str = ""  # where the evaluation set came from, for the log

    @property
    def num_labels(self) -> int:
        """How many classes the head predicts."""
        return len(self.labels)


def _require(dataset: Any, column: str | None, what: str, where: str) -> str:
    if not column or column not in dataset.column_names:
        raise DataError(
            f"no {what} column {column!r} in {where}",
            column=column,
            hint=f"Columns: {', '.join(dataset.column_names)}. Set `{what}_column` in the config.",
        )
    return column


def load_splits(spec: TrainSpec) -> tuple[Any, Any | None, str]:
    """(train, eval or None, where eval came from) as `datasets.Dataset`s, capped as asked."""
    from datasets import Dataset, DatasetDict

    from hf_ecosystem.data.load import load_data

    loaded = load_data(spec.dataset, config=spec.dataset_config)
    if isinstance(loaded, Dataset):
        loaded = DatasetDict({"train": loaded})
    if not isinstance(loaded, DatasetDict):
        raise DataError(f"{spec.dataset} loaded as a stream; training needs a map-style dataset")
    if spec.train_split not in loaded:
        raise DataError(
            f"no split {spec.train_split!r} in {spec.dataset}",
            hint=f"Splits: {', '.join(map(str, loaded))}. Set `train_split` in the config.",
        )
    train = loaded[spec.train_split]
    if spec.eval_split is not None:
        if spec.eval_split not in loaded:
            raise DataError(
                f"no split {spec.eval_split!r} in {spec.dataset}",
                hint=f"Splits: {', '.join(map(str, loaded))}.",
            )
        evaluation, source = loaded[spec.eval_split], f"split {spec.eval_split!r}"
    elif "validation" in loaded and spec.train_split != "validation":
        evaluation, source = loaded["validation"], "split 'validation'"
    elif spec.eval_strategy == "no" and spec.early_stopping_patience is None:
        evaluation, source = None, "none"
    else:
        train, evaluation = _split_off(train, spec)
        source = f"{spec.validation_split:.0%} of {spec.train_split!r} (seed {spec.seed})"
    train = _cap(train, spec.max_train_samples, spec.seed)
    if evaluation is not None:
        evaluation = _cap(evaluation, spec.max_eval_samples, spec.seed)
    return train, evaluation, source


def _cap(dataset: Any, limit: int | None, seed: int) -> Any:
    if limit is None or len(dataset) <= limit:
        return dataset
    return dataset.shuffle(seed=seed).select(range(limit))


def _split_off(train: Any, spec: TrainSpec) -> tuple[Any, Any]:
    """Hold out `validation_split` of train, stratified by label for single-label tasks."""
    if spec.task == "text-classification" and spec.label_column in train.column_names:
        from hf_ecosystem.data.splits import stratified_indices

        labels = [str(v) for v in train[spec.label_column]]
        try:
            parts = stratified_indices(
                labels, validation_size=spec.validation_split, test_size=0.0, seed=spec.seed
            )
            return train.select(parts.train), train.select(parts.validation)
        except DataError:
            pass  # a class too rare to stratify: fall back to a plain random split
    if len(train) < 2:
        raise DataError(f"{spec.dataset} has {len(train)} training rows: too few to split")
    parts = train.train_test_split(test_size=spec.validation_split, seed=spec.seed)
    return parts["train"], parts["test"]


def prepare(spec: TrainSpec, tokenizer: Any) -> PreparedData:
    """Load and tokenize for the spec's task."""
    train, evaluation, source = load_splits(spec)
    where = spec.dataset
    text = _require(train, spec.text_column, "text", where)
    if spec.task == "text-classification":
        data = _single_label(spec, tokenizer, train, evaluation, text)
    elif spec.task == "multi-label-classification":
        data = _multi_label(spec, tokenizer, train, evaluation, text)
    elif spec.task == "token-classification":
        data = _token_labels(spec, tokenizer, train, evaluation, text)
    elif spec.task == "causal-lm":
        data = _causal(spec, tokenizer, train, evaluation, text)
    else:
        data = _seq2seq(spec, tokenizer, train, evaluation, text)
    data.eval_source = source
    return data


def _names_of(feature: Any) -> list[str] | None:
    names = getattr(feature, "names", None)
    return list(names) if names else None


def _tokenize(spec: TrainSpec, tokenizer: Any, batch: dict[str, list[Any]]) -> Any:
    texts = [str(t) if t is not None else "" for t in batch[spec.text_column]]
    if spec.text_pair_column:
        pairs = [str(t) if t is not None else "" for t in batch[spec.text_pair_column]]
        return tokenizer(texts, pairs, truncation=True, max_length=spec.max_length)
    return tokenizer(texts, truncation=True, max_length=spec.max_length)


def _class_names(values: Sequence[Any]) -> list[str]:
    unique = set(values)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in unique):
        return [str(v) for v in sorted(unique)]
    return sorted(str(v) for v in unique)


def _single_label(
    spec: TrainSpec, tokenizer: Any, train: Any, evaluation: Any, text: str
) -> PreparedData:
    label = _require(train, spec.label_column, "label", spec.dataset)
    names = _names_of(train.features[label])
    is_class_label = names is not None
    if names is None:
        values = list(train[label]) + (list(evaluation[label]) if evaluation is not None else [])
        names = _class_names([v for v in values if v is not None])
    index = {name: i for i, name in enumerate(names)}

    def encode(batch: dict[str, list[Any]], rows: list[int]) -> Any:
        out = _tokenize(spec, tokenizer, batch)
        ids: list[int] = []
        for offset, value in enumerate(batch[label]):
            key = names[value] if is_class_label and isinstance(value, int) else str(value)
            if value is None or key not in index:
                raise DataError(
                    f"label {value!r} is not one of the {len(names)} classes",
                    row=rows[offset],
                    column=label,
                )
            ids.append(index[key])
        out["labels"] = ids
        return out

    if evaluation is not None:
        _require(evaluation, label, "label", f"{spec.dataset} (evaluation)")
    train_enc, eval_enc = _encode(train, evaluation, encode)
    return PreparedData(train_enc, eval_enc, names, list(train_enc["labels"]))


def _encode(
    train: Any, evaluation: Any | None, encode: Any, *, indexed: bool = True
) -> tuple[Any, Any | None]:
    """Both splits through `encode` (batched; with `indexed`, it also gets each batch's row
    indices, for errors naming the row), their raw columns replaced by the encoded ones."""
    options: dict[str, Any] = {"batched": True, "batch_size": 1000, "with_indices": indexed}

    def run(dataset: Any) -> Any:
        return dataset.map(encode, remove_columns=dataset.column_names, **options)

    return run(train), run(evaluation) if evaluation is not None else None


def _multi_label(
    spec: TrainSpec, tokenizer: Any, train: Any, evaluation: Any, text: str
) -> PreparedData:
    label = _require(train, spec.label_column, "label", spec.dataset)
    feature = train.features[label]
    inner = getattr(feature, "feature", None)
    names = _names_of(inner)
    class_label = names is not None  # ids index `names`; plain ints are class names themselves
    if names is None:
        rows = list(train[label]) + (list(evaluation[label]) if evaluation is not None else [])
        names = _class_names([v for row in rows for v in (row or ())])
    index = {name: i for i, name in enumerate(names)}

    def encode(batch: dict[str, list[Any]], rows: list[int]) -> Any:
        out = _tokenize(spec, tokenizer, batch)
        hot: list[list[float]] = []
        for offset, row in enumerate(batch[label]):
            if not isinstance(row, list):
                raise DataError(
                    "a multi-label row needs a list of labels",
                    row=rows[offset],
                    column=label,
                )
            vector = [0.0] * len(names)
            for value in row:  # pyright: ignore[reportUnknownVariableType]
                key = names[value] if class_label and isinstance(value, int) else str(value)  # pyright: ignore[reportUnknownArgumentType]
                if key not in index:
                    raise DataError(f"unknown label {value!r}", row=rows[offset], column=label)
                vector[index[key]] = 1.0
            hot.append(vector)
        out["labels"] = hot
        return out

    train_enc, eval_enc = _encode(train, evaluation, encode)
    return PreparedData(train_enc, eval_enc, names)


def _token_labels(
    spec: TrainSpec, tokenizer: Any, train: Any, evaluation: Any, text: str
) -> PreparedData:
    label = _require(train, spec.label_column, "label", spec.dataset)
    names = _names_of(getattr(train.features[label], "feature", None))
    class_label = names is not None
    if names is None:
        rows = list(train[label]) + (list(evaluation[label]) if evaluation is not None else [])
        names = _class_names([v for row in rows for v in row])
    index = {name: i for i, name in enumerate(names)}

    def encode(batch: dict[str, list[Any]], rows: list[int]) -> Any:
        words = batch[text]
        out = tokenizer(
            words, truncation=True, max_length=spec.max_length, is_split_into_words=True
        )
        all_labels: list[list[int]] = []
        for i, tags in enumerate(batch[label]):
            if len(tags) != len(words[i]):
                raise DataError(
                    f"{len(words[i])} tokens but {len(tags)} tags", row=rows[i], column=label
                )
            ids = [t if class_label else index.get(str(t), -1) for t in tags]
            if -1 in ids:
                raise DataError("unknown tag", row=rows[i], column=label)
            previous = None
            aligned: list[int] = []
            for word in out.word_ids(batch_index=i):
                aligned.append(-100 if word is None or word == previous else ids[word])
                previous = word
            all_labels.append(aligned)
        out["labels"] = all_labels
        return out

    train_enc, eval_enc = _encode(train, evaluation, encode)
    ids = [t for row in train_enc["labels"] for t in row if t != -100]
    return PreparedData(train_enc, eval_enc, names, ids)


def _causal(
    spec: TrainSpec, tokenizer: Any, train: Any, evaluation: Any, text: str
) -> PreparedData:
    def encode(batch: dict[str, list[Any]]) -> Any:
        return _tokenize(spec, tokenizer, batch)

    return PreparedData(*_encode(train, evaluation, encode, indexed=False))


def _seq2seq(
    spec: TrainSpec, tokenizer: Any, train: Any, evaluation: Any, text: str
) -> PreparedData:
    target = _require(train, spec.target_column, "target", spec.dataset)

    def encode(batch: dict[str, list[Any]]) -> Any:
        sources = [str(t) if t is not None else "" for t in batch[text]]
        targets = [str(t) if t is not None else "" for t in batch[target]]
        return tokenizer(sources, text_target=targets, truncation=True, max_length=spec.max_length)

    return PreparedData(*_encode(train, evaluation, encode, indexed=False))
