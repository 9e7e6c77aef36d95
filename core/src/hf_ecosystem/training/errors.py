"""The error a fine-tune raises when it cannot start or go on."""

from __future__ import annotations

from hf_ecosystem.errors import HfEcoError


class TrainingError(HfEcoError):
    """A fine-tune that cannot start or go on."""

    default_title = "Training failed"
    default_hint = "Check the config; the job's log has the details."
