"""What each ES module of the site (`site-src/assets/js/`) imports, for `<link rel="modulepreload">`.

A browser finds a page's `<script type="module">` only when its parser gets there (after the classic
scripts before it have run), and that module's imports only once the module has arrived: one round
trip per level of imports. The theme (`site-src/overrides/main.html`) lists every module a page will
run, imports included, as `modulepreload` links in `<head>`, so they are all fetched at once while the
page is still loading.
"""

from __future__ import annotations

import re
from pathlib import Path

#: Static imports of a sibling module: `import {a, b} from "./x.js";`, `import "./x.js";`.
_IMPORT = re.compile(r"""^\s*import\s+(?:[^'";]*?\bfrom\s*)?["']\./([\w.-]+\.js)["']""", re.M)


def module_imports(js_dir: Path) -> dict[str, list[str]]:
    """For each `js/<name>.js` in `js_dir`, the `js/` modules it imports directly or through other
    modules (sorted, itself excluded; an import of a missing file is left out)."""
    direct = {
        p.name: [name for name in _IMPORT.findall(p.read_text(encoding="utf-8")) if (js_dir / name).is_file()]
        for p in sorted(js_dir.glob("*.js"))
    }
    closure: dict[str, list[str]] = {}
    for name in direct:
        seen: set[str] = set()
        todo = list(direct[name])
        while todo:
            dep = todo.pop()
            if dep not in seen and dep != name:
                seen.add(dep)
                todo.extend(direct.get(dep, []))
        closure["js/" + name] = sorted("js/" + dep for dep in seen)
    return closure
