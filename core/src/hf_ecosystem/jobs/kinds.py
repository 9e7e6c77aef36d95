"""The job kinds registry: one `JobKind` per kind, naming its code by import path.

Adding a kind is one entry here: its parameters, a one-line description, how a spec of it is
summed up, the handler as "package.module:function" and its result type, named the same way.
jobs/ stays below the packages whose code it runs: a handler, a result type or a check that
needs a domain package is imported only when used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hf_ecosystem.jobs import params as check
from hf_ecosystem.jobs.params import JobSpecError, Param

Params = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class JobKind:
    """A kind of job: what it takes, what runs it, how a spec of it reads in one line."""

    name: str
    description: str
    params: Mapping[str, Param]
    handler: str  # "package.module:function", imported and called with a JobContext by the worker
    describe: Callable[[Params], str]
    result: str  # "package.module:Class" of the handler's result (see jobs.results)
    gpu_capable: bool = False  # can use a GPU: gets one by default where the machine has any
    # What the other nodes of a multi-node Slurm job run ("package.module:function", called
    # with a JobContext, returns an exit code); None: they idle while node 0's worker runs it.
    node_handler: str | None = None


def _describe_download(p: Params) -> str:
    return f"download {p['repo_id']}"


def _describe_inference(p: Params) -> str:
    return f"{p['task']} · {p['model']}"


def _describe_batch(p: Params) -> str:
    return f"batch {p['task']} · {p['model']} · {Path(str(p['input'])).name}"


def _describe_train(p: Params) -> str:
    config = p["config"]
    resumed = f" (resumes {p['resume_from']})" if p.get("resume_from") else ""
    return f"train {config['task']} · {Path(str(config['model'])).name}{resumed}"


def _describe_evaluate(p: Params) -> str:
    return f"evaluate {p['task']} · {Path(str(p['model'])).name}"


def _describe_publish(p: Params) -> str:
    where = "local hub" if p.get("local") else "Hub"
    return f"publish {p['repo_id']} → {where}"


_REQUIRED_TEXT = Param(check.text, required=True)
_REQUIRED_MODEL = Param(check.model, required=True)
_TEXT = Param(check.text)
_BATCH_SIZE = Param(check.int_between(1, 4096))

KINDS: dict[str, JobKind] = {
    kind.name: kind
    for kind in (
        JobKind(
            "demo-seed",
            "fill the local hub with the demo models and datasets",
            {},
            "hf_ecosystem.demo.job:run_demo_seed_job",
            lambda p: "seed the demo hub",
            result="hf_ecosystem.demo.seed:SeedResult",
        ),
        JobKind(
            "download",
            "download a repo (or some of its files) into the cache",
            {
                "repo_id": Param(check.repo, required=True),
                "repo_type": Param(check.repo_kind),
                "revision": _TEXT,
                "files": Param(check.file_names),
            },
            "hf_ecosystem.download_job:run_download_job",
            _describe_download,
            result="hf_ecosystem.download_job:DownloadResult",
        ),
        JobKind(
            "inference",
            "run a model on one input",
            {
                "task": _REQUIRED_TEXT,
                "model": _REQUIRED_MODEL,
                "input": Param(check.text, required=True, free_text=True),
                "device": _TEXT,
                "dtype": _TEXT,
                "allow_pickle": Param(check.boolean),
                "trust_remote_code": Param(check.boolean),
            },
            "hf_ecosystem.inference.jobs:run_inference_job",
            _describe_inference,
            result="hf_ecosystem.inference.results:InferenceResult",
            gpu_capable=True,
        ),
        JobKind(
            "warm-model",
            "keep models loaded for Try, answering on a private socket until idle",
            {},
            "hf_ecosystem.inference.warm_worker:run_warm_job",
            lambda p: "warm model worker (Try)",
            result="hf_ecosystem.inference.warm_protocol:WarmWorkerResult",
            gpu_capable=True,
        ),
        JobKind(
            "batch-inference",
            "run a model over a file of inputs, writing a predictions file",
            {
                "task": _REQUIRED_TEXT,
                "model": _REQUIRED_MODEL,
                "input": Param(check.existing_path, required=True),
                "output": _REQUIRED_TEXT,
                "batch_size": _BATCH_SIZE,
                "column": _TEXT,
                "device": _TEXT,
                "dtype": _TEXT,
            },
            "hf_ecosystem.inference.jobs:run_batch_job",
            _describe_batch,
            result="hf_ecosystem.inference.results:BatchResult",
            gpu_capable=True,
        ),
        JobKind(
            "train",
            "fine-tune a model (a training run)",
            {
                # A TrainSpec as plain data; pydantic is imported only when a train job is built.
                "config": Param(check.by_path("hf_ecosystem.training.job:check_config"), True),
                "resume_from": Param(check.job_id),  # the run whose checkpoint this continues
            },
            "hf_ecosystem.training.job:run_train_job",
            _describe_train,
            result="hf_ecosystem.training.results:TrainResult",
            gpu_capable=True,
            node_handler="hf_ecosystem.training.job:run_train_node",
        ),
        JobKind(
            "evaluate",
            "evaluate a model on a dataset split",
            {
                "model": _REQUIRED_MODEL,
                "dataset": _REQUIRED_TEXT,
                "task": _REQUIRED_TEXT,  # text-classification, token-classification, seq2seq, …
                "dataset_config": _TEXT,
                "split": _TEXT,
                "text_column": _TEXT,
                "label_column": _TEXT,
                "target_column": _TEXT,
                "max_samples": Param(check.int_between(1, 10_000_000)),
                "batch_size": _BATCH_SIZE,
                "max_length": Param(check.int_between(8, 32768)),
                "stride": Param(check.int_between(1, 32768)),
                "confidence": Param(check.fraction),  # bootstrap confidence level
                "run": Param(check.job_id),  # the train job whose run the results are stored with
                "device": _TEXT,
                "src_lang": _TEXT,  # seq2seq translation: evaluates as translation src → tgt
                "tgt_lang": _TEXT,
            },
            "hf_ecosystem.evaluation.job:run_evaluate_job",
            _describe_evaluate,
            result="hf_ecosystem.evaluation.results:EvaluationResult",
            gpu_capable=True,
        ),
        JobKind(
            "publish",
            "publish a model folder to the Hub or the local hub",
            {
                "source": Param(check.existing_path, required=True),  # a model folder
                "repo_id": Param(check.repo, required=True),
                "local": Param(check.boolean),
                "private": Param(check.boolean),
                "tag": Param(check.revision_name),
                "commit_message": _TEXT,
                "license": _TEXT,
                "card": Param(check.existing_path),  # an edited README.md instead of a new one
                "run": Param(check.job_id),
            },
            "hf_ecosystem.publishing.hub:run_publish_job",
            _describe_publish,
            result="hf_ecosystem.publishing.results:PublishJobResult",
        ),
    )
}


def known_kinds() -> list[str]:
    """Job kinds this version can run."""
    return sorted(KINDS)


def get_kind(name: str) -> JobKind:
    """The kind called `name`; JobSpecError listing the known ones otherwise."""
    kind = KINDS.get(name)
    if kind is None:
        raise JobSpecError(
            f"Invalid job: unknown kind {name!r}", f"Known kinds: {', '.join(known_kinds())}."
        )
    return kind
