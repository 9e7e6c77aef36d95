"""Show-code snippets: valid Python whatever the values on screen, user values only ever as
literals, and light enough for the UI process to build."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hf_ecosystem.hub.types import SearchFilters, Sort
from hf_ecosystem.snippets import (
    CodeRequest,
    EvaluateCode,
    MemoryCode,
    ModelCode,
    PreviewCode,
    PublishCode,
    SearchCode,
    Snippet,
    StatsCode,
    TrainCode,
    TryCode,
    joined,
    snippet_for,
)
from hf_ecosystem.snippets.render import literal

HOSTILE = "x'\"\n'''\"\"\"); __import__('os').system('echo pwned') #\\"
INFERENCE_TASKS = (
    "text-classification",
    "token-classification",
    "question-answering",
    "fill-mask",
    "summarization",
    "translation",
    "text-generation",
    "feature-extraction",
    "sentence-similarity",
    "zero-shot-classification",
    "image-classification",
    "zero-shot-image-classification",
    "automatic-speech-recognition",
    "image-to-text",
    "visual-question-answering",
)


def every_request(v: str) -> list[CodeRequest]:
    """One request of each kind (and each task) with `v` in every free-text value."""
    train = {"model": v, "dataset": v, "text_column": v, "label_column": v, "output_dir": v,
             "dataset_config": v, "eval_split": v, "max_train_samples": 8}  # fmt: skip
    tries = [
        TryCode(
            v,
            task,
            {
                "text": v,
                "text_pair": v,
                "question": v,
                "context": v,
                "labels": [v, v],
                "image": v,
                "audio": v,
            },
        )
        for task in INFERENCE_TASKS
    ]
    evaluations = [
        EvaluateCode(
            {
                "task": task,
                "model": v,
                "dataset": v,
                "dataset_config": v,
                "split": v,
                "text_column": v,
                "label_column": v,
                "target_column": v,
                "max_samples": 3,
            }
        )
        for task in ("text-classification", "summarization", "translation", "causal-lm")
    ]
    filters = SearchFilters(query=v, task=v, library=v, language=v, license=v, author=v, tags=(v,))
    return [
        *(SearchCode(kind, filters, sort) for kind in ("model", "dataset") for sort in Sort),
        ModelCode(v, v),
        ModelCode(v),  # a task this machine cannot run: no pipeline
        *(
            MemoryCode(v, dtype, 2, 64, mode)
            for dtype in ("fp32", "int4")
            for mode in ("inference", "full", "lora")
        ),
        *tries,
        PreviewCode(v, v, v, 5),
        StatsCode(v, v, v),
        TrainCode(
            train,
            {
                **train,
                "task": "text-classification",
                "max_steps": 2,
                "seed": 1,
                "precision": "bf16",
            },
        ),
        TrainCode(train, {**train, "task": "token-classification"}),
        *evaluations,
        *(
            PublishCode(v, v, private, local, v, v)
            for private in (None, True)
            for local in (False, True)
        ),
    ]


def shape(code: str) -> str:
    """The code's syntax tree with every literal blanked: what the code does, not its data."""
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            node.value = None
    return ast.dump(tree)


def test_hostile_values_change_only_literals_never_the_code() -> None:
    for benign, hostile in zip(every_request("demo/x"), every_request(HOSTILE), strict=True):
        for variant in ("ecosystem", "plain"):
            calm, attacked = (getattr(snippet_for(r), variant) for r in (benign, hostile))
            assert shape(calm) == shape(attacked), (type(benign).__name__, variant)
            if attacked:
                constants = [
                    str(n.value)
                    for n in ast.walk(ast.parse(attacked))
                    if isinstance(n, ast.Constant)
                ]
                assert any(HOSTILE in c for c in constants)  # in data, whole
                assert "pwned" not in "".join(
                    line for line in attacked.splitlines() if line.lstrip().startswith("#")
                )


def test_every_variant_is_code_or_says_why_not() -> None:
    for request in every_request("demo/x"):
        snippet = snippet_for(request)
        assert snippet.ecosystem.strip() and snippet.title
        assert snippet.plain.strip() or snippet.note, type(request).__name__
        compile(snippet.ecosystem, "<ecosystem>", "exec")
        if snippet.plain:
            compile(snippet.plain, "<plain>", "exec")
        assert snippet.to_dict()["title"] == snippet.title


def test_search_snippet_mirrors_the_hub_query() -> None:
    request = SearchCode(
        "dataset",
        SearchFilters(query="news", task="text-classification", language="en", license="mit"),
        Sort.NAME,
    )
    snippet = snippet_for(request)
    assert "search_datasets(\n    'news',\n    task='text-classification'," in snippet.ecosystem
    plain = snippet.plain
    assert "filter=['task_categories:text-classification', 'language:en', 'license:mit']" in plain
    assert "sort=" not in plain and "sorted(results" in plain  # no server order by name
    model = snippet_for(SearchCode("model", SearchFilters(task="fill-mask"), Sort.TRENDING))
    assert "pipeline_tag='fill-mask'" in model.plain and "sort='trending_score'" in model.plain


def test_train_plain_variant_is_only_for_text_classification() -> None:
    snippet = snippet_for(TrainCode({"model": "m"}, {"model": "m", "task": "causal-lm"}))
    assert snippet.plain == "" and "text classification only" in snippet.note
    assert "create_trainer(config)" in snippet.ecosystem


def test_literal_refuses_what_is_not_plain_data() -> None:
    assert literal({"a": [1, 2.5, None, True]}) == "{'a': [1, 2.5, None, True]}"
    with pytest.raises(TypeError):
        literal(Path("x"))


def test_joined_puts_each_snippet_under_its_one_line_title() -> None:
    a = Snippet("first\nimport os", "a = 1\n", "")
    b = Snippet("second", "b = 2\n", "b = 3\n")
    both = joined([a, b], "ecosystem")
    assert both == "# first import os\na = 1\n\n\n# second\nb = 2\n"
    assert joined([a, b], "plain") == "b = 3\n"  # one snippet: no title line


def test_building_snippets_imports_no_heavy_library() -> None:
    """The UI process builds them: importing and calling them loads no ML library."""
    script = (
        "import sys, json\n"
        "from hf_tui.modals.show_code import ShowCodeModal\n"
        "from hf_ecosystem.snippets import snippet_for\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from test_snippets import every_request\n"
        "[snippet_for(r) for r in every_request('x')]\n"
        "heavy = ('torch', 'transformers', 'datasets', 'accelerate', 'evaluate', 'pandas')\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    loaded: list[Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == []
