"""`hf-tui run train` and `hf-tui runs list|compare`: fine-tuning as background jobs."""

from __future__ import annotations

import argparse


def add_run_parsers(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `run train`."""


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `runs`."""
