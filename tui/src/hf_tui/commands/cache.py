"""`hf-tui cache ls|rm`: what is cached, and freeing space."""

from __future__ import annotations

import argparse

from hf_ecosystem.hub.cache import delete_from_cache, list_cache
from hf_ecosystem.hub.repo_id import split_revision
from hf_tui.commands import common_options
from hf_tui.format import human_bytes, human_date
from hf_tui.output import print_json, print_table


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `cache ls` and `cache rm`."""
    group = sub.add_parser("cache", help="list or delete cached repos")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    ls = actions.add_parser(
        "ls", parents=[common_options()], help="cached repos and revisions with sizes"
    )
    ls.set_defaults(handler=run_ls)
    rm = actions.add_parser(
        "rm", parents=[common_options()], help="delete a cached repo or one revision"
    )
    rm.add_argument("spec", metavar="REPO[@REVISION]", help="revision: commit (prefix) or ref")
    rm.add_argument("--type", choices=["model", "dataset"], help="when the id is ambiguous")
    rm.set_defaults(handler=run_rm)


def run_ls(args: argparse.Namespace) -> int:
    """List the cache."""
    repos = list_cache()
    if args.json:
        print_json({"ok": True, "repos": [r.to_dict() for r in repos]})
        return 0
    if not repos:
        print("The cache is empty.")
        return 0
    rows = [
        [
            r.repo_id,
            r.kind,
            ", ".join(f"{rev.commit[:8]}" + (f" ({', '.join(rev.refs)})" if rev.refs else "")
                      for rev in r.revisions),
            human_bytes(r.size_bytes),
            human_date(r.last_modified),
        ]
        for r in repos
    ]  # fmt: skip
    print_table(["repo", "type", "revisions", "size", "modified"], rows)
    print(f"{len(repos)} repos, {human_bytes(sum(r.size_bytes for r in repos))} in all")
    return 0


def run_rm(args: argparse.Namespace) -> int:
    """Delete one revision or a whole repo from the cache."""
    repo_id, revision = split_revision(args.spec)
    freed = delete_from_cache(repo_id, revision, kind=args.type)
    if args.json:
        print_json({"ok": True, "repo": repo_id, "revision": revision, "freed_bytes": freed})
    else:
        print(f"Deleted {args.spec}: {human_bytes(freed)} freed.")
    return 0
