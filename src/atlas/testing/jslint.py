"""ESLint over the project's JavaScript, for `./atlas test` (next to ruff; see runner.py).

The rules are in eslint.config.mjs; ESLint itself is in node_modules/ (atlas/provision/jstools.py).
Each problem becomes one line `path:line:col: rule: message`, like ruff's concise output.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from atlas import ROOT
from atlas.errors import MissingPrerequisite
from atlas.provision.jstools import eslint_script

#: Shown under a failed run.
FIX = "fix the lines above (rules: eslint.config.mjs); run alone: node node_modules/eslint/bin/eslint.js ."


def problems(report: list[dict], root: Path = ROOT) -> list[str]:
    """ESLint's JSON report as `path:line:col: rule: message` lines (paths relative to `root`)."""
    lines = []
    for result in report:
        path = Path(result["filePath"])
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        for m in result.get("messages", []):
            rule = m.get("ruleId") or ("syntax" if m.get("fatal") else "eslint")
            lines.append(f"{name}:{m.get('line', 0)}:{m.get('column', 0)}: {rule}: {m['message']}")
    return lines


def eslint(root: Path = ROOT) -> list[str]:
    """Run ESLint over `root`; return its problems as lines (empty when clean).

    Raises MissingPrerequisite when Node.js or the installed ESLint is missing. A run that gives no
    report (a broken eslint.config.mjs, say) is one problem line with ESLint's own message.
    """
    node = shutil.which("node")
    script = eslint_script(root)
    if not node or not script:
        raise MissingPrerequisite(
            "ESLint is not installed (node_modules/ is missing or older than package-lock.json); "
            "`./atlas setup` installs it, or: .venv/bin/python -m atlas.provision.jstools"
        )
    proc = subprocess.run(
        [node, str(script), "--format", "json", "--max-warnings", "0", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        report = None
    if not isinstance(report, list):
        # exit 2: ESLint could not run (bad config, crash); its message is on stderr
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        return [f"eslint.config.mjs: eslint exited {proc.returncode}: " + " | ".join(detail[:8])]
    return problems(report, root)
