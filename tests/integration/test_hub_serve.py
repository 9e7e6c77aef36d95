"""`hf-tui hub serve`: the local hub as a Hub endpoint, driven by the real huggingface_hub client
(in-process with `endpoint=`), and end to end by transformers and datasets in a fresh process
against the real `hf-tui hub serve` binary."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from huggingface_hub import CommitOperationAdd, HfApi, hf_hub_download, snapshot_download
from huggingface_hub.errors import HfHubHTTPError

from hf_ecosystem.config import load_settings
from hf_ecosystem.hub.local import LocalHub
from hf_ecosystem.hub.serve import HubServer
from hf_ecosystem.hub.types import SearchFilters

CARD = "---\nlicense: mit\npipeline_tag: text-classification\ntags:\n- tiny\n---\n# tiny\n"


def _repo(home: Path, kind: str, repo_id: str, files: dict[str, bytes]) -> Path:
    folder = home / "hub" / f"{kind}s" / repo_id
    for rel, content in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(content)
    return folder


@pytest.fixture
def served(isolated_env: Path) -> Iterator[HubServer]:
    """A served local hub holding acme/tiny (with a link to a secret outside it) and acme/words."""
    home = isolated_env / "hftui_home"
    files = {"README.md": CARD.encode(), "config.json": b'{"model_type": "bert"}',
             "sub/notes.txt": b"hello"}  # fmt: skip
    folder = _repo(home, "model", "acme/tiny", files)
    secret = isolated_env / "secret.txt"
    secret.write_text("do not serve")
    (folder / "leak.txt").symlink_to(secret)
    (folder / ".hftui-demo.json").write_text('{"version": 1}')
    _repo(home, "dataset", "acme/words", {"data/train.csv": b"text,label\nhi,1\n"})
    server = HubServer(load_settings(), port=0).start()
    yield server
    server.stop()


def test_reads_need_no_token_and_match_the_files(served: HubServer, tmp_path: Path) -> None:
    api = HfApi(endpoint=served.url, token=False)
    assert [m.id for m in api.list_models()] == ["acme/tiny"]
    assert [m.id for m in api.list_models(search="tin", filter=["license:mit"])] == ["acme/tiny"]
    assert list(api.list_models(pipeline_tag="fill-mask")) == []
    assert [d.id for d in api.list_datasets()] == ["acme/words"]
    info = api.model_info("acme/tiny", files_metadata=True)
    assert info.pipeline_tag == "text-classification"
    assert info.card_data is not None and info.card_data["license"] == "mit"
    # the link out of the repo and our own marker are not files of the repo
    names = {s.rfilename for s in info.siblings or []}
    assert names == {"README.md", "config.json", "sub/notes.txt"}
    got = snapshot_download("acme/tiny", endpoint=served.url, cache_dir=tmp_path, token=False)
    assert (Path(got) / "sub" / "notes.txt").read_text() == "hello"
    csv = hf_hub_download("acme/words", "data/train.csv", repo_type="dataset",
                          endpoint=served.url, cache_dir=tmp_path, token=False)  # fmt: skip
    assert Path(csv).read_text().startswith("text,label")
    with pytest.raises(HfHubHTTPError) as missing:
        api.model_info("acme/nope")
    assert missing.value.response.status_code == 404


def test_path_traversal_and_links_out_are_refused(served: HubServer) -> None:
    base = f"{served.url}/acme/tiny/resolve/main"
    assert httpx.get(f"{base}/config.json").status_code == 200
    assert httpx.get(f"{base}/leak.txt").status_code == 404  # a link out of the repo
    for bad in ("..%2F..%2F..%2Fsecret.txt", "sub/..%2F..%2Fsecret.txt", "%2Fetc%2Fpasswd",
                ".hftui-demo.json/..%2F..", "sub%5C..%5Cconfig.json"):  # fmt: skip
        answer = httpx.get(f"{base}/{bad}")
        assert answer.status_code in (400, 404), bad
        assert b"do not serve" not in answer.content and b"root:" not in answer.content
    assert httpx.get(f"{base}/..%2F..%2Fsecret.txt").status_code == 400
    assert httpx.get(f"{served.url}/api/models/acme/tiny/tree/main/..%2F..").status_code == 400
    assert httpx.get(f"{served.url}/api/models/..%2Fetc/passwd").status_code in (400, 404)
    # a commit naming a path outside the repo changes nothing
    header = {"key": "header", "value": {"summary": "escape"}}
    op = {"key": "file", "value": {"path": "../escape.txt", "content": "eA==",
                                    "encoding": "base64"}}  # fmt: skip
    body = "\n".join(json.dumps(x) for x in (header, op))
    auth = {"Authorization": f"Bearer {served.token}"}
    answer = httpx.post(f"{served.url}/api/models/acme/tiny/commit/main", content=body,
                        headers=auth)  # fmt: skip
    assert answer.status_code == 400
    hub = load_settings().home / "hub"
    assert not (hub / "models" / "acme" / "escape.txt").exists()


def test_writes_need_the_printed_token(served: HubServer) -> None:
    assert served.token.startswith("hf_") and len(served.token) == 37
    mode = stat.S_IMODE(served.token_path.stat().st_mode)
    assert mode == 0o600 and served.token_path.read_text().strip() == served.token
    for token in (False, "hf_" + "x" * 34):
        api = HfApi(endpoint=served.url, token=token)
        with pytest.raises(HfHubHTTPError) as refused:
            api.create_repo("acme/new")
        assert refused.value.response.status_code == 401
        with pytest.raises(HfHubHTTPError) as refused:
            api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id="acme/tiny")
        assert refused.value.response.status_code == 401
    assert not (load_settings().home / "hub" / "models" / "acme" / "new").exists()
    assert "x.txt" not in {s.rfilename for s in HfApi(endpoint=served.url).model_info(
        "acme/tiny").siblings or []}  # fmt: skip


def test_push_tag_and_find_it_in_the_local_hub(served: HubServer, tmp_path: Path) -> None:
    api = HfApi(endpoint=served.url, token=served.token)
    assert api.whoami()["name"] == served.user
    url = api.create_repo("mine")
    repo_id = f"{served.user}/mine"
    assert str(url).endswith(f"/{repo_id}")
    assert api.create_repo(repo_id, exist_ok=True).repo_id == repo_id
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "README.md").write_text(CARD.replace("tiny\n---", "pushed\n---"))
    (folder / "config.json").write_text('{"v": 1}')
    first = api.upload_folder(repo_id=repo_id, folder_path=folder)
    api.create_tag(repo_id, tag="v1")
    api.upload_file(path_or_fileobj=b'{"v": 2}', path_in_repo="config.json", repo_id=repo_id)
    # a data shard goes through git-LFS (uploaded before its commit, as datasets does)
    shard = CommitOperationAdd("data/train-00000.parquet", b"PAR1 not really parquet")
    api.preupload_lfs_files(repo_id, additions=[shard])
    api.create_commit(repo_id, operations=[shard], commit_message="shard")
    refs = api.list_repo_refs(repo_id)
    assert [(t.name, t.target_commit) for t in refs.tags] == [("v1", first.oid)]
    old = hf_hub_download(repo_id, "config.json", revision="v1", endpoint=served.url,
                          cache_dir=tmp_path / "c")  # fmt: skip
    new = hf_hub_download(repo_id, "config.json", endpoint=served.url, cache_dir=tmp_path / "c")
    assert Path(old).read_text() == '{"v": 1}' and Path(new).read_text() == '{"v": 2}'
    entries = {e.path: e for e in api.list_repo_tree(repo_id, recursive=True)}
    lfs = getattr(entries["data/train-00000.parquet"], "lfs", None)
    assert lfs is not None and lfs.size == len(b"PAR1 not really parquet")
    # the app's local hub finds the pushed repo, with its card
    found = LocalHub.from_settings(load_settings()).search_models(SearchFilters(tags=("pushed",)))
    assert [m.id for m in found] == [repo_id]
    with pytest.raises(HfHubHTTPError) as again:
        api.create_tag(repo_id, tag="v1")
    assert again.value.response.status_code == 409


@pytest.mark.slow
@pytest.mark.timeout(900)  # transformers, datasets and a tiny model's build in fresh processes
def test_real_binary_serves_transformers_and_datasets(isolated_env: Path) -> None:
    from hf_ecosystem.demo.datasets import build_wnut16
    from hf_ecosystem.demo.tiny_models import BUILDERS

    home = isolated_env / "hftui_home"
    model = home / "hub" / "models" / "hf-tui-demo" / "tiny-text-classification"
    data = home / "hub" / "datasets" / "hf-tui-demo" / "wnut16-ner"
    model.mkdir(parents=True)
    data.mkdir(parents=True)
    BUILDERS["text-classification"](model)
    build_wnut16(data)
    exe = Path(sys.executable).with_name("hf-tui")
    server = subprocess.Popen([str(exe), "hub", "serve", "--json"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert server.stdout is not None
        started = json.loads(server.stdout.readline())
        assert started["url"].startswith("http://127.0.0.1:")
        out = _run_client(started, isolated_env / "client")
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert not Path(started["token_file"]).exists()  # the token ends with the server
    assert out["models"] == ["hf-tui-demo/tiny-text-classification"]
    assert out["labels"] == {"0": "negative", "1": "neutral", "2": "positive"}
    assert out["logits"] == [1, 3] and out["rows"] == {"train": 2394}
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= set(out["snapshot"])
    assert out["refs"] == ["v1"] and out["pushed_rows"] == 10 and out["refused"] == 401
    user = started["user"]
    hub = LocalHub.from_settings(load_settings())
    assert {f"{user}/pushed-model", f"{user}/uploaded"} <= {
        m.id for m in hub.search_models(SearchFilters(author=user))
    }
    assert [d.id for d in hub.search_datasets(SearchFilters(author=user))] == [f"{user}/ner-10"]


CLIENT = """
import json, os, sys, tempfile
from huggingface_hub import HfApi, snapshot_download
from transformers import AutoModelForSequenceClassification, AutoTokenizer
import datasets
out = {}
MODEL, DATA = "hf-tui-demo/tiny-text-classification", "hf-tui-demo/wnut16-ner"
out["models"] = [m.id for m in HfApi().list_models()]
out["snapshot"] = sorted(os.listdir(snapshot_download(MODEL)))
model = AutoModelForSequenceClassification.from_pretrained(MODEL)
tok = AutoTokenizer.from_pretrained(MODEL)
out["labels"] = model.config.id2label
out["logits"] = list(model(**tok("hello world", return_tensors="pt")).logits.shape)
ds = datasets.load_dataset(DATA)
out["rows"] = {k: v.num_rows for k, v in ds.items()}
token = os.environ["SERVE_TOKEN"]
api = HfApi(token=token)
user = api.whoami()["name"]
try:
    HfApi(token=False).create_repo("refused")
