"""CLI sub-commands, one module per group."""

from __future__ import annotations

import argparse


def common_options() -> argparse.ArgumentParser:
    """--json and --offline, accepted after the sub-command too (they default to the top level)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )
    parent.add_argument(
        "--offline",
        action="store_true",
        default=argparse.SUPPRESS,
        help="use the local hub, never the network",
    )
    return parent
