"""`hf-tui models …` and `hf-tui datasets …` (search, info, card) and `hf-tui hub serve`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hf_ecosystem.errors import CardError
from hf_ecosystem.hub.cards import parse_card_text
from hf_ecosystem.hub.licenses import lookup_license
from hf_ecosystem.hub.selection import select_backend
from hf_ecosystem.hub.types import RepoKind, RepoSummary, SearchFilters, Sort
from hf_tui.commands import common_options, datasets_data
from hf_tui.format import human_bytes, human_count, human_date, summary_cells, summary_columns
from hf_tui.output import print_json, print_table


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], kind: RepoKind) -> None:
    """Register `models` or `datasets` with search, info and card."""
    noun = f"{kind}s"
    group = sub.add_parser(noun, help=f"search and inspect {noun}")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")

    search = actions.add_parser("search", parents=[common_options()], help=f"search {noun}")
    search.add_argument("query", nargs="?", default="", help="text to look for in repo ids")
    search.add_argument("--task", help="pipeline tag, e.g. text-classification")
    search.add_argument("--library", help="e.g. transformers, sentence-transformers")
    search.add_argument("--language", help="ISO code, e.g. en")
    search.add_argument("--license", help="license id, e.g. apache-2.0")
    search.add_argument("--author", help="user or organisation")
    search.add_argument("--tag", action="append", default=[], help="free tag (repeatable)")
    search.add_argument(
        "--sort", choices=[s.value for s in Sort], default=Sort.DOWNLOADS.value, help="order"
    )
    search.add_argument("--limit", type=int, default=20, help="number of results (1-1000)")
    search.set_defaults(handler=run_search, kind=kind)

    info = actions.add_parser(
        "info", parents=[common_options()], help=f"details of one {kind}: files, sizes, metadata"
    )
    info.add_argument("repo", help="repo id, e.g. org/name")
    info.set_defaults(handler=run_info, kind=kind)

    card = actions.add_parser(
        "card", parents=[common_options()], help="the parsed card: metadata, license, body"
    )
    card.add_argument("repo", help="repo id, e.g. org/name")
    card.set_defaults(handler=run_card, kind=kind)
    if kind == "dataset":
        datasets_data.add_dataset_actions(actions)


def run_search(args: argparse.Namespace) -> int:
    """Search and print a table or JSON."""
    if not 1 <= args.limit <= 1000:
        raise SystemExit("error: --limit must be between 1 and 1000")
    choice = select_backend(offline=args.offline or None)
    filters = SearchFilters(
        query=args.query,
        task=args.task,
        library=args.library,
        language=args.language,
        license=args.license,
        author=args.author,
        tags=tuple(args.tag),
    )
    sort = Sort(args.sort)
    backend = choice.backend
    if args.kind == "model":
        results: list[RepoSummary] = list(backend.search_models(filters, sort, args.limit))
    else:
        results = list(backend.search_datasets(filters, sort, args.limit))
    if args.json:
        print_json(
            {
                "ok": True,
                "backend": choice.description,
                "offline": backend.is_offline,
                "results": [r.to_dict() for r in results],
            }
        )
        return 0
    sys.stderr.write(f"backend: {choice.description}\n")
    if not results:
        print("No results.")
        return 0
    print_table(summary_columns(args.kind), [summary_cells(r) for r in results])
    return 0


def run_info(args: argparse.Namespace) -> int:
    """Print one repo's details."""
    choice = select_backend(offline=args.offline or None)
    backend = choice.backend
    details = (
        backend.model_info(args.repo) if args.kind == "model" else backend.dataset_info(args.repo)
    )
    if args.json:
        print_json({"ok": True, "backend": choice.description, **details.to_dict()})
        return 0
    sys.stderr.write(f"backend: {choice.description}\n")
    s = details.summary
    print(f"{s.id}  ({s.kind})")
    for label, value in (
        ("task", s.task),
        ("library", s.library),
        ("license", s.license),
        ("languages", ", ".join(s.languages)),
        ("parameters", human_count(s.parameters) if s.parameters else None),
        ("downloads", human_count(s.downloads) if s.downloads is not None else None),
        ("likes", human_count(s.likes) if s.likes is not None else None),
        ("updated", human_date(s.last_modified) if s.last_modified else None),
        ("total size", human_bytes(details.total_size) if details.total_size else None),
        ("local path", details.local_path),
    ):
        if value:
            print(f"  {label:<11} {value}")
    print_table(["file", "size"], [[f.path, human_bytes(f.size)] for f in details.files])
    return 0


