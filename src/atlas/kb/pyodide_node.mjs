// Run pyrun blocks under Node with the vendored Pyodide, the way the browser worker does.
//
//   node pyodide_node.mjs <site-src/assets dir> <graph.json> < pages.json > results.json
//
// pages.json: [{"page": "docs/python/x.md", "blocks": ["code", ...]}, ...]
// results.json: [{"page", "blocks": [{"stdout", "stderr", "outcome"}]}] where outcome is "" (ok),
// "error" or "missing:<module>". The blocks run through assets/py/atlas_runner.py, imported as the
// module `atlas_runner` as the browser's worker (pyworker.js) does, so this runs the exact code the
// browser runs. Python is restored from the set-up's memory snapshot and micropip loaded
// from its byte-compiled wheel when wheels.json names them (as in the browser); the wheels are
// installed with micropip from the files in assets/wheels/ (copied into Pyodide's file system and
// installed from emfs: URLs), the on-demand ones (wheels.json "imports") when a block imports them.
// Nothing touches the network. The first stderr line is
// "start: snapshot" or "start: plain".
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";

const [assets, graphPath] = process.argv.slice(2);
const index = JSON.parse(fs.readFileSync(path.join(assets, "wheels", "wheels.json"), "utf8"));
const indexURL = path.join(assets, index.pyodide) + "/";
const pages = JSON.parse(fs.readFileSync(0, "utf8"));

const { loadPyodide } = await import(pathToFileURL(indexURL + "pyodide.mjs").href);
// As the worker does: restore the set-up's memory snapshot when wheels.json names one.
const env = { HOME: "/home/pyodide" };
const snapshot = index.snapshot
  ? gunzipSync(fs.readFileSync(path.join(assets, "wheels", index.snapshot.file)))
  : undefined;
const py = await loadPyodide({ indexURL, env, fullStdLib: false, _loadSnapshot: snapshot });
let out = { stdout: "", stderr: "" };
const writer = (stream) => {
  const decoder = new TextDecoder();
  return { write(buf) { out[stream] += decoder.decode(buf, { stream: true }); return buf.length; } };
};
py.setStdout(writer("stdout"));
py.setStderr(writer("stderr"));
// As the worker does: the runner is a file in Pyodide's file system, imported as a module.
py.FS.mkdirTree("/atlas");
py.FS.writeFile("/atlas/atlas_runner.py", fs.readFileSync(path.join(assets, "py", "atlas_runner.py")));
py.runPython('import sys\nsys.path.insert(0, "/atlas")\nsys.modules.pop("atlas_runner", None)');
const runner = py.pyimport("atlas_runner");

const micropip = index.wheels.micropip
  ? path.resolve(assets, "wheels", index.wheels.micropip.file)
  : "micropip";
await py.loadPackage(micropip, { messageCallback: () => {} });
py.FS.mkdirTree("/tmp/wheels");
const onDemand = Object.values(index.imports || {}).flat();
for (const name of ["networkx", "atlasgraph", ...onDemand]) {
  const file = index.wheels[name].file;
  py.FS.writeFile("/tmp/wheels/" + file, fs.readFileSync(path.join(assets, "wheels", file)));
}
const urls = ["networkx", "atlasgraph"].map((name) => "emfs:/tmp/wheels/" + index.wheels[name].file);
await runner.load_graph(urls, fs.readFileSync(graphPath, "utf8"));
// As the worker does: a block that imports a module of wheels.json's "imports" installs its wheels.
runner.configure("emfs:/tmp/wheels/", JSON.stringify(index));

const results = [];
for (const { page, blocks } of pages) {
  runner.reset();
  const done = [];
  for (const [i, code] of blocks.entries()) {
    out = { stdout: "", stderr: "" };
    const outcome = await runner.run(code, `<block ${i + 1}>`);
    done.push({ ...out, outcome });
  }
  results.push({ page, blocks: done });
}
process.stderr.write(`start: ${snapshot ? "snapshot" : "plain"}\n`);
process.stdout.write(JSON.stringify(results));
