// Byte-compile a pure-Python wheel with the vendored Pyodide's own CPython, so the browser imports
// it from .pyc instead of compiling every module at each page load (networkx: about half its
// import time). Used at set-up time by atlas/provision/wheels.py; no network.
//
//   node pyc_compile.mjs <pyodide dir> <input.whl> <output.whl> [<input.whl> <output.whl> ...]
//
// (several pairs share one Python start).
// The .py files stay (tracebacks show source lines); each gets __pycache__/<name>.cpython-3XX.pyc
// in "unchecked-hash" mode, so Python uses it without comparing time stamps. The package's own test
// suites (any tests/ folder: a third of networkx's files) are left out, as a browser never runs them
// and micropip would unpack them at every page load. RECORD lists exactly the files shipped.
// Prints the Python cache tag (e.g. cpython-314).
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, ...pairs] = process.argv.slice(2);
const indexURL = path.resolve(pyodideDir) + "/";
const { loadPyodide } = await import(pathToFileURL(indexURL + "pyodide.mjs").href);
const py = await loadPyodide({ indexURL, fullStdLib: false });
const COMPILE = `
import base64, compileall, hashlib, os, py_compile, re, shutil, sys, zipfile

src, out, tree = "/tmp/in.whl", "/tmp/out.whl", "/tmp/tree"
shutil.rmtree(tree, ignore_errors=True)
def shipped(name):
    return "tests" not in name.split("/")[:-1]

with zipfile.ZipFile(src) as whl:
    infos = [i for i in whl.infolist() if shipped(i.filename)]
    whl.extractall(tree, members=infos)
mode = py_compile.PycInvalidationMode.UNCHECKED_HASH
ok = compileall.compile_dir(tree, quiet=2, rx=re.compile("/tests/"), invalidation_mode=mode)
if not ok:
    raise SystemExit("compileall failed")
record = next(i.filename for i in infos if i.filename.endswith(".dist-info/RECORD"))
names = {i.filename for i in infos}
added = []
for root, _, files in os.walk(tree):
    for f in files:
        rel = os.path.relpath(os.path.join(root, f), tree)
        if rel not in names:
            added.append(rel)
added.sort()
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
    for info in infos:
        data = open(os.path.join(tree, info.filename), "rb").read()
        if info.filename == record:
            lines = [l for l in data.decode().splitlines() if shipped(l.rsplit(",", 2)[0])]
            for rel in added:
                blob = open(os.path.join(tree, rel), "rb").read()
                digest = base64.urlsafe_b64encode(hashlib.sha256(blob).digest()).rstrip(b"=").decode()
                lines.insert(len(lines) - 1, f"{rel},sha256={digest},{len(blob)}")
            data = ("\\n".join(lines) + "\\n").encode()
        new.writestr(info, data)
    for rel in added:
        new.write(os.path.join(tree, rel), rel)
sys.implementation.cache_tag
`;
let tag = "";
for (let i = 0; i + 1 < pairs.length; i += 2) {
  py.FS.writeFile("/tmp/in.whl", fs.readFileSync(pairs[i]));
  tag = py.runPython(COMPILE);
  fs.writeFileSync(pairs[i + 1], py.FS.readFile("/tmp/out.whl"));
}
process.stdout.write(String(tag) + "\n");
