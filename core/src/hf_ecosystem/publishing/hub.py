"""Publish a fine-tuned model: to the Hub (create, upload, tag) or into the offline local hub.

The plan (file list, skipped leftovers, secret refusal) lives in `publish_plan`; the card in
`card`. Library functions here take plain arguments; `run_publish_job` is the `publish` job.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from hf_ecosystem.config import Settings, load_settings
from hf_ecosystem.errors import AuthError, HfEcoError
from hf_ecosystem.hub.cards import parse_card_text
from hf_ecosystem.hub.repo_id import validate_repo_id
from hf_ecosystem.paths import user_path
from hf_ecosystem.publishing.local import (
    LocalRevision,
    list_local_revisions,
    local_repo_path,
    publish_to_local_hub,
)
from hf_ecosystem.publishing.plan import (
    PublishError,
    PublishPlan,
    PublishResult,
    SecretFileError,
    plan_publish,
)
from hf_ecosystem.publishing.results import PublishJobResult
from hf_ecosystem.safe_files import read_text_bounded

if TYPE_CHECKING:
    from huggingface_hub import HfApi

    from hf_ecosystem.jobs.context import JobContext
    from hf_ecosystem.training.runs import RunSummary

__all__ = [
    "LocalRevision",
    "PreparedCard",
    "PublishError",
    "PublishPlan",
    "PublishResult",
    "SecretFileError",
    "list_local_revisions",
    "local_repo_path",
    "plan_publish",
    "prepare_card",
    "publish_to_hub",
    "publish_to_local_hub",
    "run_publish_job",
]


Step = Callable[[str], None]  # reports what a Hub publish is doing now


@dataclass(frozen=True, slots=True)
class PreparedCard:
    """The README.md to publish, where it came from, and what the user should know."""

    text: str
    origin: str  # "file" (an edited card), "folder" (the folder's own) or "generated"
    license: str | None = None
    warnings: tuple[str, ...] = field(default=())


# -- the card ---------------------------------------------------------------------------------


def _repo_id_of_folder(path: Path, settings: Settings) -> str | None:
    """The repo id a local model folder stands for (local hub or HF cache), if any."""
    resolved = path.resolve()
    for root in settings.local_hub_roots:
        try:
            rel = resolved.relative_to((root / "models").resolve())
        except ValueError:
            continue
        if 1 <= len(rel.parts) <= 2:
            return "/".join(rel.parts)
    for part in resolved.parts:
        if part.startswith("models--"):
            return part.removeprefix("models--").replace("--", "/")
    return None


def _base_card(
    model: str, settings: Settings, *, remote: bool
) -> tuple[str | None, str | None, str | None]:
    """(repo id, card text, local path) of the base model a run started from."""
    from hf_ecosystem.hub.local import LocalHub

    folder = user_path(model)
    if folder.is_dir():
        readme = folder / "README.md"
        text = None
        if readme.is_file():
            text = read_text_bounded(readme, root=folder, errors="replace")
        return _repo_id_of_folder(folder, settings), text, str(folder)
    try:
        model = validate_repo_id(model)
    except HfEcoError:  # a folder that is gone, or a name that cannot be on the Hub
        return None, None, None
    try:
        return model, LocalHub.from_settings(settings).card(model) or None, None
    except HfEcoError:
        pass
    if settings.offline or not remote:
        return model, None, None
    from hf_ecosystem.hub.auth import current_token
    from hf_ecosystem.hub.remote import RemoteHub

    try:
        text = RemoteHub.from_settings(settings, token=current_token()).card(model)
    except HfEcoError:
        return model, None, None
    return model, text or None, None


def _folder_config(source: Path) -> dict[str, Any]:
    try:
        data = json.loads((source / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}  # pyright: ignore[reportUnknownVariableType]


def _task_from_config(config: dict[str, Any]) -> str | None:
    for arch in cast("list[Any]", config.get("architectures") or []):
        name = str(arch)
        if name.endswith("ForSequenceClassification"):
            return "text-classification"
        if name.endswith("ForTokenClassification"):
            return "token-classification"
        if name.endswith("ForCausalLM"):
            return "causal-lm"
        if name.endswith("ForConditionalGeneration"):
            return "seq2seq"
    return None


def prepare_card(
    plan: PublishPlan,
    repo_id: str,
    *,
    run: RunSummary | None = None,
    license: str | None = None,
    settings: Settings | None = None,
    remote: bool = True,
) -> PreparedCard:
    """The card to publish: the edited file, else the folder's own (no run, no license given),
    else one generated from the run (config, metrics) and the base model's card (looked up in
    the local hub, then on the Hub when `remote`)."""
    from hf_ecosystem.publishing.card import build_model_card, hyperparameters, resolve_license

    settings = settings or load_settings()
    if plan.card is not None:
        text = read_text_bounded(plan.card)
        parsed = parse_card_text(text)  # a broken edit stops here, before any upload
        return PreparedCard(text, "file", parsed.license)
    if run is None and license is None and plan.has_readme:
        text = read_text_bounded(plan.source / "README.md", root=plan.source)
        return PreparedCard(text, "folder", parse_card_text(text).license)
    folder_config = _folder_config(plan.source)
    adapter = (plan.source / "adapter_config.json").is_file()
    config: dict[str, Any] = dict(run.config) if run is not None else {}
    model = config.get("model") or folder_config.get("_name_or_path") or ""
    if adapter and not model:
        model = _folder_config_adapter_base(plan.source)
    base_id, base_text, base_path = (
        _base_card(str(model), settings, remote=remote) if model else (None, None, None)
    )
    dataset = str(config.get("dataset") or "")
    hub_dataset = dataset and not user_path(dataset).exists()
    dataset_name = Path(dataset).name if dataset and not hub_dataset else dataset or None
    text = build_model_card(
        repo_id,
        base_model=base_id,
        base_card=base_text,
        base_model_path=base_path,
        datasets=[dataset] if hub_dataset else [],
        dataset_name=dataset_name,
        eval_split=config.get("eval_split") or ("validation" if run else None),
        license=license,
        task=config.get("task") or _task_from_config(folder_config),
        library_name="peft" if adapter else "transformers",
        tags=["lora"] if adapter or config.get("lora") else [],
        metrics=run.metrics if run is not None else {},
        hyperparameters=hyperparameters(config),
        endpoint=settings.endpoint,
    )
    base_license = parse_card_text(base_text).license if base_text else None
    choice = resolve_license(license, base_license)
    return PreparedCard(text, "generated", choice.license, choice.warnings)


def _folder_config_adapter_base(source: Path) -> str:
    try:
        data = json.loads((source / "adapter_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    if not isinstance(data, dict):
        return ""
    return str(cast("dict[str, Any]", data).get("base_model_name_or_path") or "")


# -- the Hub -----------------------------------------------------------------------------------


def _stage(plan: PublishPlan, card_text: str, dest: Path) -> None:
    """A folder of links to the planned files plus the card (the source stays untouched)."""
    for planned in plan.files:
        if planned.path == "README.md":
            continue
        target = dest / planned.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(plan.source / planned.path)
    (dest / "README.md").write_text(card_text, encoding="utf-8")


def _login_token(token: str | None) -> str:
    """The given token, else the stored one; AuthError when there is none."""
    from hf_ecosystem.hub.auth import current_token

    found = token or current_token()
    if not found:
        raise AuthError(
            "Publishing to the Hub needs a login",
            "Run `hf-tui auth login` or set HF_TOKEN (a write token), or publish with --local.",
        )
    return found


def _check_patterns(plan: PublishPlan) -> None:
    """The upload's allow/ignore patterns must never drop a planned file silently."""
    from huggingface_hub.utils import filter_repo_objects

    paths = [f.path for f in plan.files]
    kept = list(
        filter_repo_objects(
            paths, allow_patterns=plan.allow_patterns, ignore_patterns=plan.ignore_patterns
        )
    )
    if len(kept) != len(paths):
        lost = sorted(set(paths) - set(kept))
        raise PublishError(f"Upload patterns would drop {', '.join(lost)}", "Rename the files.")