def run_card(args: argparse.Namespace) -> int:
    """Print the parsed card; a malformed card still prints its raw text and the problem."""
    choice = select_backend(offline=args.offline or None)
    text = choice.backend.card(args.repo, args.kind)
    try:
        parsed = parse_card_text(text, args.kind)
        error: CardError | None = None
    except CardError as exc:
        parsed, error = None, exc
    license_id = parsed.license if parsed else None
    license_info = lookup_license(license_id)
    if args.json:
        print_json(
            {
                "ok": error is None,
                "repo": args.repo,
                "backend": choice.description,
                "metadata": parsed.to_dict() if parsed else None,
                "license": license_info.to_dict(),
                "body": parsed.body if parsed else text,
                "error": error.to_dict() if error else None,
            }
        )
        return 0
    if error is not None:
        sys.stderr.write(f"warning: {error}\n")
        print(text)
        return 0
    assert parsed is not None
    print(f"license: {license_info.id} — {license_info.summary}")
    if parsed.tags:
        print(f"tags: {', '.join(parsed.tags)}")
    if parsed.results:
        print_table(
            ["task", "dataset", "metric", "value"],
            [[r.task, r.dataset, r.metric, str(r.value)] for r in parsed.results],
        )
    print(parsed.body.strip())
    return 0


def add_serve_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `hub serve`."""
    group = sub.add_parser("hub", help="the local hub as a Hub endpoint")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    serve = actions.add_parser(
        "serve",
        parents=[common_options()],
        help="serve the local hub on 127.0.0.1 for HF_ENDPOINT (reads free, writes with a token)",
    )
    serve.add_argument("--port", type=int, default=0, help="port to listen on (0: a free one)")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on; anything but loopback lets other machines read the hub",
    )
    serve.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    """Serve until interrupted; prints the URL and the write token first."""
    from hf_ecosystem.config import load_settings
    from hf_ecosystem.hub.serve import HubServer, is_loopback

    if not 0 <= args.port <= 65535:
        raise SystemExit("error: --port must be between 0 and 65535")
    server = HubServer(load_settings(), args.host, args.port)
    try:  # from here on, a Ctrl-C still stops the server and removes its token file
        _announce(server, args.json, is_loopback(args.host), args.host)
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _announce(server: Any, as_json: bool, loopback: bool, host: str) -> None:
    """Print the URL and the write token (the one secret this command is meant to show)."""
    if as_json:
        # One line, not print_json: that redacts tokens, and this one is meant to be shown.
        shown = {"url": server.url, "token": server.token, "user": server.user}
        sys.stdout.write(json.dumps({**shown, "token_file": str(server.token_path)}) + "\n")
    else:
        print(f"Serving the local hub at {server.url}")
        print(f"  export HF_ENDPOINT={server.url} HF_HUB_OFFLINE=0 HF_HUB_DISABLE_XET=1")
        print(f"  write token (new at every start, also in {server.token_path}):")
        print(f"  {server.token}")
        print(f"  writes go to {server.user}/<name> unless a repo id names another namespace")
        print("Press Ctrl-C to stop.")
    if not loopback:
        sys.stderr.write(
            f"warning: listening on {host}: other machines can read the local hub "
            "(writes still need the token)\n"
        )
    sys.stdout.flush()
