/* Container Atlas — tutorial steps: Check buttons, progress, self-check quiz, preview links.
 *
 * Mounts on:
 *   [data-atlas-check="<tutorial>/<step>"]   a Check button; POSTs {api}/sessions/<id>/verify {"check": id}
 *                                            with the page's sandbox session; shows ✓, or ✗ and the hint.
 *                                            With data-atlas-manual: a "Mark as done" toggle (no sandbox).
 *   [data-atlas-quiz="<tutorial>/<step>"]    a <form> of <fieldset data-answer="value"> radio questions.
 *   [data-atlas-preview="<port>"]            a link to /preview/<session>/<port>/?token=… (the service's proxy).
 *   .atlas-next                              the link to the next tutorial, highlighted when the last step is done.
 * Progress lives in localStorage under "atlas-progress:<tutorial>" ({"<step>": <time ms>}).
 * The session comes from the terminal JS: window.atlasTerminal.session(profile) when it exists, else its
 * sessionStorage entry (any "atlas…" key holding {"id", "token"}). Exposes window.atlasTutorial.
 */
(function () {
  "use strict";

  var STRINGS = {
    en: {
      check: "Check", checking: "Checking…", done: "Done", notYet: "Not yet", doneBefore: "Done earlier",
      mark: "Mark as done", unmark: "Mark as not done",
      noSession: "Start the sandbox first: press ▶ on a command of this step.",
      offline: "The sandbox service is not reachable, so this step cannot be checked here.",
      expired: "Your sandbox has ended. Press ▶ to start a new one, then redo the step.",
      failed: "The check could not run: ",
      progress: function (d, n) { return "Progress: " + d + " of " + n + " steps done"; },
      reset: "Reset progress", next: "Next tutorial: ", finished: "— you finished this tutorial.",
      quizCheck: "Check answers", quizScore: function (r, n) { return r + " of " + n + " correct"; },
      quizAll: "All correct!", quizMissing: "No answer.",
      preview: function (p) { return "Open the preview of port " + p; },
      previewHint: "The link works once the sandbox runs (press ▶ first)."
    },
    zh: {
      check: "检查", checking: "正在检查…", done: "完成", notYet: "还没有完成", doneBefore: "之前已完成",
      mark: "标记为已完成", unmark: "标记为未完成",
      noSession: "请先启动沙盒：点击这一步命令上的 ▶。",
      offline: "无法连接沙盒服务，因此这里无法检查这一步。",
      expired: "你的沙盒已经结束。点击 ▶ 启动一个新的沙盒，然后重做这一步。",
      failed: "检查无法运行：",
      progress: function (d, n) { return "进度：已完成 " + d + " / " + n + " 步"; },
      reset: "重置进度", next: "下一篇教程：", finished: "——你已完成本教程。",
      quizCheck: "检查答案", quizScore: function (r, n) { return "答对 " + r + " / " + n + " 题"; },
      quizAll: "全部正确！", quizMissing: "未作答。",
      preview: function (p) { return "打开 " + p + " 端口的预览"; },
      previewHint: "沙盒运行后链接才可用（请先点击 ▶）。"
    }
  };

  function config() {
    var el = document.getElementById("atlas-config");
    var cfg = {};
    if (el) {
      try { cfg = JSON.parse(el.textContent) || {}; } catch (e) { cfg = {}; }
    }
    cfg.api = (cfg.api || "/api").replace(/\/$/, "");
    return cfg;
  }

  var CFG = config();
  var LANG = /^zh/i.test(document.documentElement.lang || CFG.lang || "") ? "zh" : "en";
  var T = STRINGS[LANG];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  // -- progress ---------------------------------------------------------------------------------
  function storeKey(slug) { return "atlas-progress:" + slug; }

  function progress(slug) {
    try { return JSON.parse(localStorage.getItem(storeKey(slug)) || "{}") || {}; } catch (e) { return {}; }
  }

  function setDone(slug, step, done) {
    var p = progress(slug);
    if (done) p[step] = Date.now(); else delete p[step];
    try { localStorage.setItem(storeKey(slug), JSON.stringify(p)); } catch (e) { /* private mode: no memory */ }
    render();
  }

  function resetProgress(slug) {
    try { localStorage.removeItem(storeKey(slug)); } catch (e) { /* ignore */ }
    render();
  }

  // -- session (owned by the terminal JS) ---------------------------------------------------------
  function pageProfile(node) {
    if (node && node.getAttribute("data-profile")) return node.getAttribute("data-profile");
    var run = document.querySelector("[data-atlas-run][data-profile]");
    return run ? run.getAttribute("data-profile") : "shell";
  }

  function session(profile) {
    var term = window.atlasTerminal;
    if (term && typeof term.session === "function") {
      try {
        var s = term.session(profile);
        if (s && s.id && s.token) return s;
      } catch (e) { /* fall through to sessionStorage */ }
    }
    var best = null;
    try {
      for (var i = 0; i < sessionStorage.length; i++) {
        var key = sessionStorage.key(i);
        if (!/atlas/i.test(key)) continue;
        var v;
        try { v = JSON.parse(sessionStorage.getItem(key)); } catch (e) { continue; }
        if (!v || typeof v !== "object" || !v.id || !v.token) continue;
        if (v.profile === profile || key.indexOf(profile) !== -1) return v;
        if (!v.profile && !best) best = v;
      }
    } catch (e) { /* storage disabled */ }
    return best;
  }

  function hintText(data, node) {
    var h = data && data.hint;
    if (h && typeof h === "object") h = h[LANG] || h.en;
    return h || node.getAttribute("data-hint") || (data && data.detail) || "";
  }

  // -- Check buttons --------------------------------------------------------------------------------
  var checks = [];

  // Hints are plain text in which `backticks` mark commands: show those as code.
  function withCode(text) {
    var span = el("span", { className: "atlas-check-text" });
    String(text).split("`").forEach(function (part, i) {
      if (!part) return;
      span.appendChild(i % 2 ? el("code", { text: part }) : document.createTextNode(part));
    });
    return span;
  }

  function setStatus(c, state, text, extra) {
    c.node.classList.remove("is-ok", "is-fail", "is-busy");
    if (state) c.node.classList.add("is-" + state);
    c.status.textContent = "";
    if (state === "ok") c.status.appendChild(el("span", { className: "atlas-check-mark", "aria-hidden": "true", text: "✓ " }));
    if (state === "fail") c.status.appendChild(el("span", { className: "atlas-check-mark", "aria-hidden": "true", text: "✗ " }));
    if (text) c.status.appendChild(withCode(text));
    if (extra) c.status.appendChild(extra);
  }

  var serviceProbe = null;

  // Is the sandbox service there at all (a static host answers /healthz with HTML or 404)?
  function serviceUp() {
    if (!serviceProbe) {
      serviceProbe = fetch(CFG.api.replace(/\/api$/, "") + "/healthz", { cache: "no-store" }).then(function (res) {
        return res.ok && (res.headers.get("Content-Type") || "").indexOf("json") !== -1;
      }).catch(function () { return false; });
    }
    return serviceProbe;
  }

  function verify(c) {
    var s = session(pageProfile(c.node));
    if (!s) {
      return serviceUp().then(function (up) {
        setStatus(c, "fail", up ? T.noSession : T.offline);
        return false;
      });
    }
    setStatus(c, "busy", T.checking);
    c.button.disabled = true;
    return fetch(CFG.api + "/sessions/" + encodeURIComponent(s.id) + "/verify", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + s.token },
      body: JSON.stringify({ check: c.id })
    }).then(function (res) {
      var type = res.headers.get("Content-Type") || "";
      if (type.indexOf("json") === -1) {
        setStatus(c, "fail", T.offline);
        return false;
      }
      return res.json().then(function (data) {
        if (res.ok && data.ok === true) {
          setDone(c.slug, c.step, true);
          setStatus(c, "ok", T.done, nextLink(c));
          return true;
        }
        if (res.ok) {
          setStatus(c, "fail", T.notYet + (hintText(data, c.node) ? " — " + hintText(data, c.node) : ""));
        } else if (data.field === "check") {
          setStatus(c, "fail", T.failed + (data.error || res.status));
        } else if (res.status === 404 || res.status === 410 || res.status === 401 || res.status === 403) {
          setStatus(c, "fail", T.expired);
        } else {
          setStatus(c, "fail", T.failed + (data.error || res.status));
        }
        return false;
      });
    }).catch(function () {
      setStatus(c, "fail", T.offline);
      return false;
    }).then(function (ok) {
      c.button.disabled = false;
      return ok;
    });
  }

  function isLast(c) { return c.step === lastStep(c.slug); }

  function lastStep(slug) {
    var ids = steps(slug);
    return ids[ids.length - 1];
  }

  function steps(slug) {
    var out = [];
    document.querySelectorAll("[data-atlas-check], [data-atlas-quiz]").forEach(function (n) {
      var id = n.getAttribute("data-atlas-check") || n.getAttribute("data-atlas-quiz");
      if (id.split("/")[0] === slug) out.push(id.split("/")[1]);
    });
    return out;
  }

  function nextLink(c) {
    if (!isLast(c)) return null;
    var a = document.querySelector(".atlas-next a");
    var span = el("span", { className: "atlas-check-next" }, [" " + T.finished + " "]);
    if (a && !/learning-path/.test(a.getAttribute("href") || "")) {
      span.appendChild(document.createTextNode(T.next));
      span.appendChild(el("a", { href: a.getAttribute("href"), text: a.textContent }));
    }
    return span;
  }

  function mountCheck(node) {
    var id = node.getAttribute("data-atlas-check");
    if (!id || node.getAttribute("data-atlas-mounted")) return;
    node.setAttribute("data-atlas-mounted", "1");
    var parts = id.split("/");
    var manual = node.hasAttribute("data-atlas-manual");
    var c = {
      id: id, slug: parts[0], step: parts[1], node: node, manual: manual,
      button: el("button", { type: "button", className: "md-button atlas-check-btn" }),
      status: el("span", { className: "atlas-check-status", role: "status", "aria-live": "polite" })
    };
    c.button.textContent = manual ? T.mark : T.check;
    c.button.addEventListener("click", function () {
      if (manual) {
        var done = !progress(c.slug)[c.step];
        setDone(c.slug, c.step, done);
        setStatus(c, done ? "ok" : null, done ? T.done : "", done ? nextLink(c) : null);
      } else {
        verify(c);
      }
    });
    node.appendChild(c.button);
    node.appendChild(c.status);
    checks.push(c);
  }

  // -- quiz -------------------------------------------------------------------------------------
  function mountQuiz(form) {
    var id = form.getAttribute("data-atlas-quiz");
    if (!id || form.getAttribute("data-atlas-mounted")) return;
    form.setAttribute("data-atlas-mounted", "1");
    var parts = id.split("/");
    var status = el("p", { className: "atlas-quiz-result", role: "status", "aria-live": "polite" });
    var button = el("button", { type: "submit", className: "md-button md-button--primary atlas-quiz-btn", text: T.quizCheck });
    form.appendChild(button);
    form.appendChild(status);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var sets = form.querySelectorAll("fieldset[data-answer]");
      var right = 0;
      sets.forEach(function (fs) {
        var chosen = fs.querySelector("input:checked");
        var ok = !!chosen && chosen.value === fs.getAttribute("data-answer");
        if (ok) right++;
        fs.classList.toggle("is-ok", ok);
        fs.classList.toggle("is-fail", !ok);
        var why = fs.querySelector(".atlas-quiz-why");
        if (why) why.hidden = false;
        var mark = fs.querySelector(".atlas-quiz-mark") || fs.insertBefore(el("span", { className: "atlas-quiz-mark" }), fs.children[1] || null);
        mark.textContent = ok ? "✓ " + T.done : "✗ " + (chosen ? T.notYet : T.quizMissing);
      });
      var all = right === sets.length;
      status.textContent = (all ? "✓ " + T.quizAll + " " : "") + T.quizScore(right, sets.length);
      status.className = "atlas-quiz-result " + (all ? "is-ok" : "is-fail");
      if (all) {
        setDone(parts[0], parts[1], true);
        var c = { slug: parts[0], step: parts[1] };
        var link = nextLink(c);
        if (link) status.appendChild(link);
      }
    });
  }

  // -- preview links ----------------------------------------------------------------------------
  function previewRoot() {
    return CFG.api.replace(/\/api$/, "") + "/preview/";
  }

  function mountPreview(node) {
    if (node.getAttribute("data-atlas-mounted")) return;
    node.setAttribute("data-atlas-mounted", "1");
    var port = node.getAttribute("data-atlas-preview");
    var a = el("a", { href: "#", target: "_blank", rel: "noopener", className: "md-button atlas-preview-link", text: T.preview(port) });
    var note = el("span", { className: "atlas-preview-note", role: "status", "aria-live": "polite" });
    function refresh() {
      var s = session(pageProfile(node));
      // The token opens the preview once; the proxy then keeps it in a cookie scoped to the preview path.
      if (s) a.setAttribute("href", previewRoot() + encodeURIComponent(s.id) + "/" + port + "/?token=" + encodeURIComponent(s.token));
      return s;
    }
    a.addEventListener("click", function (ev) {
      if (!refresh()) { ev.preventDefault(); note.textContent = T.previewHint; }
      else note.textContent = "";
    });
    a.addEventListener("focus", refresh);
    a.addEventListener("mouseenter", refresh);
    refresh();
    node.appendChild(a);
    node.appendChild(note);
  }

  // -- page progress and ticks --------------------------------------------------------------------
  var bar = null;

  function render() {
    var slugs = {};
    document.querySelectorAll("[data-atlas-check], [data-atlas-quiz]").forEach(function (n) {
      var id = n.getAttribute("data-atlas-check") || n.getAttribute("data-atlas-quiz");
      slugs[id.split("/")[0]] = true;
    });
    var slug = Object.keys(slugs)[0];
    if (!slug) return;
    var p = progress(slug);
    var ids = steps(slug);
    var done = ids.filter(function (s) { return p[s]; }).length;
    ids.forEach(function (step) {
      var h = document.getElementById(step);
      if (!h) return;
      h.classList.toggle("atlas-step-done", !!p[step]);
      var tick = h.querySelector(".atlas-tick");
      if (p[step] && !tick) {
        h.insertBefore(el("span", { className: "atlas-tick", title: T.done, text: "✓" }), h.firstChild);
      } else if (!p[step] && tick) {
        tick.remove();
      }
    });
    checks.forEach(function (c) {
      if (c.manual) c.button.textContent = p[c.step] ? T.unmark : T.mark;
      if (p[c.step] && !c.node.classList.contains("is-ok") && !c.node.classList.contains("is-fail")) {
        setStatus(c, "ok", T.doneBefore, nextLink(c));
      }
      if (!p[c.step] && c.node.classList.contains("is-ok")) setStatus(c, null, "");
    });
    var next = document.querySelector(".atlas-next");
    if (next) next.classList.toggle("is-ready", !!p[ids[ids.length - 1]]);
    if (!bar) {
      var h1 = document.querySelector(".md-content h1, article h1, h1");
      var reset = el("button", { type: "button", className: "atlas-progress-reset", text: T.reset });
      reset.addEventListener("click", function () { resetProgress(slug); });
      bar = {
        node: el("div", { className: "atlas-progress", "data-atlas-progress": slug }),
        text: el("span", { className: "atlas-progress-text" }),
        meter: el("progress", { max: String(ids.length), value: "0", "aria-hidden": "true" })
      };
      bar.node.appendChild(bar.meter);
      bar.node.appendChild(bar.text);
      bar.node.appendChild(reset);
      if (h1 && h1.parentNode) h1.parentNode.insertBefore(bar.node, h1.nextSibling);
    }
    bar.meter.value = done;
    bar.text.textContent = T.progress(done, ids.length);
  }

  function mountAll(root) {
    root = root || document;
    root.querySelectorAll("[data-atlas-check]").forEach(mountCheck);
    root.querySelectorAll("[data-atlas-quiz]").forEach(mountQuiz);
    root.querySelectorAll("[data-atlas-preview]").forEach(mountPreview);
    render();
  }

  window.atlasTutorial = {
    progress: progress,
    reset: resetProgress,
    session: session,
    verify: function (id) {
      var c = checks.filter(function (x) { return x.id === id; })[0];
      return c ? verify(c) : Promise.resolve(false);
    },
    mount: mountAll
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { mountAll(); });
  else mountAll();
  // Material's instant navigation swaps the page without a reload.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(function () {
      if (!document.querySelector(".atlas-progress")) { bar = null; checks = []; }
      mountAll();
    });
  }
})();