def _set_visibility(api: HfApi, repo_id: str, private: bool | None, report: Step) -> bool:
    """Make an existing repo private or public when asked and it differs; True if it changed."""
    if private is None or api.model_info(repo_id).private is private:
        return False
    report(f"making the repo {'private' if private else 'public'}")
    api.update_repo_settings(repo_id, private=private)
    return True


def publish_to_hub(
    plan: PublishPlan,
    repo_id: str,
    *,
    card_text: str,
    private: bool | None = None,
    tag: str | None = None,
    commit_message: str | None = None,
    settings: Settings | None = None,
    token: str | None = None,
    step: Step | None = None,
) -> PublishResult:
    """Create the repo, upload the plan in one commit, tag it. `private` None: a new repo is
    private, an existing one kept as it is; True/False: made private/public if it differs."""
    from huggingface_hub import HfApi

    from hf_ecosystem.hub.http_errors import hub_errors

    repo_id = validate_repo_id(repo_id)
    settings = settings or load_settings()
    token = _login_token(token)
    _check_patterns(plan)
    allow, ignore = plan.allow_patterns, plan.ignore_patterns
    report: Step = step or (lambda _: None)
    api = HfApi(endpoint=settings.endpoint, token=token)
    with hub_errors(repo_id):
        report("creating the repo")
        url = str(api.create_repo(repo_id, private=private is not False, exist_ok=True))
        changed = _set_visibility(api, repo_id, private, report)
        if tag and tag in {t.name for t in api.list_repo_refs(repo_id).tags}:
            raise PublishError(
                f"Tag {tag!r} already exists in {repo_id}", "Pick another tag for this version."
            )
        report(f"uploading {len(plan.files)} files")
        with tempfile.TemporaryDirectory(prefix="hftui-publish-") as staging:
            _stage(plan, card_text, Path(staging))
            commit = api.upload_folder(
                repo_id=repo_id,
                folder_path=staging,
                commit_message=commit_message or f"Upload {repo_id.rsplit('/', 1)[-1]}",
                allow_patterns=allow,
                ignore_patterns=ignore,
            )
        if tag:
            report(f"tagging {tag}")
            api.create_tag(repo_id, tag=tag, revision=commit.oid)
        tags = tuple(t.name for t in api.list_repo_refs(repo_id).tags)
        visible = api.model_info(repo_id).private
    return PublishResult(
        repo_id,
        False,
        url,
        tuple(sorted({f.path for f in plan.files} | {"README.md"})),
        plan.total_bytes,
        commit=commit.oid,
        tags=tags,
        private=visible,
        visibility_changed=changed,
    )


