"""The Publish screen's snippet: the publish job from Python, and the same upload with
huggingface_hub."""

from __future__ import annotations

from hf_ecosystem.snippets.evaluation import job_lines
from hf_ecosystem.snippets.render import assign, lines, literal
from hf_ecosystem.snippets.types import PublishCode, Snippet


def publish_snippet(request: PublishCode) -> Snippet:
    """Publish the folder as the repo, with the screen's visibility, tag and message."""
    params = {
        "source": request.folder,
        "repo_id": request.repo_id,
        "local": request.local,
        "private": request.private,
        "tag": request.tag,
        "commit_message": request.commit_message,
    }
    ecosystem = lines(*job_lines("publish", {k: v for k, v in params.items() if v is not None}))
    repo = literal(request.repo_id)
    where = (
        ["# the local hub: run `hf-tui hub serve`, set HF_ENDPOINT and HF_TOKEN to what it prints"]
        if request.local
        else []
    )
    tag = [f"api.create_tag({repo}, tag={literal(request.tag)})"] if request.tag else []
    plain = lines(
        *where,
        "from huggingface_hub import HfApi",
        "",
        "api = HfApi()  # the token: HF_TOKEN or `hf auth login`",
        assign("url", "api.create_repo", request.repo_id, private=request.private, exist_ok=True),
        assign(
            "commit",
            "api.upload_folder",
            repo_id=request.repo_id,
            folder_path=request.folder,
            commit_message=request.commit_message,
        ),
        *tag,
        "print(commit.commit_url)",
    )
    return Snippet(f"Publish {request.repo_id}", ecosystem, plain)
