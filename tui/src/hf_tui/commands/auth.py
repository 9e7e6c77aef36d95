"""`hf-tui auth login|whoami|logout`: tokens through huggingface_hub's own storage."""

from __future__ import annotations

import argparse
import getpass
import sys

from hf_ecosystem.errors import AuthError
from hf_ecosystem.hub import auth
from hf_tui.commands import common_options
from hf_tui.output import print_json


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `auth login`, `auth whoami`, `auth logout`."""
    group = sub.add_parser("auth", help="log in to the Hub with a token")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    login = actions.add_parser(
        "login",
        parents=[common_options()],
        help="check a token with the Hub and store it (read from the prompt or stdin)",
    )
    login.add_argument(
        "--token-stdin", action="store_true", help="read the token from standard input"
    )
    login.set_defaults(handler=run_login)
    actions.add_parser(
        "whoami", parents=[common_options()], help="the logged-in user"
    ).set_defaults(handler=run_whoami)
    actions.add_parser(
        "logout", parents=[common_options()], help="forget the stored token"
    ).set_defaults(handler=run_logout)


def _read_token(from_stdin: bool) -> str:
    # Never from argv: a token on the command line lands in shell history and `ps`.
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().strip()
    return getpass.getpass("Hugging Face token (input hidden): ").strip()


def run_login(args: argparse.Namespace) -> int:
    """Validate and store a token."""
    token = _read_token(args.token_stdin)
    if not token:
        raise AuthError("No token given", "Paste a token, or pipe one in with --token-stdin.")
    user = auth.login(token)
    if args.json:
        print_json({"ok": True, **user.to_dict()})
    else:
        print(f"Logged in as {user.name} (token {user.token_name!s}, role {user.token_role!s}).")
        if auth.env_token_set():
            print("Note: HF_TOKEN is set and takes precedence over the stored token.")
    return 0


def run_whoami(args: argparse.Namespace) -> int:
    """Print the logged-in user."""
    user = auth.whoami()
    if args.json:
        print_json({"ok": True, **user.to_dict()})
    else:
        orgs = f" · orgs: {', '.join(user.orgs)}" if user.orgs else ""
        print(f"{user.name} (token from {user.token_source}){orgs}")
    return 0


def run_logout(args: argparse.Namespace) -> int:
    """Forget stored tokens."""
    had = auth.logout()
    still = auth.env_token_set()
    if args.json:
        print_json({"ok": True, "removed": had, "env_token_still_set": still})
    else:
        print("Logged out." if had else "No stored token.")
        if still:
            print("HF_TOKEN is still set in the environment: unset it to log out fully.")
    return 0
