"""`hf-tui run evaluate`: evaluation as a background job."""

from __future__ import annotations

import argparse


def add_run_parsers(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `run evaluate` (filled in by the evaluation work)."""
