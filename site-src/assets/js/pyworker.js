/* Container Atlas — the Pyodide Web Worker behind runnable Python blocks (pyrun.js).
 *
 * A module worker (this Pyodide refuses classic workers), one per page, started on the first
 * ▶ Run; it runs the blocks one after the other in a shared namespace (like notebook cells).
 * Stop terminates the whole worker; the page makes a new one.
 *
 * Messages from the page:
 *   {type: "init", root}            root = absolute URL of the site root (ends with "/")
 *   {type: "run", id, code, graph}  graph = true: install networkx + atlasgraph and preload the
 *                                   catalog (`catalog`) and its graph (`G`) before running
 * Messages to the page:
 *   {type: "status", id, text}      loading phases
 *   {type: "out", id, stream, text} stdout / stderr text as it is written
 *   {type: "done", id, ok, missing, seconds, loading, start}  (seconds running; loading Python/
 *                                   graph; start = "snapshot" or "plain": how Python was started)
 *   {type: "fatal", id, text}       Python itself could not be loaded
 *
 * Everything comes from the site: Pyodide from assets/vendor/pyodide-<v>/ (named in
 * assets/wheels/wheels.json), the wheels and the Python memory snapshot from assets/wheels/, the
 * catalog from assets/graph.json. With a snapshot Python is restored, not started (a second
 * instead of three); a snapshot that cannot be fetched or restored falls back to a plain start.
 */
"use strict";

let root = null;
let pyodide = null;
let booting = null;
let graphReady = null;
let current = null;
let queue = Promise.resolve();

const post = (msg) => self.postMessage(msg);

function streamWriter(stream) {
  const decoder = new TextDecoder();
  return {
    write(buf) {
      const text = decoder.decode(buf, { stream: true });
      if (text) post({ type: "out", id: current, stream, text });
      return buf.length;
    },
  };
}

const RUNNER = String.raw`
import ast, inspect, linecache, sys, traceback

_AVAILABLE = "the Python standard library, networkx and atlasgraph"
_atlas_ns = {}
_atlas_graph = {}


def _atlas_reset():
    """A fresh namespace for the blocks (with catalog and G when the graph is loaded)."""
    _atlas_ns.clear()
    _atlas_ns.update({"__name__": "__main__", "__builtins__": __builtins__}, **_atlas_graph)


async def _atlas_load_graph(urls, catalog_text):
    """Install the wheels at urls (networkx, atlasgraph) with micropip; preload catalog and G."""
    import json
    import micropip

    await micropip.install(list(urls), deps=False)
    import atlasgraph

    catalog = json.loads(catalog_text)
    _atlas_graph.update(catalog=catalog, G=atlasgraph.load(catalog))
    _atlas_ns.update(_atlas_graph)


_atlas_reset()


async def _atlas_run(code, filename):
    """Run one block in the shared namespace; print a value left as the last expression."""
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    try:
        tree = ast.parse(code, filename, "exec")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        body = compile(tree, filename, "exec", flags=flags)
        tail = compile(last, filename, "eval", flags=flags) if last is not None else None
    except SyntaxError as exc:
        traceback.print_exception(type(exc), exc, None)
        return "error"
    try:
        result = eval(body, _atlas_ns)
        if inspect.isawaitable(result):
            await result
        if tail is not None:
            value = eval(tail, _atlas_ns)
            if inspect.isawaitable(value):
                value = await value
            if value is not None:
                _atlas_ns["_"] = value
                print(repr(value))
        return ""
    except BaseException as exc:
        if isinstance(exc, ModuleNotFoundError) and exc.name:
            top = exc.name.split(".")[0]
            exc.msg = f"No module named {exc.name!r}"
            traceback.print_exception(type(exc), exc, exc.__traceback__.tb_next)
            print(f"Missing package: {top!r} is not installed here. In-browser Python has "
                  f"{_AVAILABLE}.", file=sys.stderr)
            return "missing:" + top
        traceback.print_exception(type(exc), exc, exc.__traceback__.tb_next)
        return "error"
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
`;

async function fetchJSON(url) {
  const resp = await fetch(url);
  if (!resp.ok) throw new Error(`${url}: HTTP ${resp.status}`);
  return resp.json();
}

// What Pyodide starts with in a browser; the snapshot was made with the same.
const ENV = { HOME: "/home/pyodide" };

/** The snapshot's heap bytes. The file is gzip; a host that labels it Content-Encoding: gzip has
 * the browser unpack it already, so the worker gunzips only what still starts with gzip's magic
 * bytes (a heap starts with zeros). */
