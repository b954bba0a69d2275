"""Runs the learner's Python blocks inside Pyodide, like notebook cells (the browser's side of pyrun).

The page's Web Worker (assets/js/pyworker.js) fetches this file from the site, imports it as the
module `atlas_runner` and calls:

- `run(code, filename)` for each ▶ Run: the block runs in one namespace shared by the page's blocks;
  a value left as the last expression is printed (as in a REPL); errors print a traceback without
  this module's frames. Returns "" (ran), "error", or "missing:<module>" for an import of a package
  the in-browser Python does not have;
- `load_graph(urls, catalog_text)` before the first block that uses the knowledge graph: installs
  the networkx and atlasgraph wheels at `urls` with micropip and preloads `catalog` and `G`;
- `reset()` for a fresh namespace (keeping `catalog` and `G`);
- `configure(base_url, index_json)` once after import, with the site's wheels folder URL and its
  wheels.json: a block that imports a module named under "imports" (e.g. `opentelemetry`) gets that
  module's wheels installed with micropip just before it runs — only then, so a page that never
  imports one fetches none of them.

The same file runs in CPython as the reference the tests compare Pyodide's output with
(tests/pyexamples.py) and under Node (src/atlas/kb/pyodide_node.mjs); the set-up's Python
memory snapshot (provision/py_snapshot.mjs) imports it, so its key hashes this file.
"""

from __future__ import annotations

import ast
import inspect
import linecache
import sys
import traceback

AVAILABLE = "the Python standard library, networkx and atlasgraph"

# Module-level state on purpose: one worker serves one page of one learner, and the page's blocks
# share one namespace like notebook cells. Nothing here is shared between pages or learners.
_namespace: dict = {}
_graph: dict = {}
_on_demand: dict[str, list[str]] = {}  # module -> wheel URLs (configure)
_installed: set[str] = set()
_micropip = {"url": "micropip"}


def reset() -> None:
    """A fresh namespace for the blocks (with `catalog` and `G` when the graph is loaded)."""
    _namespace.clear()
    _namespace.update({"__name__": "__main__", "__builtins__": __builtins__}, **_graph)


def preload(catalog: dict, graph: object) -> None:
    """Make `catalog` and its graph `G` names every block sees (now and after `reset`)."""
    _graph.update(catalog=catalog, G=graph)
    _namespace.update(_graph)


async def load_graph(urls: list[str], catalog_text: str) -> None:
    """Install the wheels at `urls` (networkx, atlasgraph) with micropip; preload catalog and G."""
    import json

    import micropip  # Pyodide's package installer: only in the browser (and under Node)

    await micropip.install(list(urls), deps=False)
    import atlasgraph

    catalog = json.loads(catalog_text)
    preload(catalog, atlasgraph.load(catalog))


def configure(base_url: str, index_json: str) -> None:
    """Know the on-demand wheels of the site's wheels.json (`index_json`), served under `base_url`."""
    import json

    index = json.loads(index_json)
    wheels = index.get("wheels", {})
    files = {name: base_url + entry["file"] for name, entry in wheels.items()}
    _on_demand.clear()
    for module, names in (index.get("imports") or {}).items():
        _on_demand[module] = [files[name] for name in names if name in files]
    if "micropip" in files:
        _micropip["url"] = files["micropip"]


def _wanted(tree: ast.AST) -> list[str]:
    """The on-demand modules the block imports whose wheels are not installed yet."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return sorted(m for m in names & _on_demand.keys() if not set(_on_demand[m]) <= _installed)


async def _install(modules: list[str]) -> None:
    """Install the wheels of `modules` with micropip (loaded first when no graph block loaded it)."""
    urls = [url for m in modules for url in _on_demand[m] if url not in _installed]
    try:
        import micropip
    except ModuleNotFoundError:
        import pyodide_js  # only in Pyodide; configure() is only called there

        await pyodide_js.loadPackage(_micropip["url"])
        import micropip
    await micropip.install(urls, deps=False)
    _installed.update(urls)


def _available() -> str:
    """What the in-browser Python has, for the missing-package message."""
    if not _on_demand:
        return AVAILABLE
    return f"{AVAILABLE}, and on import {', '.join(sorted(_on_demand))}"


def _compile(code: str, filename: str):
    """The block's statements and, when it ends with an expression, that expression, compiled."""
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    tree = ast.parse(code, filename, "exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    body = compile(tree, filename, "exec", flags=flags)
    tail = compile(last, filename, "eval", flags=flags) if last is not None else None
    return body, tail


def _report(exc: BaseException) -> str:
    """Print the traceback of `exc` without this module's frame; return the run's outcome."""
    tb = exc.__traceback__.tb_next if exc.__traceback__ else None
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        top = exc.name.split(".")[0]
        exc.msg = f"No module named {exc.name!r}"
        traceback.print_exception(type(exc), exc, tb)
        print(
            f"Missing package: {top!r} is not installed here. In-browser Python has {_available()}.",
            file=sys.stderr,
        )
        return "missing:" + top
    traceback.print_exception(type(exc), exc, tb)
    return "error"


async def run(code: str, filename: str = "<block>") -> str:
    """Run one block in the shared namespace; print a value left as the last expression.

    Returns "" when it ran, "error" after a traceback, "missing:<module>" for a missing package.
    """
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    try:
        body, tail = _compile(code, filename)
    except SyntaxError as exc:
        traceback.print_exception(type(exc), exc, None)
        return "error"
    wanted = _wanted(ast.parse(code, filename))
    if wanted:
        try:
            await _install(wanted)
        except Exception as exc:  # a wheel the site could not serve: say which, run nothing
            print(f"Could not install {', '.join(wanted)} from the site: {exc}", file=sys.stderr)
            return "error"
    try:
        result = eval(body, _namespace)
        if inspect.isawaitable(result):
            await result
        if tail is not None:
            value = eval(tail, _namespace)
            if inspect.isawaitable(value):
                value = await value
            if value is not None:
                _namespace["_"] = value
                print(repr(value))
        return ""
    except BaseException as exc:  # the learner's code may raise anything, SystemExit included
        return _report(exc)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


reset()
