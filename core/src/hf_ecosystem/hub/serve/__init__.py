"""The local hub as a Hugging Face Hub endpoint (`hf-tui hub serve`).

Point `HF_ENDPOINT` at it and the real clients work offline against the local hub:
`from_pretrained`, `load_dataset`, `snapshot_download`, `hf_hub_download`, `list_models` /
`list_datasets` read it; `create_repo`, `upload_folder` / `upload_file`, `push_to_hub` and
`create_tag` write into it with the token it prints, and the app then finds what was pushed.

Modules: `http` (stdlib server plumbing, shared with the tests' fake Hub), `blobs` (git and
LFS ids), `repo_paths` (path checks), `store` (repos on disk), `reads` / `writes` (the API),
`app` (routing and the token check), `server` (start, stop, the token file).
"""

from hf_ecosystem.hub.serve.server import HubServer, ServeError, is_loopback

__all__ = ["HubServer", "ServeError", "is_loopback"]
