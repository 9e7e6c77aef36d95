"""Models and Datasets screens: search as you type, filters, sorts, paging, states, detail."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Markdown, Select

from fakehub import FakeHub, FakeRepo
from fakehub.catalog import populate
from helpers import add_local_repo, cpu_only_snapshot, table_ids, text_of, wait_until
from hf_ecosystem.config import load_settings
from hf_tui.app import HfTuiApp
from hf_tui.modals.help import HelpScreen
from hf_tui.screens.hub.datasets import DatasetsScreen
from hf_tui.screens.hub.detail import DetailScreen
from hf_tui.screens.hub.models import ModelsScreen
from hf_tui.screens.jobs import JobsScreen
from hf_tui.widgets.license_panel import LicensePanel


def make_app(**kwargs: object) -> HfTuiApp:
    return HfTuiApp(sampler=cpu_only_snapshot, **kwargs)  # type: ignore[arg-type]


def searches(fake_hub: FakeHub) -> list[str]:
    return [r[1] for r in fake_hub.requests if r[1].startswith("/api/models?")]


async def test_first_results_then_type_to_search(fake_hub: FakeHub) -> None:
    populate(fake_hub)
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: len(table_ids(pilot)) == 30)
        assert "30 models" in text_of(pilot, "#status")
        # the header's parts arrive from separate workers, in any order
        await wait_until(pilot, lambda: "not logged in" in app.sub_title)
        await wait_until(pilot, lambda: "CPU only" in app.sub_title)
        assert "Hub · http://127.0.0.1" in app.sub_title
        fake_hub.requests.clear()
        await pilot.press("slash", *"bert")
        await wait_until(pilot, lambda: len(table_ids(pilot)) == 6)
        assert all("bert" in repo_id for repo_id in table_ids(pilot))
        sent = searches(fake_hub)
        assert len(sent) == 1 and "search=bert" in sent[0]  # debounced: b, be, ber never sent


async def test_filters_and_sort(fake_hub: FakeHub) -> None:
    populate(fake_hub)
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: len(table_ids(pilot)) == 30)
        app.screen.query_one("#filter-author", Input).value = "gamma"
        app.screen.query_one("#filter-license", Input).value = "cc-by-nc-4.0"
        await wait_until(pilot, lambda: len(table_ids(pilot)) == 10)
        assert all(i.startswith("gamma/") for i in table_ids(pilot))
        app.screen.query_one("#sort", Select).value = "name"
        await wait_until(pilot, lambda: table_ids(pilot) == sorted(table_ids(pilot)))
        app.screen.query_one("#filter-author", Input).value = "nobody"
        await wait_until(pilot, lambda: not table_ids(pilot))
        assert "No models match these filters" in text_of(pilot, "#status")


async def test_more_rows_load_on_scroll(fake_hub: FakeHub) -> None:
    populate(fake_hub, n_models=120, n_datasets=0)
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: len(table_ids(pilot)) == 50)
        assert "scroll for more" in text_of(pilot, "#status")
        app.screen.query_one("#results").focus()
        await pilot.press("ctrl+end")
        await wait_until(pilot, lambda: len(table_ids(pilot)) == 100)
        table = app.screen.query_one("#results")
        table.scroll_end(animate=False)  # what the mouse wheel does: scrolling, not the cursor
        await wait_until(pilot, lambda: len(table_ids(pilot)) == 120)
        assert len(set(table_ids(pilot))) == 120
        await pilot.press("j", "k")


async def test_server_error_and_timeout_are_shown(fake_hub: FakeHub) -> None:
    populate(fake_hub, 3, 0)
    fake_hub.fail("/api/models", 500)
    app = make_app(settings=load_settings(timeout=0.5))
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: "server error" in text_of(pilot, "#status"))
        fake_hub.delay("/api/models", 2.0, times=5)  # the HTTP client may retry once
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: "did not answer in time" in text_of(pilot, "#status"))
        assert app.is_running
        fake_hub.reset()
        populate(fake_hub, 3, 0)
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: len(table_ids(pilot)) == 3)


async def test_offline_local_hub_and_empty_state(isolated_env: Path) -> None:
    hub_root = isolated_env / "hftui_home" / "hub"
    add_local_repo(
        hub_root,
        "team/reviews-bert",
        "---\nlicense: mit\npipeline_tag: text-classification\n---\n# R\n",
    )
    app = make_app(offline=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: table_ids(pilot) == ["team/reviews-bert"])
        assert "offline: local hub (--offline)" in text_of(pilot, "#status")
        assert app.sub_title.startswith("offline · local hub · 1 repos")
        await pilot.press("2")
        assert isinstance(app.screen, DatasetsScreen)
        await wait_until(pilot, lambda: "No datasets here yet" in text_of(pilot, "#status"))


async def test_enter_opens_detail_with_card_license_and_files(fake_hub: FakeHub) -> None:
    card = (
        "---\nlicense: cc-by-nc-4.0\npipeline_tag: text-classification\nbase_model: acme/base\n"
        "model-index:\n- name: clf\n  results:\n  - task: {type: text-classification}\n"
        "    dataset: {name: IMDB, type: imdb}\n    metrics:\n    - {type: accuracy, value: 0.91}\n"
        "---\n# Classifier\n\nSome **text**.\n"
    )
    fake_hub.add(FakeRepo("acme/clf", files={"README.md": card.encode(), "config.json": b"{}"},
                          pipeline_tag="text-classification", license="cc-by-nc-4.0"))  # fmt: skip
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: table_ids(pilot) == ["acme/clf"])
        app.screen.query_one("#results").focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        await wait_until(pilot, lambda: screen.parsed is not None)
        markdown = screen.query_one("#card", Markdown)
        assert "# Classifier" in markdown.source and "license:" not in markdown.source
        license_text = str(screen.query_one(LicensePanel).render())
        assert "commercial use" in license_text and "forbids" in license_text
        assert table_ids(pilot, "#files") == ["README.md", "config.json"]
        assert table_ids(pilot, "#eval-results") and "acme/base" in text_of(pilot, "#meta")
        assert not screen.query_one("#action-download").disabled  # remote: can be fetched
        assert not screen.query_one("#action-fine-tune").disabled  # opens the training form
        await pilot.press("escape")
        assert isinstance(app.screen, ModelsScreen)


async def open_the_only_card(pilot, repo_id: str) -> None:  # type: ignore[no-untyped-def]
    """Wait for `repo_id` to be the one result, then open its card from the list."""
    await wait_until(pilot, lambda: table_ids(pilot) == [repo_id])
    pilot.app.screen.query_one("#results").focus()
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, DetailScreen))


async def test_a_download_from_the_card_is_watched_like_a_seed(fake_hub: FakeHub) -> None:
    """The card's Download is a hub-changing job: the app follows it, so the lists and the card's
    "already local" state update when it ends (it was launched and forgotten)."""
    fake_hub.add(FakeRepo("acme/dl", files={"config.json": b"{}"}))
    app = make_app()
    async with app.run_test(size=(160, 60)) as pilot:
        await open_the_only_card(pilot, "acme/dl")
        await pilot.click("#action-download")
        await wait_until(pilot, lambda: bool(app.hub_jobs.watched))
        (job_id,) = app.hub_jobs.watched
        assert app.job_manager().get(job_id).kind == "download"


@pytest.mark.slow
async def test_a_finished_download_turns_the_cards_button_into_already_local(
    fake_hub: FakeHub,
) -> None:
    fake_hub.add(FakeRepo("acme/dl", files={"config.json": b"{}"}))
    app = make_app()
    async with app.run_test(size=(160, 60)) as pilot:
        await open_the_only_card(pilot, "acme/dl")
        button = app.screen.query_one("#action-download")
        await wait_until(pilot, lambda: not button.disabled)
        await pilot.click("#action-download")
        await wait_until(pilot, lambda: button.disabled, timeout=60)
        assert "Already local" in str(button.tooltip)


async def test_malformed_card_shows_raw_text_and_problem(fake_hub: FakeHub) -> None:
    fake_hub.add(FakeRepo("acme/broken", files={"README.md": b"---\ntags: [a\n---\n# Broken\n"}))
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: app.backend_choice is not None)
        app.open_detail("acme/broken", "model")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        await wait_until(pilot, lambda: screen.card_error is not None)
        assert "Malformed card" in text_of(pilot, "#card-error")
        assert "tags: [a" in screen.query_one("#card", Markdown).source


async def test_unknown_repo_detail_is_an_error_not_a_crash(fake_hub: FakeHub) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: app.backend_choice is not None)
        app.open_detail("acme/missing", "model")
        await wait_until(pilot, lambda: "Repository not found" in text_of(pilot, "#meta"))
        assert app.is_running


async def test_help_palette_and_modes(fake_hub: FakeHub) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Go to Models", "Go to Datasets", "Go to Device", "Go to Jobs"} <= set(titles)
        assert "Focus search" in titles
        await pilot.press("4")
        await pilot.pause()
        assert isinstance(app.screen, JobsScreen)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, ModelsScreen)


async def test_empty_local_hub_offers_the_demo_and_refresh_reindexes(isolated_env: Path) -> None:
    from hf_tui.modals.confirm import ConfirmModal

    app = make_app(offline=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: "No models here yet" in text_of(pilot, "#status"))
        assert any("local hub is empty" in n.title for n in app._notifications)  # type: ignore[attr-defined]
        assert "Seed the demo hub" in [c.title for c in app.get_system_commands(app.screen)]
        app.action_seed_demo()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        add_local_repo(isolated_env / "hftui_home" / "hub", "me/new-model", "# new\n")
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: table_ids(pilot) == ["me/new-model"])


async def test_search_worker_error_is_redacted_and_not_markup(
    fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate(fake_hub, 3, 0)
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: len(table_ids(pilot)) == 3)
        backend = app.backend_choice.backend  # type: ignore[union-attr]

        def broken(*_args: object, **_kwargs: object) -> None:
            raise RuntimeError("token hf_abcdefghijklmnop rejected: [bold]odd[/bold]")

        monkeypatch.setattr(type(backend), "iter_model_pages", broken)
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: "RuntimeError" in text_of(pilot, "#status"))
        status = text_of(pilot, "#status")
        assert "hf_abcdefghijklmnop" not in status and "***" in status
        assert "[bold]odd[/bold]" in status  # shown as typed, not read as markup
        shown = [n for n in app._notifications if n.title == "RuntimeError"]  # type: ignore[attr-defined]
        assert len(shown) == 1 and not shown[0].markup
        assert "***" in shown[0].message and "hf_abcdefghijklmnop" not in shown[0].message