# -- the job -----------------------------------------------------------------------------------


def run_publish_job(ctx: JobContext) -> PublishJobResult:
    """The `publish` job: plan, card, upload (Hub or local hub), result."""
    from hf_ecosystem.jobs.manager import JobManager
    from hf_ecosystem.publishing.staging import plan_source, visibility_warnings
    from hf_ecosystem.training.runs import get_run

    p = ctx.spec.params
    repo_id = str(p["repo_id"])
    local = bool(p.get("local"))
    private = None if p.get("private") is None else bool(p["private"])
    run = get_run(JobManager(ctx.settings), str(p["run"])) if p.get("run") else None
    plan = plan_source(
        user_path(p["source"]), run, card=p.get("card"), settings=ctx.settings, remote=not local
    )
    ctx.log(f"{len(plan.files)} files, {plan.total_bytes} bytes from {plan.source}")
    for skipped in plan.skipped:
        ctx.log(f"skipped {skipped.path} ({skipped.reason})")
    card = prepare_card(
        plan, repo_id, run=run, license=p.get("license"), settings=ctx.settings, remote=not local
    )
    warnings = [*plan.warnings, *card.warnings, *visibility_warnings(local, private)]
    for warning in warnings:
        ctx.log(warning, level="warning")
    ctx.log(f"card: {card.origin}")
    ctx.check_cancelled()
    if local:
        result = publish_to_local_hub(
            plan,
            repo_id,
            card_text=card.text,
            tag=p.get("tag"),
            commit_message=p.get("commit_message"),
            settings=ctx.settings,
            progress=lambda done, total: ctx.progress(done, total, unit="B"),
            cancel=ctx.cancel,
        )
    else:
        result = _publish_job_to_hub(ctx, plan, card.text, private)
    ctx.artifact(result.location, kind="repo")
    return PublishJobResult(
        published=result,
        skipped=tuple(s.path for s in plan.skipped),
        warnings=tuple(warnings),
        card=card.origin,
        license=card.license,
    )


def _publish_job_to_hub(
    ctx: JobContext, plan: PublishPlan, card_text: str, private: bool | None
) -> PublishResult:
    """The job's upload to the Hub, its steps as progress; a visibility change logged."""
    p = ctx.spec.params
    steps = iter(range(1, 5))

    def step(message: str) -> None:
        ctx.check_cancelled()
        ctx.log(message)
        ctx.progress(next(steps, 4) - 1, 4, unit="steps")

    result = publish_to_hub(
        plan,
        str(p["repo_id"]),
        card_text=card_text,
        private=private,
        tag=p.get("tag"),
        commit_message=p.get("commit_message"),
        settings=ctx.settings,
        step=step,
    )
    ctx.progress(4, 4, unit="steps")
    if result.visibility_changed:
        ctx.log(f"{result.repo_id} is now {'private' if result.private else 'public'}")
    return result