except Exception as exc:
    out["refused"] = exc.response.status_code
api.create_repo("uploaded")
folder = tempfile.mkdtemp()
model.save_pretrained(folder)
api.upload_folder(repo_id=f"{user}/uploaded", folder_path=folder)
api.create_tag(f"{user}/uploaded", tag="v1")
out["refs"] = [t.name for t in api.list_repo_refs(f"{user}/uploaded").tags]
model.push_to_hub(f"{user}/pushed-model", token=token)
ds["train"].select(range(10)).push_to_hub(f"{user}/ner-10", token=token)
out["pushed_rows"] = datasets.load_dataset(f"{user}/ner-10")["train"].num_rows
print(json.dumps(out))
"""


def _run_client(started: dict[str, str], hf_home: Path) -> dict[str, Any]:
    """Run the client in a fresh Python pointed at the server, as a lesson would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HFTUI_"))}
    env.update(HF_ENDPOINT=started["url"], HF_HUB_OFFLINE="0", HF_HUB_DISABLE_XET="1",
               HF_HOME=str(hf_home), HF_UPDATE_DOWNLOAD_COUNTS="0",
               SERVE_TOKEN=started["token"])  # fmt: skip
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(CLIENT)], env=env,
                          capture_output=True, text=True, timeout=780)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