async function fetchSnapshot(url) {
  const resp = await fetch(url);
  if (!resp.ok) throw new Error(`${url}: HTTP ${resp.status}`);
  // Look at the first chunk, then stream the rest (gunzip runs while the file is still read).
  const reader = resp.body.getReader();
  const first = await reader.read();
  const head = first.value || new Uint8Array(0);
  const body = new ReadableStream({
    start(ctl) {
      if (first.done) ctl.close();
      else ctl.enqueue(head);
    },
    async pull(ctl) {
      const { done, value } = await reader.read();
      if (done) ctl.close();
      else ctl.enqueue(value);
    },
  });
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  const stream = gzipped ? body.pipeThrough(new DecompressionStream("gzip")) : body;
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Start Python: restore the site's memory snapshot when it has one, else a plain start. */
async function startPython(index, indexURL) {
  const snapshot = index.snapshot ? fetchSnapshot(root + "assets/wheels/" + index.snapshot.file) : null;
  if (snapshot) snapshot.catch(() => {});
  const { loadPyodide } = await import(indexURL + "pyodide.mjs");
  if (snapshot) {
    try {
      const py = await loadPyodide({ indexURL, env: ENV, fullStdLib: false, _loadSnapshot: snapshot });
      py._atlasStart = "snapshot";
      return py;
    } catch (err) {
      console.warn("Python snapshot not usable, starting Python the long way:", err);
    }
  }
  const py = await loadPyodide({ indexURL, env: ENV, fullStdLib: false });
  py._atlasStart = "plain";
  return py;
}

async function boot(id) {
  post({ type: "status", id, text: "loading" });
  const index = await fetchJSON(root + "assets/wheels/wheels.json");
  const indexURL = new URL(index.pyodide, root + "assets/").href;
  const py = await startPython(index, indexURL);
  py.setStdout(streamWriter("stdout"));
  py.setStderr(streamWriter("stderr"));
  await py.runPythonAsync(RUNNER);
  py._atlasIndex = index;
  return py;
}

async function loadGraph(py, id) {
  post({ type: "status", id, text: "packages" });
  const index = py._atlasIndex;
  const wheel = (name) => root + "assets/wheels/" + index.wheels[name].file;
  const catalog = fetch(root + "assets/graph.json").then((resp) => {
    if (!resp.ok) throw new Error(`assets/graph.json: HTTP ${resp.status}`);
    return resp.text();
  });
  catalog.catch(() => {});
  // micropip byte-compiled by the set-up (wheels.json) when there is one, else Pyodide's own copy.
  const micropip = index.wheels.micropip ? wheel("micropip") : "micropip";
  await py.loadPackage(micropip, { messageCallback: () => {} });
  const urls = ["networkx", "atlasgraph"].map(wheel);
  const catalogText = await catalog;
  const loader = py.globals.get("_atlas_load_graph");
  try {
    await loader(urls, catalogText);
  } finally {
    loader.destroy();
  }
}

async function run(msg) {
  const { id, code } = msg;
  current = id;
  const started = performance.now();
  try {
    if (!pyodide) {
      booting = booting || boot(id);
      pyodide = await booting;
    }
    if (msg.graph) {
      graphReady = graphReady || loadGraph(pyodide, id);
      await graphReady;
    }
  } catch (err) {
    booting = null;
    graphReady = null;
    post({ type: "fatal", id, text: String((err && err.message) || err) });
    return;
  }
  const loaded = performance.now();
  post({ type: "status", id, text: "running" });
  let outcome = "error";
  try {
    const runner = pyodide.globals.get("_atlas_run");
    outcome = await runner(code, msg.filename || "<block>");
    runner.destroy();
  } catch (err) {
    post({ type: "out", id, stream: "stderr", text: String((err && err.message) || err) + "\n" });
  }
  const missing = outcome && outcome.startsWith("missing:") ? outcome.slice(8) : null;
  post({
    type: "done",
    id,
    start: pyodide ? pyodide._atlasStart : null,
    ok: outcome === "",
    missing,
    seconds: (performance.now() - loaded) / 1000,
    loading: (loaded - started) / 1000,
  });
}

self.onmessage = (event) => {
  const msg = event.data || {};
  if (msg.type === "init") {
    root = msg.root;
  } else if (msg.type === "run") {
    queue = queue.then(() => run(msg));
  }
};
