"""The app shell: starts, reports its backend without blocking, quits on q."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Static

from fakehub import FakeHub
from hf_tui.app import HfTuiApp
from hf_tui.messages import BackendSelected


def backend_text(app: HfTuiApp) -> str:
    return str(app.query_one("#backend", Static).render())


async def wait_until(pilot, predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until `predicate()` holds (bounded; no fixed sleeps)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await pilot.pause(0.02)


async def test_offline_app_shows_local_hub(isolated_env: Path) -> None:
    folder = isolated_env / "hftui_home" / "hub" / "models" / "me" / "tiny"
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("---\nlicense: mit\n---\n# tiny\n", encoding="utf-8")
    messages: list[object] = []
    app = HfTuiApp(offline=True)
    async with app.run_test(message_hook=messages.append) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = str(app.query_one("#backend", Static).render())
        assert "offline · local hub · 1 repos (--offline)" in text
        assert app.sub_title.startswith("offline · local hub")
        assert any(isinstance(m, BackendSelected) for m in messages)
        await pilot.press("q")
    assert app.return_code == 0


async def test_online_app_shows_endpoint(fake_hub: FakeHub) -> None:
    app = HfTuiApp()
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert f"Hub · {fake_hub.url}" in str(app.query_one("#backend", Static).render())


async def test_backend_failure_is_a_notification_not_a_crash(
    isolated_env: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from hf_ecosystem.errors import NetworkError
    from hf_tui import app as app_module

    def broken(*args: object, **kwargs: object) -> object:
        raise NetworkError("Cannot reach the Hub: boom")

    monkeypatch.setattr(app_module, "select_backend", broken)
    app = HfTuiApp()
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: "unavailable" in backend_text(app))
        assert "Backend unavailable" in str(app.query_one("#backend", Static).render())
        assert any("boom" in n.title for n in app._notifications)  # type: ignore[attr-defined]
        assert app.is_running


def test_snapshot_offline(snap_compare, isolated_env: Path) -> None:  # type: ignore[no-untyped-def]
    async def wait(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(HfTuiApp(offline=True), run_before=wait, terminal_size=(80, 16))
