"""The `hf-tui` entry point: the TUI with no sub-command, scriptable sub-commands otherwise."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn, cast

from hf_tui import __version__


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: the problem, what to do, and where the help is."""

    def error(self, message: str) -> NoReturn:
        hint = f"see `{self.prog} --help`"
        if message.startswith("unrecognized arguments: -"):
            word = message.split(": ", 1)[1].split()[0]
            hint = f"a value starting with '-' goes after `--` (`{self.prog} … -- {word}`); {hint}"
        self.exit(2, f"{self.prog}: error: {message} — {hint}\n")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    # Imported here, not at module level: plain `hf-tui` (the app) needs none of them.
    from hf_tui.commands import auth as auth_commands
    from hf_tui.commands import cache as cache_commands
    from hf_tui.commands import demo as demo_commands
    from hf_tui.commands import device as device_commands
    from hf_tui.commands import hub as hub_commands
    from hf_tui.commands import jobs as jobs_commands
    from hf_tui.commands import memory as memory_commands
    from hf_tui.commands import publish as publish_commands
    from hf_tui.commands import run as run_commands
    from hf_tui.commands import train as train_commands

    common = _Parser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine-readable output")
    common.add_argument(
        "--offline", action="store_true", help="use the local hub, never the network"
    )

    parser = _Parser(
        prog="hf-tui",
        description="A terminal workbench for the Hugging Face ecosystem. "
        "Run with no command to open the TUI.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"hf-tui {__version__}")
    sub = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", metavar="COMMAND"),
    )
    hub_commands.add_parsers(sub, "model")
    hub_commands.add_parsers(sub, "dataset")
    hub_commands.add_serve_parser(sub)
    cache_commands.add_parsers(sub)
    device_commands.add_parsers(sub)
    auth_commands.add_parsers(sub)
    jobs_commands.add_parsers(sub)
    run_commands.add_parsers(sub)
    demo_commands.add_parsers(sub)
    memory_commands.add_parsers(sub)
    train_commands.add_parsers(sub)
    publish_commands.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 error, 2 usage, 130 interrupted)."""
    given = list(sys.argv[1:] if argv is None else argv)
    if set(given) <= {"--offline"}:
        # Plain `hf-tui`: start the app without loading every sub-command (faster first frame).
        from hf_tui.app import run_app

        return run_app(offline=bool(given))
    from hf_ecosystem.errors import HfEcoError
    from hf_tui.output import print_error

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from hf_tui.app import run_app

        return run_app(offline=args.offline)
    try:
        code = int(args.handler(args))
        sys.stdout.flush()  # a closed pipe shows here, inside the try, not at interpreter exit
        return code
    except HfEcoError as exc:
        print_error(exc, as_json=args.json)
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        # `hf-tui … | head -1`: the reader has gone; stop quietly, as Unix tools do. Point stdout
        # at /dev/null so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a tool stopped by a closed pipe
    except Exception as exc:  # a bug, but the user still gets one line, not a traceback
        wrapped = HfEcoError(
            f"Unexpected error: {type(exc).__name__}: {exc}",
            "This is a bug in hf-tui; rerun with HFTUI_DEBUG=1 for the traceback.",
        )
        if os.environ.get("HFTUI_DEBUG"):
            raise
        print_error(wrapped, as_json=args.json)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
