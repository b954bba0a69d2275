"""The `./atlas` command line: set-up, build, serve, test, and knowledge-base tools.

Every subcommand has --help. Handlers import their modules lazily so `./atlas --help` is instant.
Only this module turns exceptions into exit codes.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from atlas import ROOT
from atlas.errors import AtlasError

DEFAULT_KB = ROOT / "kb"
DEFAULT_SITE = ROOT / "site"
DEFAULT_DOCS = ROOT / "docs"


def _cmd_up(args: argparse.Namespace) -> int:
    from atlas.provision.setup import up

    return up(host=args.host, port=args.port, skip_install=args.no_install)


def _cmd_setup(args: argparse.Namespace) -> int:
    from atlas.provision.setup import setup

    setup(skip_install=args.no_install)
    return 0


def _cmd_down(args: argparse.Namespace) -> int:
    from atlas.provision.setup import down

    return down()


def _cmd_status(args: argparse.Namespace) -> int:
    from atlas.provision.setup import status

    return status()


def _cmd_test(args: argparse.Namespace) -> int:
    from atlas.testing.runner import run_tests

    return run_tests(args.pytest_args, skip_setup=args.no_setup)


def _cmd_build(args: argparse.Namespace) -> int:
    from atlas.sitegen.publish import build_site

    build_site(
        kb_dir=Path(args.kb),
        out_dir=Path(args.out),
        strict=not args.no_strict,
        site_url=args.site_url,
        api_url=args.api_url,
        repo_url=args.repo_url,
        edit_uri=args.edit_uri,
    )
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from sandbox.serve import serve

    return serve(host=args.host, port=args.port, site_dir=Path(args.site), config_path=args.config)


def _cmd_check(args: argparse.Namespace) -> int:
    from atlas.inputs import run

    return run(Path(args.kb), Path(args.docs), fmt=args.format)


def _cmd_kb_check(args: argparse.Namespace) -> int:
    from atlas.kb.commands import check

    return check(Path(args.kb), fmt=args.format)


def _cmd_kb_export(args: argparse.Namespace) -> int:
    from atlas.kb.commands import export

    return export(Path(args.kb), fmt=args.format, out=args.out)


def _cmd_kb_landscape(args: argparse.Namespace) -> int:
    from atlas.kb.landscape_report import run

    return run(Path(args.kb), Path(args.data), fmt=args.format)


def _cmd_kb_path(args: argparse.Namespace) -> int:
    from atlas.kb.commands import path

    return path(Path(args.kb), args.source, args.target)


def _cmd_kb_try(args: argparse.Namespace) -> int:
    from atlas.kb.try_command import kb_try

    return kb_try(Path(args.kb), args.ids, args.all)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for `./atlas`."""
    p = argparse.ArgumentParser(
        prog="atlas",
        description="Container Atlas: the container ecosystem as a graph-linked site with live sandboxes.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("up", help="set everything up and serve site + sandbox on http://127.0.0.1:8000")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    s.add_argument("--no-install", action="store_true", help="never install system packages; report them")
    s.set_defaults(func=_cmd_up)

    s = sub.add_parser("setup", help="install and build everything `up` and `test` need, then exit")
    s.add_argument("--no-install", action="store_true", help="never install system packages; report them")
    s.set_defaults(func=_cmd_setup)

    s = sub.add_parser("down", help="stop what `up` started (server, registry, dockerd we started)")
    s.set_defaults(func=_cmd_down)

    s = sub.add_parser("status", help="show what is set up and running")
    s.set_defaults(func=_cmd_status)

    s = sub.add_parser("test", help="set everything up, then run lint and the whole test suite")
    s.add_argument("--no-setup", action="store_true", help="skip the set-up steps (they must be done)")
    s.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra arguments for pytest")
    s.set_defaults(func=_cmd_test)

    s = sub.add_parser("build", help="build the site (the previous site stays if the build fails)")
    s.add_argument("--kb", default=str(DEFAULT_KB), help="knowledge-base folder (default kb/)")
    s.add_argument("--out", default=str(DEFAULT_SITE), help="output folder (default site/)")
    s.add_argument("--no-strict", action="store_true", help="do not treat MkDocs warnings as errors")
    s.add_argument(
        "--site-url",
        default=os.environ.get("ATLAS_SITE_URL") or None,
        help="public address of the site, e.g. https://atlas.example.org/ (default $ATLAS_SITE_URL): "
        "adds canonical links and a sitemap.xml, which is left out without it",
    )
    s.add_argument(
        "--api-url",
        default=os.environ.get("ATLAS_API_URL") or None,
        help="address of the sandbox service when the site is published elsewhere, e.g. "
        "https://sandbox.example.org (default $ATLAS_API_URL; else the site's own /api); the service "
        "must list the site's origin in allowed_origins",
    )
    s.add_argument(
        "--repo-url",
        default=os.environ.get("ATLAS_REPO_URL") or None,
        help="where the project is hosted, e.g. https://github.com/org/container-atlas (default "
        '$ATLAS_REPO_URL): pages get "edit this page" links to their Markdown or KB YAML file there; '
        "without it, no edit links",
    )
    s.add_argument(
        "--edit-uri",
        default=os.environ.get("ATLAS_EDIT_URI") or None,
        help="the docs folder's edit path under --repo-url (default $ATLAS_EDIT_URI, else edit/main/docs/)",
    )
    s.set_defaults(func=_cmd_build)

    s = sub.add_parser("check", help="check the knowledge base and the tutorials; list every problem")
    s.add_argument("--kb", default=str(DEFAULT_KB), help="knowledge-base folder (default kb/)")
    s.add_argument("--docs", default=str(DEFAULT_DOCS), help="pages folder with tutorials/ (default docs/)")
    s.add_argument("--format", choices=["text", "json"], default="text", help="output format")
    s.set_defaults(func=_cmd_check)

    s = sub.add_parser("serve", help="serve a built site with the sandbox API")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    s.add_argument("--site", default=str(DEFAULT_SITE), help="built site folder (default site/)")
    s.add_argument("--config", default=None, help="sandbox configuration file (default sandbox/config.yaml)")
    s.set_defaults(func=_cmd_serve)

    kb = sub.add_parser("kb", help="knowledge-base tools: check, export, path, landscape, try")
    kbsub = kb.add_subparsers(dest="kb_command", metavar="KB_COMMAND")
    s = kbsub.add_parser("check", help="validate the knowledge base; exit 1 and list every error")
    s.add_argument("--kb", default=str(DEFAULT_KB), help="knowledge-base folder (default kb/)")
    s.add_argument("--format", choices=["text", "json"], default="text", help="output format")
    s.set_defaults(func=_cmd_kb_check)
    s = kbsub.add_parser("export", help="write entries and typed relations (inverses included)")
    s.add_argument("--kb", default=str(DEFAULT_KB), help="knowledge-base folder (default kb/)")
    s.add_argument("--format", choices=["json", "csv", "data"], default="json", help="output format")
    s.add_argument(
        "--out",
        default=None,
        help="json: output file (a folder gets graph.json); csv: folder that gets entries.csv and "
        "relations.csv; data: folder that gets the site's /data/v1/ files. Default: standard output "
        "(csv: entries, a blank line, then relations)",
    )
    s.set_defaults(func=_cmd_kb_export)
    s = kbsub.add_parser("path", help="the shortest typed path between two components")
    s.add_argument("source", help="component id")
    s.add_argument("target", help="component id")
    s.add_argument("--kb", default=str(DEFAULT_KB), help="knowledge-base folder (default kb/)")
    s.set_defaults(func=_cmd_kb_path)
    s = kbsub.add_parser(
        "landscape",
        help="compare entries with the CNCF landscape data; list what is missing",
        description="Compare the KB with a CNCF landscape data file (landscape.yml, as landscape2 reads it): "
        "entries whose repository, homepage or CNCF maturity disagree (unless declared in the entry's "
        "landscape.reviewed_differences), CNCF dates the entries lack, and landscape items with no entry, "
        "CNCF maturity first. The container ecosystem is: Provisioning (Container Registry, Security & "
        "Compliance, Key Management), Runtime (all), Orchestration & Management (Scheduling & "
        "Orchestration, Coordination & Service Discovery, Service Proxy, API Gateway, Service Mesh), App "
        "Definition and Development (Application Definition & Image Build, Continuous Integration & "
        "Delivery), Platform (Certified Kubernetes - Distribution and - Installer, PaaS/Container Service), "
        "Serverless (Installable Platform), Observability and Analysis (Observability), Wasm (Runtimes, "
        "Orchestration & Management). Exit 1 while unreviewed disagreements remain.",
    )
    s.add_argument("--data", required=True, help="landscape data file (landscape.yml of cncf/landscape)")
    s.add_argument("--kb", default=str(DEFAULT_KB), help="knowledge-base folder (default kb/)")
    s.add_argument("--format", choices=["text", "json"], default="text", help="output format")
    s.set_defaults(func=_cmd_kb_landscape)
    s = kbsub.add_parser(
        "try",
        help="run entries' try examples (sandboxes, Pyodide); exit 1 on any failure",
        description="Run the try.run examples of the named entries (or of every entry with --all) the way "
        "a learner would: all docker-profile examples in one docker-profile sandbox session (the docker CLI "
        "talking to the policed gateway), shell-profile ones in one shell-profile sandbox, in parallel. Each "
        "example runs under `bash -e` (every command must succeed) within 90 s, in the learner's home; a "
        "docker example must remove the containers, volumes and networks it creates. Prints `ok ID` or "
        "`FAIL kb/<cat>/<id>.yaml:<line>: try.run: why` with the tail of the output, then a summary. "
        "try.python examples run in Pyodide under Node, as a page runs them (no exception = pass). "
        "Needs the engine, the images and the Pyodide files of ./atlas setup.",
    )
    s.add_argument("ids", nargs="*", metavar="ID", help="entry ids (kb/<category>/<id>.yaml)")
    s.add_argument("--all", action="store_true", help="every entry with a try.run or try.python example")
    s.add_argument("--kb", default=str(DEFAULT_KB), help="knowledge-base folder (default kb/)")
    s.set_defaults(func=_cmd_kb_try)
    kb.set_defaults(func=None, _parser=kb)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (2 for usage errors)."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    known = set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    if argv and not argv[0].startswith("-") and argv[0] not in known:
        print(f"atlas: unknown command '{argv[0]}'\n", file=sys.stderr)
        parser.print_help(sys.stderr)
        return 2
    if argv and argv[0] == "test":
        # Everything after `test` (and its own flags) goes to pytest, dashes included (`-k x`, `-m y`).
        rest, own = list(argv[1:]), []
        while rest and rest[0] in ("--no-setup", "-h", "--help"):
            own.append(rest.pop(0))
        args = parser.parse_args(["test", *own])
        args.pytest_args = rest[1:] if rest[:1] == ["--"] else rest
    else:
        args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        (getattr(args, "_parser", None) or parser).print_help(sys.stderr)
        return 2
    try:
        return int(func(args) or 0)
    except AtlasError as exc:
        print(f"atlas: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
