/* Container Atlas — in-page sandbox terminal (xterm.js + fit addon, vendored; no bundler, no CDN).
 *
 * Mounts on:
 *   [data-atlas-run data-profile="shell|docker"]  a runnable command block (<pre><code>). Adds ▶ Run and
 *                                                 Copy buttons. ▶ opens the terminal panel of the block's
 *                                                 profile (one per page and profile, placed after the block
 *                                                 last run), starts or resumes a sandbox session and types
 *                                                 the command + Enter.
 * The panel and its session live in terminal-panel.js; sessions are kept by sessions.js, so a
 * reload finds the same sandbox (its panel reopens) and another tab gets its own.
 * Static hosting (no /healthz): ▶ says the sandbox is offline; Copy still works.
 * Exposes window.atlasTerminal = {run(blockEl), text(), session(profile), panels}.
 */
import { el, onPage, t } from "./common.js";
import { loadSession, serviceOnline } from "./sessions.js";
import { Panel } from "./terminal-panel.js";

const panels = {};
let lastPanel = null;

// -- blocks ---------------------------------------------------------------------------------------------
function commandOf(block) {
  const code = block.querySelector("code") || block.querySelector("pre") || block;
  return (code.textContent || "").replace(/\s+$/, "");
}

function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  return new Promise((resolve, reject) => {
    const ta = el("textarea", { readonly: true });
    ta.style.position = "fixed";
    ta.style.opacity = "0";
    ta.value = text;
    document.body.append(ta);
    ta.select();
    let ok;
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    ta.remove();
    if (ok) resolve();
    else reject(new Error("copy"));
  });
}

function flash(btn, text, label) {
  btn.textContent = text;
  setTimeout(() => { btn.textContent = label; }, 1500);
}

function showOffline(block, runBtn) {
  runBtn.textContent = t("terminal.offline");
  runBtn.disabled = true;
  runBtn.setAttribute("aria-disabled", "true");
  if (!block.querySelector(".atlas-run__note")) {
    block.append(el("p", { class: "atlas-run__note", role: "status", text: t("terminal.offlineMsg") }));
  }
}

/** The panel of `profile`, placed after `block`, connecting (the session request goes out first, so
 * the network works while xterm.js builds the screen), with its screen. Returns [panel, opened]. */
function panelFor(profile, block) {
  const panel = panels[profile] || (panels[profile] = new Panel(profile));
  panel.place(block);
  const opened = panel.connect();
  panel.ensureTerm();
  panel.refit();
  return [panel, opened];
}

/** ▶ on `block`: open its profile's panel, connect, type the command. Resolves to true when typed. */
async function run(block) {
  const profile = block.getAttribute("data-profile") || "shell";
  const runBtn = block.querySelector(".atlas-run__run");
  if (!(await serviceOnline())) {
    if (runBtn) showOffline(block, runBtn);
    else block.append(el("p", { class: "atlas-run__note", text: t("terminal.offlineMsg") }));
    return false;
  }
  if (!window.Terminal) throw new Error("xterm.js is not loaded on this page");
  const [panel, opened] = panelFor(profile, block);
  lastPanel = panel;
  panel.input(commandOf(block).replace(/\r?\n/g, "\r") + "\r");
  try {
    await opened;
  } catch {
    return false;
  }
  panel.term.focus();
  return true;
}

function mount(block) {
  if (block.getAttribute("data-atlas-mounted")) return;
  block.setAttribute("data-atlas-mounted", "1");
  const label = t("terminal.copy");
  const runBtn = el("button", { type: "button", class: "atlas-run__btn atlas-run__run",
    "aria-label": t("terminal.runLabel"), text: t("terminal.run") });
  runBtn.addEventListener("click", () => run(block));
  const copyBtn = el("button", { type: "button", class: "atlas-run__btn atlas-run__copy",
    "aria-label": t("terminal.copyLabel"), text: label });
  copyBtn.addEventListener("click", () => {
    copyText(commandOf(block)).then(
      () => flash(copyBtn, t("terminal.copied"), label),
      () => flash(copyBtn, t("terminal.copyFailed"), label));
  });
  block.prepend(el("div", { class: "atlas-run__bar" }, [runBtn, copyBtn]));
}

/** The text in the last used terminal (for tests and the tutorial checks' hints). */
function screenText() {
  const p = lastPanel;
  if (!p || !p.term) return "";
  const buf = p.term.buffer.active;
  const lines = [];
  for (let i = 0; i < buf.length; i++) {
    const line = buf.getLine(i);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\n").replace(/\n+$/, "");
}

let resuming = false;

/** After a reload (same tab) reopen the panel of each stored session, without typing anything. */
async function resume(blocks) {
  if (resuming) return;
  resuming = true;
  const seen = new Map();
  for (const block of blocks) {
    const profile = block.getAttribute("data-profile") || "shell";
    if (!seen.has(profile) && !panels[profile] && loadSession(profile)) seen.set(profile, block);
  }
  if (!seen.size || !window.Terminal || !(await serviceOnline())) return;
  for (const [profile, block] of seen) {
    const [panel] = panelFor(profile, block); // a failure shows in the panel's status line
    lastPanel = lastPanel || panel;
  }
}

function init() {
  const blocks = document.querySelectorAll("[data-atlas-run]");
  blocks.forEach(mount);
  if (blocks.length) performance.mark("atlas:run-ready"); // ▶ is wired (bench/bench_tutorial.py reads it)
  resume(blocks);
}

// Modules run once the document is parsed: ask the service now, before DOMContentLoaded, so a ▶
// pressed as soon as it shows starts the session without waiting for /healthz.
if (document.querySelector("[data-atlas-run]")) serviceOnline();

window.atlasTerminal = {
  run,
  text: screenText,
  session(profile) {
    const p = panels[profile || "shell"];
    return (p && p.session) || loadSession(profile || "shell");
  },
  panels,
};

onPage(init);
