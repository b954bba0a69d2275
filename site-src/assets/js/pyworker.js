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
 * A block that imports a module named in wheels.json's "imports" (e.g. opentelemetry) has the runner
 * install that module's wheels from assets/wheels/ just before it runs; no other block fetches them.
 *
 * Everything comes from the site: Pyodide from assets/vendor/pyodide-<v>/ (named in
 * assets/wheels/wheels.json), the wheels and the Python memory snapshot from assets/wheels/, the
 * catalog from assets/graph.json, and the Python that runs the blocks from assets/py/atlas_runner.py
 * (imported as the module `atlas_runner`). With a snapshot Python is restored, not started (a second
 * instead of three); a snapshot that cannot be fetched or restored falls back to a plain start.
 */
const RUNNER_DIR = "/atlas";

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

async function fetchOK(url) {
  const resp = await fetch(url);
  if (!resp.ok) throw new Error(`${url}: HTTP ${resp.status}`);
  return resp;
}

const fetchJSON = async (url) => (await fetchOK(url)).json();
const fetchText = async (url) => (await fetchOK(url)).text();

// What Pyodide starts with in a browser; the snapshot was made with the same.
const ENV = { HOME: "/home/pyodide" };

/** The snapshot's heap bytes. The file is gzip; a host that labels it Content-Encoding: gzip has
 * the browser unpack it already, so the worker gunzips only what still starts with gzip's magic
 * bytes (a heap starts with zeros). */
async function fetchSnapshot(url) {
  const resp = await fetchOK(url);
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
  const source = fetchText(root + "assets/py/atlas_runner.py");
  source.catch(() => {});
  const py = await startPython(index, indexURL);
  py.setStdout(streamWriter("stdout"));
  py.setStderr(streamWriter("stderr"));
  py._atlasRunner = importRunner(py, await source);
  // The wheels a block gets only when it imports their module (wheels.json "imports").
  py._atlasRunner.configure(root + "assets/wheels/", JSON.stringify(index));
  py._atlasIndex = index;
  return py;
}

/** Import the runner's source as the module `atlas_runner` (a file in Pyodide's file system, so a
 * traceback inside it names its lines); returns the module. */
function importRunner(py, source) {
  py.FS.mkdirTree(RUNNER_DIR);
  py.FS.writeFile(RUNNER_DIR + "/atlas_runner.py", source);
  py.runPython(`import sys\nsys.path.insert(0, "${RUNNER_DIR}")\nsys.modules.pop("atlas_runner", None)`);
  return py.pyimport("atlas_runner");
}

async function loadGraph(py, id) {
  post({ type: "status", id, text: "packages" });
  const index = py._atlasIndex;
  const wheel = (name) => root + "assets/wheels/" + index.wheels[name].file;
  const catalog = fetchText(root + "assets/graph.json");
  catalog.catch(() => {});
  // micropip byte-compiled by the set-up (wheels.json) when there is one, else Pyodide's own copy.
  const micropip = index.wheels.micropip ? wheel("micropip") : "micropip";
  await py.loadPackage(micropip, { messageCallback: () => {} });
  const urls = ["networkx", "atlasgraph"].map(wheel);
  await py._atlasRunner.load_graph(urls, await catalog);
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
    outcome = await pyodide._atlasRunner.run(code, msg.filename || "<block>");
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
