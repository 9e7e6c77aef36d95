"""`hf-tui publish`: push a run's model to the Hub or the local hub as a background job."""

from __future__ import annotations

import argparse


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `publish` (filled in by the publishing work)."""
