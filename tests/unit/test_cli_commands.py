"""The CLI registers only the command it runs, and that table stays complete."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from hf_tui.cli import _COMMANDS, build_parser, command_word


def _words(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def test_every_command_word_is_in_the_table() -> None:
    """A command module that registers a word the table lacks would only run with a full parse."""
    table = {word for words, _, _ in _COMMANDS for word in words}
    assert _words(build_parser()) == table


@pytest.mark.parametrize("word", sorted({w for words, _, _ in _COMMANDS for w in words}))
def test_one_command_parser_holds_that_command(word: str) -> None:
    assert word in _words(build_parser(word))


def test_command_word_skips_options_and_unknown_words() -> None:
    assert command_word(["--json", "models", "search", "bert"]) == "models"
    assert command_word(["--offline", "runs", "list"]) == "runs"
    assert command_word(["--help"]) is None
    assert command_word(["nonsense"]) is None  # the full parser says what is known


@pytest.mark.slow  # starts a fresh Python to see which modules a command imports
def test_models_search_imports_no_other_command() -> None:
    """`hf-tui models …` must not pay for auth, jobs, publish or the remote Hub client."""
    code = (
        "import sys\n"
        "from hf_tui.cli import build_parser\n"
        "build_parser('models').parse_args(['models', 'search', '--offline'])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('hf_tui.commands.', "
        "'hf_ecosystem.hub.remote', 'hf_ecosystem.hub.auth', 'httpx'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert eval(out) == ["hf_tui.commands.datasets_data", "hf_tui.commands.hub"]
