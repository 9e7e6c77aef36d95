"""The `hf-tui` entry point: the TUI with no sub-command, scriptable sub-commands otherwise."""

from __future__ import annotations

import argparse
import importlib
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


# Each top-level command word and the module (":function" when not add_parsers, with arguments)
# that registers it, in help order.
# `hf-tui models search` imports only hub.py: the others cost start-up time it does not need.
_COMMANDS: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = (
    (("models",), "hub", ("model",)),
    (("datasets",), "hub", ("dataset",)),
    (("hub",), "hub:add_serve_parser", ()),
    (("cache",), "cache", ()),
    (("device",), "device", ()),
    (("auth",), "auth", ()),
    (("jobs", "download"), "jobs", ()),
    (("run",), "run", ()),
    (("demo",), "demo", ()),
    (("memory",), "memory", ()),
    (("runs",), "train", ()),
    (("publish",), "publish", ()),
    (("review",), "review", ()),
    (("cluster",), "cluster", ()),
)


def command_word(argv: Sequence[str]) -> str | None:
    """The sub-command `argv` names (its first word that is not an option), if it is one we know."""
    known = {word for words, _, _ in _COMMANDS for word in words}
    word = next((arg for arg in argv if not arg.startswith("-")), None)
    return word if word in known else None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or (`only`) the top level plus that one command."""
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
    for words, module, extra in _COMMANDS:
        if only is None or only in words:
            # Imported here, not at module level: plain `hf-tui` (the app) needs none of them.
            name, _, function = module.partition(":")
            commands = importlib.import_module(f"hf_tui.commands.{name}")
            getattr(commands, function or "add_parsers")(sub, *extra)
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

    parser = build_parser(command_word(given))
    args = parser.parse_args(given)
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
