"""hf_ecosystem.course: lesson metadata read with the stdlib, and the setup each lesson runs."""

from __future__ import annotations

import copy
import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from hf_ecosystem.config import load_settings
from hf_ecosystem.course import (
    PLAN,
    Lesson,
    LessonError,
    list_lessons,
    read_lesson,
    setup_lesson,
    week_plan,
)
from hf_ecosystem.course.setup import (
    check_versions,
    decide_offline,
    hub_reachable,
)

META: dict[str, Any] = {
    "id": "course1/1.3-exploring-hub",
    "course": 1,
    "week": 1,
    "number": "1.3",
    "module": "1.1",
    "title": "Exploring the Hub",
    "objective": "Find models.",
    "duration_minutes": 45,
    "outcomes": ["Search models", "Read a card"],
    "uses_gpu": False,
    "in_hf_tui": {"screen": "Models (key 1)", "keys": ["`/` search"], "cli": ["hf-tui models"]},
}


def write_lesson(root: Path, meta: dict[str, Any], rel: str | None = None) -> Path:
    """A minimal notebook holding `meta` as its lesson metadata."""
    rel = rel or f"course{meta['course']}/week{meta['week']}/{meta['id'].split('/')[1]}.ipynb"
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    notebook = {"cells": [], "metadata": {"lesson": meta}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def with_(**changes: Any) -> dict[str, Any]:
    meta = copy.deepcopy(META)
    meta.update(changes)
    return meta


def test_a_lesson_reads_into_typed_fields(tmp_path: Path) -> None:
    path = write_lesson(tmp_path, META)
    lesson = read_lesson(path)
    assert isinstance(lesson, Lesson)
    assert (lesson.course, lesson.week, lesson.number) == (1, 1, "1.3")
    assert lesson.outcomes == ("Search models", "Read a card")
    assert lesson.in_hf_tui.cli == ("hf-tui models",)
    assert lesson.path == path and lesson.uses_gpu is False
    data = lesson.to_dict()
    assert data["path"] == str(path) and data["in_hf_tui"]["keys"] == ["`/` search"]
    assert json.loads(json.dumps(data))["outcomes"] == ["Search models", "Read a card"]


def test_lessons_are_listed_in_course_order_with_numbers_read_as_numbers(tmp_path: Path) -> None:
    for cid, course, week, number in [
        ("course2/1.2-b", 2, 1, "1.2"),
        ("course1/2.10-c", 1, 2, "2.10"),
        ("course1/2.9-a", 1, 2, "2.9"),
        ("course1/1.7-d", 1, 1, "1.7"),
    ]:
        write_lesson(tmp_path, with_(id=cid, course=course, week=week, number=number))
    (tmp_path / "course1" / "week1" / ".ipynb_checkpoints").mkdir()
    write_lesson(tmp_path, META, "course1/week1/.ipynb_checkpoints/x-checkpoint.ipynb")
    ids = [lesson.id for lesson in list_lessons(tmp_path)]
    assert ids == ["course1/1.7-d", "course1/2.9-a", "course1/2.10-c", "course2/1.2-b"]


def test_two_lessons_with_one_id_are_refused(tmp_path: Path) -> None:
    write_lesson(tmp_path, META)
    write_lesson(tmp_path, META, "course1/week2/copy.ipynb")
    with pytest.raises(LessonError, match="Two lessons have the id"):
        list_lessons(tmp_path)


def test_a_missing_lessons_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LessonError, match="No lessons folder") as caught:
        list_lessons(tmp_path / "nope")
    assert "notebooks/" in caught.value.hint


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "'title' is empty"),
        ({"title": 3}, "'title' must be str"),
        ({"course": "1"}, "'course' must be int"),
        ({"course": True}, "'course' must be int"),
        ({"number": "1-3"}, "is not like '1.3'"),
        ({"duration_minutes": 0}, "must be positive"),
        ({"outcomes": []}, "'outcomes' is empty"),
        ({"outcomes": ["ok", ""]}, "'outcomes' must be a list of texts"),
        ({"outcomes": "one"}, "'outcomes' must be a list of texts"),
        ({"uses_gpu": "yes"}, "'uses_gpu' must be true or false"),
        ({"in_hf_tui": "Models"}, "'in_hf_tui' must be a mapping"),
        ({"in_hf_tui": {"screen": "Models", "cli": "hf-tui"}}, "'cli' must be a list"),
        ({"in_hf_tui": {"keys": []}}, "'screen' must be str"),
    ],
)
def test_bad_metadata_names_the_field(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    path = write_lesson(tmp_path, with_(**changes))
    with pytest.raises(LessonError, match=message) as caught:
        read_lesson(path)
    assert path.name in caught.value.title


def test_optional_fields_take_defaults(tmp_path: Path) -> None:
    meta = with_(in_hf_tui={"screen": "Runs (key 5)"})
    del meta["uses_gpu"]
    lesson = read_lesson(write_lesson(tmp_path, meta))
    assert lesson.uses_gpu is False
    assert lesson.in_hf_tui.keys == () and lesson.in_hf_tui.cli == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "invalid JSON"),
        ('{"metadata": {}}', "is not a notebook"),
        ("[1, 2]", "is not a notebook"),
        ('{"cells": [], "metadata": {}}', "has no lesson metadata"),
        ('{"cells": [], "metadata": []}', "has no lesson metadata"),
    ],
)
def test_a_file_that_is_not_a_lesson_says_so(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "x.ipynb"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LessonError, match=message):
        read_lesson(path)


def test_an_unreadable_notebook_is_a_lesson_error(tmp_path: Path) -> None:
    with pytest.raises(LessonError, match="Cannot read"):
        read_lesson(tmp_path / "missing.ipynb")


