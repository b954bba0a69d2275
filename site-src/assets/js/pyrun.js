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
 */
(function () {
  "use strict";

  const SCRIPT = document.currentScript;
  const GRAPH_WORDS = /\b(G|catalog|atlasgraph|networkx)\b/;

  const TEXT = {
    en: {
      run: "▶ Run", stop: "■ Stop", reset: "Reset", code: "Python code, editable",
      output: "Output", runLabel: "Run this Python code", stopLabel: "Stop this Python code",
      resetLabel: "Reset to the original code",
      loading: "Loading Python…", packages: "Loading the knowledge graph…", running: "Running…",
      queued: "Waiting for another block…", done: "Done in {s} s", error: "Error (see the traceback)",
      stopped: "Stopped.", fatal: "Python could not start: ", missing: "Missing package: {p}",
      loaded: " (Python loaded in {s} s)", noOutput: "(no output)",
      hint: "Ctrl+Enter runs; Esc then Tab leaves the editor",
    },
    zh: {
      run: "▶ 运行", stop: "■ 停止", reset: "重置", code: "Python 代码（可编辑）",
      output: "输出", runLabel: "运行这段 Python 代码", stopLabel: "停止这段代码",
      resetLabel: "重置为原始代码",
      loading: "正在加载 Python…", packages: "正在加载知识图谱…", running: "运行中…",
      queued: "等待其他代码块…", done: "完成，用时 {s} 秒", error: "出错（见下方回溯）",
      stopped: "已停止。", fatal: "Python 无法启动：", missing: "缺少软件包：{p}",
      loaded: "（加载 Python 用时 {s} 秒）", noOutput: "（无输出）",
      hint: "Ctrl+Enter 运行；先按 Esc 再按 Tab 可离开编辑器",
    },
  };

  function readConfig() {
    const el = document.getElementById("atlas-config");
    try {
      return el ? JSON.parse(el.textContent) : {};
    } catch (e) {
      return {};
    }
  }

  /** The absolute URL of the site root, ending with "/". */
  function siteRoot(config) {
    if (SCRIPT && SCRIPT.src && /assets\/js\/pyrun\.js(\?.*)?$/.test(SCRIPT.src)) {
      return SCRIPT.src.replace(/assets\/js\/pyrun\.js(\?.*)?$/, "");
    }
    if (typeof config.base === "string") {
      return new URL(config.base.replace(/\/?$/, "/"), location.href).href;
    }
    // Material's own idea of the site root.
    if (typeof __md_scope !== "undefined") return new URL(".", __md_scope).href; // eslint-disable-line
    return new URL("/", location.href).href;
  }

  const config = readConfig();
  const ROOT = siteRoot(config);
  const lang = (config.lang || document.documentElement.lang || "en").slice(0, 2);
  const T = TEXT[lang] || TEXT.en;

  let worker = null;
  let nextId = 1;
  const running = new Map(); // run id -> block controller

  function ensureWorker() {
    if (worker) return worker;
    worker = new Worker(ROOT + "assets/js/pyworker.js", { type: "module" });
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
    worker.postMessage({ type: "init", root: ROOT });
    return worker;
  }

  function stopAll() {
    if (worker) worker.terminate();
    worker = null;
    const blocks = Array.from(running.values());
    running.clear();
    for (const block of blocks) block.finish("stopped");
  }

  function el(tag, cls, attrs) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }

  function mount(root, index) {
    if (root.dataset.atlasPyrunMounted) return;
    root.dataset.atlasPyrunMounted = "1";
    const codeEl = root.querySelector("code") || root;
    const original = codeEl.textContent.replace(/\n$/, "");
    const pre = root.querySelector("pre");

    const bar = el("div", "atlas-pyrun__bar");
    const runBtn = el("button", "atlas-pyrun__run md-button md-button--primary", {
      type: "button", "aria-label": T.runLabel, "data-action": "run",
    });
    runBtn.textContent = T.run;
    const stopBtn = el("button", "atlas-pyrun__stop md-button", {
      type: "button", "aria-label": T.stopLabel, "data-action": "stop", disabled: "",
    });
    stopBtn.textContent = T.stop;
    const resetBtn = el("button", "atlas-pyrun__reset md-button", {
      type: "button", "aria-label": T.resetLabel, "data-action": "reset",
    });
    resetBtn.textContent = T.reset;
    const status = el("span", "atlas-pyrun__status", { role: "status", "aria-live": "polite" });
    bar.append(runBtn, stopBtn, resetBtn, status);

    const editorId = `atlas-pyrun-${index}`;
    const hint = el("span", "atlas-pyrun__hint", { id: editorId + "-hint" });
    hint.textContent = T.hint;
    const editor = el("textarea", "atlas-pyrun__code", {
      id: editorId, spellcheck: "false", autocapitalize: "off", autocomplete: "off",
      "aria-label": T.code, "aria-describedby": editorId + "-hint", wrap: "off",
    });
    editor.value = original;
    const out = el("pre", "atlas-pyrun__out", {
      role: "log", "aria-live": "polite", "aria-label": T.output, tabindex: "0",
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
          setState(msg.text === "running" ? "running" : "loading", T[msg.text] || msg.text);
        } else if (msg.type === "out") {
          write(msg.text, msg.stream);
        } else if (msg.type === "done") {
          if (msg.missing) root.dataset.missing = msg.missing;
          if (msg.start) root.dataset.pythonStart = msg.start;
          running.delete(runId);
          ctl.finish(msg.ok ? "done" : "error", msg.seconds, msg.loading);
        } else if (msg.type === "fatal") {
          write(T.fatal + msg.text + "\n", "stderr");
          running.delete(runId);
          ctl.finish("error");
        }
      },
      finish(state, seconds, loading) {
        runId = null;
        stopBtn.disabled = true;
        runBtn.disabled = false;
        if (state === "stopped") write("\n" + T.stopped + "\n", "stderr");
        if (state === "done" && !out.textContent) write(T.noOutput, "note");
        const text = state === "done"
          ? T.done.replace("{s}", (seconds || 0).toFixed(2))
            + (loading > 0.05 ? T.loaded.replace("{s}", loading.toFixed(1)) : "")
          : state === "stopped" ? T.stopped
          : root.dataset.missing ? T.missing.replace("{p}", root.dataset.missing) : T.error;
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
      setState("loading", running.size > 1 ? T.queued : worker ? T.running : T.loading);
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

  function addStyles() {
    // The theme links pyrun.css on pages with Python blocks; add it if a page came without.
    if (document.querySelector('link[href$="assets/css/pyrun.css"]')) return;
    const href = ROOT + "assets/css/pyrun.css";
    const link = el("link", null, { rel: "stylesheet", href });
    document.head.append(link);
  }

  function mountAll() {
    const blocks = document.querySelectorAll("[data-atlas-pyrun]");
    if (!blocks.length) return;
    addStyles();
    blocks.forEach((block, i) => mount(block, i));
  }

  // Material's instant navigation swaps the page body; remount when it does.
  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(mountAll); // eslint-disable-line no-undef
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mountAll);
  } else {
    mountAll();
  }

  window.atlasPyrun = { root: ROOT, stop: stopAll };
})();
