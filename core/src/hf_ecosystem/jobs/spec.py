"""JobSpec: what a job does, validated before launch with a message naming the bad field."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from hf_ecosystem.jobs.gpus import check_request
from hf_ecosystem.jobs.kinds import KINDS, get_kind, known_kinds
from hf_ecosystem.jobs.params import JobSpecError
from hf_ecosystem.jobs.slurm_options import SlurmOptions
from hf_ecosystem.redact import redact

__all__ = ["JobSpec", "JobSpecError", "known_kinds"]


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A validated job: its kind and parameters (plain JSON data)."""

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict[str, Any])
    gpus: int | None = None  # GPUs asked for; None: the kind's default (see jobs.gpus)
    slurm: SlurmOptions | None = None  # runs on a Slurm cluster with these; None: on this machine

    @classmethod
    def create(
        cls, kind: str, *, gpus: object = None, slurm: SlurmOptions | None = None, **params: Any
    ) -> JobSpec:
        """Validate and build; raises JobSpecError naming the first bad field (`gpus` is
        checked at run time too: it comes from the command line, forms and JSON)."""
        job_kind = get_kind(kind)
        count = None if gpus is None else check_request(kind, job_kind.gpu_capable, gpus)
        schema = job_kind.params
        unknown = sorted(set(params) - set(schema))
        if unknown:
            raise JobSpecError(
                f"Invalid job: unknown field {unknown[0]!r} for {kind}",
                f"Fields of {kind}: {', '.join(schema)}.",
            )
        clean: dict[str, Any] = {}
        for name, param in schema.items():
            value = params.get(name)
            if value is None:
                if param.required:
                    raise JobSpecError(f"Invalid job: {name!r} is required for {kind}")
                continue
            value = param.check(name, value)
            clean[name] = redact(value) if param.free_text and isinstance(value, str) else value
        if slurm is not None and count is not None:
            raise JobSpecError(
                "Invalid job: give a Slurm job's GPUs in its Slurm options",
                "`--gpus N` with `--on slurm` asks Slurm for N GPUs per node.",
            )
        return cls(kind, clean, count, slurm)

    @property
    def on(self) -> str:
        """Where it runs: "slurm" or "local"."""
        return "local" if self.slurm is None else "slurm"

    @property
    def gpu_capable(self) -> bool:
        """Whether jobs of this kind can use a GPU (False for a kind this version lacks)."""
        kind = KINDS.get(self.kind)
        return kind is not None and kind.gpu_capable

    def to_json(self) -> str:
        """The spec as JSON text."""
        data: dict[str, Any] = {"kind": self.kind, "params": dict(self.params)}
        if self.gpus is not None:
            data["gpus"] = self.gpus
        if self.slurm is not None:
            data["slurm"] = self.slurm.to_dict(only_set=True)
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> JobSpec:
        """Read a stored spec as it was validated at launch (files may have moved since)."""
        data = json.loads(text)
        gpus = data.get("gpus")
        slurm = data.get("slurm")
        return cls(
            str(data["kind"]),
            dict(data.get("params", {})),
            gpus if isinstance(gpus, int) else None,
            SlurmOptions.from_dict(cast("dict[str, Any]", slurm))
            if isinstance(slurm, dict)
            else None,
        )

    def describe(self) -> str:
        """A one-line human summary (the kind's name for a kind this version does not know)."""
        kind = KINDS.get(self.kind)
        return kind.describe(self.params) if kind is not None else self.kind
