/* Container Atlas — runnable Python blocks (Pyodide, in the learner's browser, no server).
 *
 * Mounts on [data-atlas-pyrun] (rendered by the site build from a ```pyrun fence):
 *   <div class="atlas-pyrun" data-atlas-pyrun><pre><code class="language-python">…</code></pre></div>
 * The code becomes an editable textarea with ▶ Run, ■ Stop and Reset buttons and an output area.
 * Pyodide is loaded lazily, on the first Run, inside a Web Worker (pyworker.js) so the page never
 * freezes; Stop terminates the worker and the next Run starts a fresh one. A block that mentions
 * G, catalog, atlasgraph or networkx gets networkx + atlasgraph installed (micropip, from the
 * site's assets/wheels/) and the knowledge graph preloaded as `catalog` and `G`.
 *
 * The block's state is exposed as data-state: idle | loading | running | done | error | stopped,
 * and after a run data-python-start says how Python was started: "snapshot" (restored from the
 * site's memory snapshot) or "plain" (no snapshot, or it could not be used).
 * Exposes window.atlasPyrun = {root, stop()}.
 */
import { SITE_ROOT, el, hasString, onPage, t } from "./common.js";

const GRAPH_WORDS = /\b(G|catalog|atlasgraph|networkx)\b/;

let worker = null;
let nextId = 1;
const running = new Map(); // run id -> block controller

function ensureWorker() {
  if (worker) return worker;
  worker = new Worker(new URL("./pyworker.js", import.meta.url), { type: "module" });
  worker.onmessage = (event) => {
    const msg = event.data;
    const block = running.get(msg.id);
    if (block) block.onMessage(msg);
  };
  worker.onerror = (event) => {
    // The worker script itself failed (e.g. not found): drop it so the next Run starts afresh.
    const blocks = Array.from(running.values());
    worker.terminate();
    worker = null;
    running.clear();
    for (const block of blocks) {
      block.onMessage({ type: "fatal", text: event.message || "the Python worker failed to start" });
    }
  };
  worker.postMessage({ type: "init", root: SITE_ROOT });
  return worker;
}

function stopAll() {
  if (worker) worker.terminate();
  worker = null;
  const blocks = Array.from(running.values());
  running.clear();
  for (const block of blocks) block.finish("stopped");
}

