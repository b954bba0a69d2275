// Make a memory snapshot of the vendored Pyodide with Python already started, so a page's first
// ▶ Run restores a heap instead of starting CPython (about 2.5 s of the warm start on two cores).
// Used at set-up time by atlas/provision/wheels.py; no network.
//
//   node py_snapshot.mjs <pyodide dir> <output.gz> <atlas_runner.py>
//
// The snapshot holds the interpreter with the modules the runner (site-src/assets/py/atlas_runner.py,
// run once here in a throwaway namespace: the page imports its own copy) and the examples import
// already imported; the file system (the standard library zip) is not in it, Pyodide mounts that again on
// restore. Nothing that touches JavaScript objects may be imported first (Pyodide refuses to
// snapshot live JS references), so micropip and the wheels stay out: pages install those from the
// site as before. The script restores its own snapshot and runs Python once before writing it, so
// a snapshot that cannot start never reaches the site. Prints "<raw bytes> <gzip bytes>".
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { createHash } from "node:crypto";

const [pyodideDir, output, runnerPath] = process.argv.slice(2);
const indexURL = path.resolve(pyodideDir) + "/";
const { loadPyodide } = await import(pathToFileURL(indexURL + "pyodide.mjs").href);

// What a browser's Pyodide starts with (Node would add its own program name as $_).
const env = { HOME: "/home/pyodide" };
// The examples' modules, then what micropip, its installs and networkx import from the standard
// library on a graph page (measured: a third of micropip's import time). Extension modules loaded
// from a shared library (.so) cannot be restored, so none may be among them.
const PRELOAD = `
exec(compile(_runner_source, "atlas_runner.py", "exec"), {"__name__": "atlas_runner_preload"})
del _runner_source
import collections, hashlib, io, json, os, platform, tarfile
import email, gzip, html.parser, importlib.metadata, importlib.resources, ipaddress, numbers, queue
import sysconfig, urllib.parse, xml.etree.ElementTree
os.environ.pop("_", None)
import sys
_shared = sorted(n for n, m in sys.modules.items() if str(getattr(m, "__file__", "")).endswith(".so"))
if _shared:
    raise SystemExit(f"modules from shared libraries cannot be snapshotted: {_shared}")
del _shared
`;

const maker = await loadPyodide({ indexURL, env, fullStdLib: false, _makeSnapshot: true });
maker.globals.set("_runner_source", fs.readFileSync(runnerPath, "utf8"));
maker.runPython(PRELOAD);
const snapshot = maker.makeMemorySnapshot();

const check = await loadPyodide({ indexURL, env, fullStdLib: false, _loadSnapshot: snapshot });
const answer = check.runPython("import hashlib; hashlib.sha256(b'atlas').hexdigest()[:8]");
const expected = createHash("sha256").update("atlas").digest("hex").slice(0, 8);
if (answer !== expected) {
  throw new Error(`the restored snapshot answered ${answer}`);
}
const packed = gzipSync(snapshot, { level: 9 });
fs.writeFileSync(output, packed);
process.stdout.write(`${snapshot.length} ${packed.length}\n`);
