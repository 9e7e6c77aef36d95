"""`hf-tui hub serve` at its edges: request bodies framed badly or chunked, a file in the way of a
commit, a busy port, IPv6 loopback, the warning for a non-loopback address, search filters,
namespace-less ids, trees longer than a page, and weight files good and broken."""

from __future__ import annotations

import base64
import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from huggingface_hub import HfApi

from hf_ecosystem.config import load_settings
from hf_ecosystem.hub.serve import HubServer, ServeError, is_loopback

CONFIG = b'{"model_type": "bert"}'


@pytest.fixture
def served(isolated_env: Path) -> Iterator[HubServer]:
    """A served local hub holding acme/tiny (a config.json)."""
    folder = isolated_env / "hftui_home" / "hub" / "models" / "acme" / "tiny"
    folder.mkdir(parents=True)
    (folder / "config.json").write_bytes(CONFIG)
    server = HubServer(load_settings(), port=0).start()
    yield server
    server.stop()


def _write(folder: Path, files: dict[str, bytes]) -> None:
    for rel, content in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(content)


def _commit_one_file(server: HubServer, path: str) -> httpx.Response:
    header = {"key": "header", "value": {"summary": "one file"}}
    op = {"key": "file", "value": {"path": path, "content": base64.b64encode(b"x").decode(),
                                    "encoding": "base64"}}  # fmt: skip
    return httpx.post(f"{server.url}/api/models/acme/tiny/commit/main",
                      content="\n".join(json.dumps(x) for x in (header, op)),
                      headers={"Authorization": f"Bearer {server.token}"})  # fmt: skip


def _raw(server: HubServer, request: bytes) -> bytes:
    """Send bytes as they are on a fresh connection; everything the server answers."""
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request)
        chunks: list[bytes] = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_request_bodies_on_the_wire(served: HubServer) -> None:
    # a body whose length cannot be read gets a 400 and a closed connection, not silence
    for framing in (b"Content-Length: abc\r\n\r\n", b"Transfer-Encoding: chunked\r\n\r\nzz\r\n"):
        answer = _raw(served, b"POST /api/validate-yaml HTTP/1.1\r\nHost: x\r\n" + framing)
        assert answer.startswith(b"HTTP/1.1 400 "), answer
        assert b"Connection: close" in answer
        assert answer.endswith(b'{"error": "Invalid Content-Length or chunk size"}')
    # a chunked body (with an extension and a trailer) is read whole
    body = json.dumps({"name": "chunked"}).encode()
    chunked = b"%x;ext=1\r\n%s\r\n0\r\nX-Trailer: 1\r\n\r\n" % (len(body), body)
    answer = _raw(served, b"POST /api/repos/create HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  + served.token.encode() + b"\r\nTransfer-Encoding: chunked\r\n"
                  b"Connection: close\r\n\r\n" + chunked)  # fmt: skip
    assert answer.startswith(b"HTTP/1.1 200 ") and b"Connection: close" in answer
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["name"] == f"{served.user}/chunked"
    assert (load_settings().home / "hub" / "models" / served.user / "chunked").is_dir()
    # a file standing where the commit needs a folder is a 400, and the file is kept
    answer = _commit_one_file(served, "config.json/inner.txt")
    assert answer.status_code == 400
    message = "Invalid path in repo: config.json is a file, not a folder"
    assert answer.json() == {"error": message} and answer.headers["X-Error-Code"] == "InvalidPath"
    folder = load_settings().home / "hub" / "models" / "acme" / "tiny"
    assert sorted(p.name for p in folder.iterdir()) == ["config.json"]
    assert (folder / "config.json").read_bytes() == CONFIG


def test_a_second_server_on_a_busy_port_fails_cleanly(served: HubServer) -> None:
    port = int(served.url.rsplit(":", 1)[1])
    with pytest.raises(ServeError) as busy:
        HubServer(load_settings(), port=port)
    assert f"Cannot listen on 127.0.0.1:{port}" in busy.value.title
    # the running server's token file still holds its token
    assert served.token_path.read_text().strip() == served.token
    assert HfApi(endpoint=served.url, token=served.token).whoami()["name"] == served.user


def test_ipv6_loopback_and_which_hosts_are_loopback(isolated_env: Path) -> None:
    assert all(map(is_loopback, ("127.0.0.1", "127.5.6.7", "::1", "localhost")))
    assert not any(map(is_loopback, ("0.0.0.0", "::", "192.168.1.2", "example.org", "")))
    server = HubServer(load_settings(), host="::1", port=0).start()
    try:
        assert server.url.startswith("http://[::1]:")
        assert httpx.get(f"{server.url}/api/models").json() == []
    finally:
        server.stop()
    assert not server.token_path.exists()


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_binary_warns_when_listening_beyond_loopback(isolated_env: Path) -> None:
    exe = Path(sys.executable).with_name("hf-tui")
    command = [str(exe), "hub", "serve", "--json", "--host", "0.0.0.0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None and server.stderr is not None
        started = json.loads(server.stdout.readline())
        warning = server.stderr.readline()  # written before serving starts
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=30)
    assert started["url"].startswith("http://0.0.0.0:")
    assert warning.startswith("warning: listening on 0.0.0.0: other machines can read the local")
    assert started["token"] not in warning + err
    # 130 when the signal lands just before serving starts (the CLI's window, see the report)
    assert server.returncode in (0, 130)


def test_search_filters_short_ids_and_long_trees(served: HubServer) -> None:
    # made before the first request: the server re-reads the hub at most every 2 s
    big = load_settings().home / "hub" / "models" / "acme" / "big"
    _write(big, {f"f{i:04d}.txt": b"" for i in range(1001)})
    models = f"{served.url}/api/models"
    nul = httpx.get(f"{models}?search=a%00b")
    assert nul.status_code == 400
    assert nul.json() == {"error": "The search text holds a NUL character"}
    assert httpx.get(f"{models}/?filter=language:fr,license:mit").json() == []
    # an id without a namespace (`gpt2`) is looked up, not mistaken for a route
    for url in (f"{models}/tiny", f"{served.url}/tiny/resolve/main/config.json"):
        answer = httpx.get(url)
        assert answer.status_code == 404 and answer.headers["X-Error-Code"] == "RepoNotFound"
    # a tree longer than a page links to the rest
    tree = f"{models}/acme/big/tree/main"
    first = httpx.get(tree)
    assert len(first.json()) == 1000 and first.json()[0]["path"] == "f0000.txt"
    rest = httpx.get(first.links["next"]["url"])
    assert [e["path"] for e in rest.json()] == ["f1000.txt"] and "next" not in rest.links


def test_weights_are_counted_and_a_broken_weight_file_is_skipped(served: HubServer) -> None:
    # (made before the first request, as above)
    header = json.dumps({"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}})
    weights = len(header).to_bytes(8, "little") + header.encode() + bytes(24)
    hub = load_settings().home / "hub" / "models" / "acme"
    _write(hub / "weighed", {"model.safetensors": weights})
    _write(hub / "broken", {"model.safetensors": b"\xff" * 16})
    info = httpx.get(f"{served.url}/api/models/acme/weighed?blobs=true").json()
    assert info["safetensors"] == {"parameters": {"F32": 6}, "total": 6}
    assert info["siblings"][0]["lfs"]["size"] == len(weights)
    broken = httpx.get(f"{served.url}/api/models/acme/broken").json()
    assert "safetensors" not in broken and broken["siblings"] == [
        {"rfilename": "model.safetensors"}
    ]
