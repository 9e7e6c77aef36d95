"""The app shell: header (backend · user · device), failures as notifications, snapshots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fakehub import FakeHub
from helpers import add_local_repo, columns_fit, cpu_only_snapshot, table_ids, wait_until
from hf_tui.app import HfTuiApp
from hf_tui.messages import BackendSelected

CARD = """---
license: apache-2.0
pipeline_tag: text-classification
library_name: transformers
language: en
base_model: google-bert/bert-base-uncased
datasets:
- imdb
tags:
- sentiment
model-index:
- name: reviews-bert
  results:
  - task: {type: text-classification, name: Text Classification}
    dataset: {name: IMDB, type: imdb, split: test}
    metrics:
    - {type: accuracy, value: 0.931, name: Accuracy}
---

# reviews-bert

A BERT fine-tuned on movie reviews.

| label | meaning |
|---|---|
| 0 | negative |
| 1 | positive |

```python
from transformers import pipeline
pipeline("text-classification", model="team/reviews-bert")
```
"""


@pytest.fixture
def local_hub(isolated_env: Path) -> Path:
    root = isolated_env / "hftui_home" / "hub"
    config = {
        "model_type": "bert", "hidden_size": 768, "num_hidden_layers": 12,
        "num_attention_heads": 12, "intermediate_size": 3072, "vocab_size": 30522,
        "max_position_embeddings": 512, "type_vocab_size": 2,
    }  # fmt: skip
    files = {"config.json": json.dumps(config).encode(), "model.bin": b"x" * 2048}
    add_local_repo(root, "team/reviews-bert", CARD, files)
    add_local_repo(
        root, "team/notes-t5", "---\nlicense: mit\npipeline_tag: summarization\n---\n# t5\n"
    )
    add_local_repo(root, "team/reviews", "---\nlicense: cc-by-4.0\n---\n# data\n", kind="datasets")
    return root


async def test_offline_header_and_backend_message(local_hub: Path) -> None:
    messages: list[object] = []
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    async with app.run_test(message_hook=messages.append) as pilot:
        await wait_until(pilot, lambda: "CPU only" in app.sub_title and "logged" in app.sub_title)
        assert app.sub_title == "offline · local hub · 3 repos · not logged in · CPU only"
        assert any(isinstance(m, BackendSelected) for m in messages)
        await pilot.press("q")
    assert app.return_code in (0, None)


async def test_online_header_shows_endpoint_and_user(fake_hub: FakeHub, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fake_hub.add_token("hf_HeaderTokenAlice123456", user="alice")
    monkeypatch.setenv("HF_TOKEN", "hf_HeaderTokenAlice123456")
    app = HfTuiApp(sampler=cpu_only_snapshot)
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: "@alice" in app.sub_title)
        assert app.sub_title.startswith(f"Hub · {fake_hub.url}")
        assert "hf_HeaderTokenAlice123456" not in app.sub_title


async def test_backend_failure_is_a_notification_not_a_crash(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from hf_ecosystem.errors import NetworkError
    from hf_tui import app as app_module

    def broken(*args: object, **kwargs: object) -> object:
        raise NetworkError("Cannot reach the Hub: boom")

    monkeypatch.setattr(app_module, "select_backend", broken)
    app = HfTuiApp(sampler=cpu_only_snapshot)
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: "backend unavailable" in app.sub_title)
        assert any("boom" in n.title for n in app._notifications)  # type: ignore[attr-defined]
        assert app.is_running


def test_snapshot_models_offline(snap_compare, local_hub: Path) -> None:  # type: ignore[no-untyped-def]
    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_until(
            pilot, lambda: len(table_ids(pilot)) == 2 and "logged in · CPU" in pilot.app.sub_title
        )
        # A late backend choice (the index refresh) can refill the table; the columns are sized
        # when idle after each fill: wait until they stay sized for a while.
        for _ in range(4):
            await pilot.app.workers.wait_for_complete()
            await wait_until(pilot, lambda: columns_fit(pilot))
            await pilot.pause(0.15)
        await wait_until(pilot, lambda: columns_fit(pilot))
        await pilot.pause()

    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    assert snap_compare(app, run_before=ready, terminal_size=(130, 32))


def test_snapshot_detail_offline(snap_compare, local_hub: Path) -> None:  # type: ignore[no-untyped-def]
    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_until(
            pilot, lambda: len(table_ids(pilot)) == 2 and "logged in · CPU" in pilot.app.sub_title
        )
        pilot.app.open_detail("team/reviews-bert", "model")
        await wait_until(pilot, lambda: getattr(pilot.app.screen, "parsed", None) is not None)
        panel = pilot.app.screen.query_one("#memory")
        await wait_until(pilot, lambda: panel.state in ("ready", "error"))
        assert panel.state == "ready", str(panel.query("*").first().render())
        await pilot.pause()

    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    assert snap_compare(app, run_before=ready, terminal_size=(140, 60))
