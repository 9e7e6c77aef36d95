"""Where a run goes: this machine, or a Slurm cluster with its partition, nodes, GPUs, time and
account (blank: config.toml's `[slurm]` defaults, then Slurm's own)."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select

# name, label, placeholder; the names are SlurmOptions' fields
SLURM_FIELDS = (
    ("partition", "partition", "blank: the cluster's default"),
    ("nodes", "nodes", "1 (more: one training across nodes)"),
    ("gpus", "GPUs per node", "blank: the run's GPUs"),
    ("time", "time limit", "e.g. 4:00:00 or 1-00:00:00"),
    ("account", "account", "blank: your default account"),
)
_COUNTS = {"nodes", "gpus"}


class SlurmFields(Vertical):
    """A "run on" choice and, for a cluster, the Slurm options sbatch gets."""

    DEFAULT_CSS = """
    SlurmFields { height: auto; }
    SlurmFields #slurm-options { height: auto; display: none; }
    SlurmFields.-slurm #slurm-options { display: block; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label("run on", classes="form-label")
            yield Select(
                [("this machine", "local"), ("Slurm cluster (submitit)", "slurm")],
                value="local",
                allow_blank=False,
                id="field-on",
            )
        with Vertical(id="slurm-options"):
            for name, label, placeholder in SLURM_FIELDS:
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    yield Input(placeholder=placeholder, id=f"slurm-{name}")

    @on(Select.Changed, "#field-on")
    def _where(self, event: Select.Changed) -> None:
        self.set_class(event.value == "slurm", "-slurm")

    def placement(self) -> tuple[str, dict[str, Any]]:
        """("local", {}) or ("slurm", the options filled in); counts as numbers when they are."""
        where = self.query_one("#field-on", Select).value
        if where != "slurm":
            return "local", {}
        options: dict[str, Any] = {}
        for name, _, _ in SLURM_FIELDS:
            text = self.query_one(f"#slurm-{name}", Input).value.strip()
            if text:
                options[name] = int(text) if name in _COUNTS and text.isdigit() else text
        return "slurm", options