function mount(root, index) {
  if (root.dataset.atlasPyrunMounted) return;
  root.dataset.atlasPyrunMounted = "1";
  const codeEl = root.querySelector("code") || root;
  const original = codeEl.textContent.replace(/\n$/, "");
  const pre = root.querySelector("pre");

  const runBtn = el("button", {
    type: "button", class: "atlas-pyrun__run md-button md-button--primary", "aria-label": t("python.runLabel"),
    "data-action": "run", text: t("python.run"),
  });
  const stopBtn = el("button", {
    type: "button", class: "atlas-pyrun__stop md-button", "aria-label": t("python.stopLabel"),
    "data-action": "stop", disabled: true, text: t("python.stop"),
  });
  const resetBtn = el("button", {
    type: "button", class: "atlas-pyrun__reset md-button", "aria-label": t("python.resetLabel"),
    "data-action": "reset", text: t("python.reset"),
  });
  const status = el("span", { class: "atlas-pyrun__status", role: "status", "aria-live": "polite" });
  const bar = el("div", { class: "atlas-pyrun__bar" }, [runBtn, stopBtn, resetBtn, status]);

  const editorId = `atlas-pyrun-${index}`;
  const hint = el("span", { class: "atlas-pyrun__hint", id: editorId + "-hint", text: t("python.hint") });
  const editor = el("textarea", {
    class: "atlas-pyrun__code", id: editorId, spellcheck: "false", autocapitalize: "off", autocomplete: "off",
    "aria-label": t("python.code"), "aria-describedby": editorId + "-hint", wrap: "off",
  });
  editor.value = original;
  const out = el("pre", {
    class: "atlas-pyrun__out", role: "log", "aria-live": "polite", "aria-label": t("python.output"), tabindex: "0",
  });
  out.hidden = true;

  if (pre) pre.replaceWith(editor);
  else root.append(editor);
  root.prepend(bar);
  root.append(hint, out);
  root.dataset.state = "idle";

  const fit = () => {
    editor.style.height = "auto";
    editor.style.height = editor.scrollHeight + 2 + "px";
  };
  requestAnimationFrame(fit);
  editor.addEventListener("input", fit);

  let escaped = false;
  editor.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      start();
    } else if (ev.key === "Escape") {
      escaped = true;
    } else if (ev.key === "Tab" && !escaped && !ev.ctrlKey && !ev.altKey && !ev.metaKey) {
      ev.preventDefault();
      const s = editor.selectionStart;
      const e = editor.selectionEnd;
      if (ev.shiftKey) {
        const lineStart = editor.value.lastIndexOf("\n", s - 1) + 1;
        if (editor.value.startsWith("    ", lineStart)) {
          editor.setRangeText("", lineStart, lineStart + 4, "preserve");
        }
      } else {
        editor.setRangeText("    ", s, e, "end");
      }
      fit();
    } else {
      escaped = false;
    }
  });

  let runId = null;
  const ctl = {
    onMessage(msg) {
      if (msg.type === "status") {
        const key = "python." + msg.text;
        setState(msg.text === "running" ? "running" : "loading", hasString(key) ? t(key) : msg.text);
      } else if (msg.type === "out") {
        write(msg.text, msg.stream);
      } else if (msg.type === "done") {
        if (msg.missing) root.dataset.missing = msg.missing;
        if (msg.start) root.dataset.pythonStart = msg.start;
        running.delete(runId);
        ctl.finish(msg.ok ? "done" : "error", msg.seconds, msg.loading);
      } else if (msg.type === "fatal") {
        write(t("python.fatal", { reason: msg.text }) + "\n", "stderr");
        running.delete(runId);
        ctl.finish("error");
      }
    },
    finish(state, seconds, loading) {
      runId = null;
      stopBtn.disabled = true;
      runBtn.disabled = false;
      if (state === "stopped") write("\n" + t("python.stopped") + "\n", "stderr");
      if (state === "done" && !out.textContent) write(t("python.noOutput"), "note");
      const text = state === "done"
        ? t("python.done", { s: (seconds || 0).toFixed(2) })
          + (loading > 0.05 ? t("python.loaded", { s: loading.toFixed(1) }) : "")
        : state === "stopped" ? t("python.stopped")
        : root.dataset.missing ? t("python.missing", { p: root.dataset.missing }) : t("python.error");
      setState(state, text);
    },
  };

  function setState(state, text) {
    root.dataset.state = state;
    status.textContent = text;
  }

  function write(text, stream) {
    out.hidden = false;
    const span = document.createElement("span");
    span.className = "atlas-pyrun__" + stream;
    span.textContent = text;
    out.append(span);
    out.scrollTop = out.scrollHeight;
  }

  function start() {
    if (runId !== null) return;
    out.textContent = "";
    out.hidden = true;
    delete root.dataset.missing;
    runId = nextId++;
    running.set(runId, ctl);
    runBtn.disabled = true;
    stopBtn.disabled = false;
    setState("loading", t(running.size > 1 ? "python.queued" : worker ? "python.running" : "python.loading"));
    const code = editor.value;
    ensureWorker().postMessage({
      type: "run", id: runId, code, graph: GRAPH_WORDS.test(code), filename: `<block ${index + 1}>`,
    });
  }

  runBtn.addEventListener("click", start);
  stopBtn.addEventListener("click", stopAll);
  resetBtn.addEventListener("click", () => {
    editor.value = original;
    fit();
    editor.focus();
  });
}

function mountAll() {
  document.querySelectorAll("[data-atlas-pyrun]").forEach((block, i) => mount(block, i));
}

window.atlasPyrun = { root: SITE_ROOT, stop: stopAll };

onPage(mountAll);
