"""Custom superfences formatters: runnable `run` blocks and in-browser Python `pyrun` blocks.

The HTML is a contract with the terminal JS (`[data-atlas-run]`) and the Pyodide JS
(`[data-atlas-pyrun]`); see the brief. Wired in mkdocs.yml under `pymdownx.superfences`.
"""

from __future__ import annotations

from html import escape
from typing import Any

PROFILES = ("shell", "docker")


def validate_run(language: str, inputs: dict[str, str], options: dict, attrs: dict, md: Any) -> bool:
    """Accept `profile="shell|docker"` and `step="<tutorial>/<step>"` on a `run` fence."""
    for key, value in inputs.items():
        if key == "profile":
            if value not in PROFILES:
                return False
        elif key != "step":
            return False
        options[key] = value
    return True


def format_run(src: str, language: str, css_class: str, options: dict, md: Any, **kwargs: Any) -> str:
    """Render a `run` fence as the runnable-block HTML the terminal JS mounts on."""
    profile = options.get("profile") or "shell"
    attrs = f' data-profile="{escape(profile)}"'
    if options.get("step"):
        attrs += f' data-step="{escape(options["step"])}"'
    code = escape(src.strip("\n"), quote=False)
    return (
        f'<div class="atlas-run" data-atlas-run{attrs}>\n'
        f'  <pre class="highlight"><code class="language-sh">{code}</code></pre>\n'
        "</div>"
    )


def validate_pyrun(language: str, inputs: dict[str, str], options: dict, attrs: dict, md: Any) -> bool:
    """A `pyrun` fence takes no options."""
    return not inputs


def format_pyrun(src: str, language: str, css_class: str, options: dict, md: Any, **kwargs: Any) -> str:
    """Render a `pyrun` fence as the placeholder the Pyodide JS mounts on."""
    code = escape(src.strip("\n"), quote=False)
    return (
        '<div class="atlas-pyrun" data-atlas-pyrun><pre><code class="language-python">'
        f"{code}</code></pre></div>"
    )