def test_the_plan_follows_the_outline() -> None:
    assert [p.week for p in PLAN] == [1, 2, 3, 4, 5, 6]
    assert sum(p.hours for p in PLAN) == 26  # "Total Duration: ~26 hours"
    plan = week_plan(2, 2)
    assert plan is not None and (plan.week, plan.hours) == (5, 6)
    assert week_plan(3, 1) is None


# --- setup ------------------------------------------------------------------------------------


def test_the_offline_setting_decides_without_probing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    probed: list[str] = []
    offline, reason = decide_offline(load_settings(), probe=lambda url, t: bool(probed.append(url)))
    assert (offline, reason, probed) == (True, "HF_HUB_OFFLINE=1", [])
    monkeypatch.delenv("HF_HUB_OFFLINE")
    offline, reason = decide_offline(load_settings(offline=True))
    assert (offline, reason) == (True, "offline setting")


def test_a_hub_that_answers_is_online_whatever_the_status(fake_hub: Any) -> None:
    # the fake Hub answers whoami without a token with 401: the Hub is there
    assert hub_reachable(fake_hub.url, 5.0)
    offline, reason = decide_offline(load_settings(endpoint=fake_hub.url), 5.0)
    assert not offline and reason == f"{fake_hub.url} answered within 5 s"


def test_a_hub_answering_ok_is_reachable() -> None:
    import http.server
    import threading

    class Ok(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Ok)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert hub_reachable(f"http://127.0.0.1:{server.server_port}/", 5.0)
    finally:
        server.shutdown()
        server.server_close()


def test_a_closed_port_is_offline_quickly() -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    start = time.monotonic()
    offline, reason = decide_offline(load_settings(endpoint=url), 1.0)
    assert offline and reason == f"{url} did not answer within 1 s"
    assert time.monotonic() - start < 3
    assert not hub_reachable("not a url", 1.0)


def test_versions_are_checked_against_the_minimum() -> None:
    found = check_versions()
    assert found["transformers"].split(".")[0] >= "5" and "python" in found
    with pytest.raises(LessonError, match=r"pytest .* is older than the 999\.1") as caught:
        check_versions({"pytest": "999.1"})
    assert "make setup" in caught.value.hint
    with pytest.raises(LessonError, match="no-such-package-x is not installed"):
        check_versions({"no-such-package-x": "1.0"})
    assert check_versions({"pytest": "8.0rc1"})["pytest"]  # pre-release suffixes are read


def _mark_demo_seeded(hub_root: Path) -> None:
    """Put every demo repo's marker in place, as a finished seed leaves it."""
    from hf_ecosystem.demo.seed import DEMO_VERSION, MARKER, demo_steps

    for kind, repo, _ in demo_steps():
        folder = hub_root / kind / repo
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MARKER).write_text(json.dumps({"version": DEMO_VERSION}))


def test_setup_makes_a_fresh_workdir_and_says_what_it_chose(
    monkeypatch: pytest.MonkeyPatch, isolated_env: Path
) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_UPDATE_DOWNLOAD_COUNTS", "0")
    home = Path(os.environ["HFTUI_HOME"])
    _mark_demo_seeded(home / "hub")
    stale = home / "course" / "course1-1.3-x" / "old.txt"
    stale.parent.mkdir(parents=True)
    stale.write_text("from an earlier run")
    said: list[str] = []
    env = setup_lesson("course1/1.3-x", offline=True, say=said.append)
    assert env.offline and env.reason == "chosen in the setup cell"
    assert os.environ["HF_HUB_OFFLINE"] == "1"  # the libraries never wait on the network
    assert env.workdir == home / "course" / "course1-1.3-x" and env.workdir.is_dir()
    assert not stale.exists()
    assert env.seeded_now == () and env.hub_root == home / "hub"
    text = "\n".join(said)
    assert "OFFLINE = True  (chosen in the setup cell)" in text
    assert "demo hub" in text and "(ready)" in text and "transformers" in text
    # huggingface_hub is imported in this process: the switch comes too late for it
    assert any("restart the kernel" in line for line in said)


def test_setup_resolves_demo_repos_to_their_folders(
    monkeypatch: pytest.MonkeyPatch, isolated_env: Path
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    home = Path(os.environ["HFTUI_HOME"])
    env = setup_lesson("course1/x", seed=False, say=lambda _: None)
    assert env.offline and env.reason == "HF_HUB_OFFLINE=1"
    model = home / "hub" / "models" / "hf-tui-demo" / "tiny-x"
    data = home / "hub" / "datasets" / "hf-tui-demo" / "data-x"
    model.mkdir(parents=True)
    data.mkdir(parents=True)
    assert env.model("hf-tui-demo/tiny-x") == str(model)
    assert env.dataset("hf-tui-demo/data-x") == str(data)
    assert env.model(str(model)) == str(model)  # a folder stays a folder


def test_online_setup_leaves_the_offline_variable_alone(
    monkeypatch: pytest.MonkeyPatch, fake_hub: Any
) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", fake_hub.url)
    env = setup_lesson("course1/y", seed=False, say=lambda _: None)
    assert not env.offline and env.endpoint == fake_hub.url
    assert "HF_HUB_OFFLINE" not in os.environ


def test_cleanup_removes_the_workdir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    env = setup_lesson("course2/z", seed=False, say=lambda _: None)
    (env.workdir / "checkpoint").mkdir()
    done = env.cleanup()
    assert done.workdir_removed and not env.workdir.exists()
    torch = sys.modules.get("torch")
    cuda = torch is not None and torch.cuda.is_available()
    assert (done.cuda_before_bytes is not None) == cuda == (done.cuda_after_bytes is not None)
    assert not env.cleanup().workdir_removed  # a second clean-up has nothing to remove
