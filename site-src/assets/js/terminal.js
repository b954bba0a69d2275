/* Container Atlas — in-page sandbox terminal (xterm.js + fit addon, vendored; no bundler, no CDN).
 *
 * Mounts on:
 *   [data-atlas-run data-profile="shell|docker"]  a runnable command block (<pre><code>). Adds ▶ Run and
 *                                                 Copy buttons. ▶ opens the terminal panel of the block's
 *                                                 profile (one per page and profile, placed after the block
 *                                                 last run), starts or resumes a sandbox session and types
 *                                                 the command + Enter.
 * Page config: <script type="application/json" id="atlas-config">{"api": "/api", "lang": "en"}</script>.
 * Sessions: POST {api}/sessions {"profile"} -> {id, token, seconds_left}; kept in sessionStorage under
 * "atlas-sandbox:<profile>" so a reload finds the same sandbox and another tab gets its own.
 * Terminal: WebSocket {api}/sessions/<id>/terminal?token=...; JSON text frames {"type":"input"|"resize"}
 * go out, binary frames (output) and JSON events {"type":"exit"|"expired"|"error"} come in.
 * Static hosting (no /healthz): ▶ says the sandbox is offline; Copy still works.
 * Exposes window.atlasTerminal = {run(blockEl), text(), session(profile), panels}.
 */
(function () {
  "use strict";

  var CFG = {};
  try {
    CFG = JSON.parse((document.getElementById("atlas-config") || {}).textContent || "{}");
  } catch (e) { CFG = {}; }
  var API = (CFG.api || "/api").replace(/\/$/, "");
  var ROOT = API.replace(/\/api$/, "");
  var LANG = /^zh/i.test(document.documentElement.lang || CFG.lang || "") ? "zh" : "en";
  var STORE = "atlas-sandbox:";

  var STRINGS = {
    en: {
      run: "▶ Run", runLabel: "Run this command in a sandbox terminal",
      copy: "Copy", copyLabel: "Copy this command", copied: "Copied", copyFailed: "Copy failed",
      offline: "Sandbox offline",
      offlineMsg: "The sandbox service is not running on this site (offline or static hosting). " +
        "Copy the command and run it on your own machine.",
      title: function (p) { return "Sandbox terminal (" + p + ")"; },
      connecting: "Starting a sandbox…", connected: "Connected", reconnecting: "Reconnecting…",
      ctrlc: "Ctrl-C", ctrlcLabel: "Send Ctrl-C (interrupt the running command)",
      end: "End", endLabel: "End this sandbox session and remove its container",
      left: function (t) { return t + " left"; }, leftLabel: "Time left in this sandbox session",
      exit: function (c) { return "The shell exited (code " + c + "). Press ▶ to start a new sandbox."; },
      expired: {
        idle: "The sandbox was removed after being idle too long. Press ▶ to start a new one.",
        lifetime: "The sandbox reached its time limit and was removed. Press ▶ to start a new one.",
        shutdown: "The sandbox service is shutting down.",
        deleted: "The session was closed. Press ▶ to start a new one.",
        other: "The sandbox session ended. Press ▶ to start a new one."
      },
      busy429: "You have too many sandboxes open. Close one (End) and try again.",
      busy503: "The sandbox is full right now. Please try again in a few minutes.",
      lost: "The connection to the sandbox was lost. Press ▶ to reconnect.",
      failed: "Could not start a sandbox: "
    },
    zh: {
      run: "▶ 运行", runLabel: "在沙箱终端中运行这条命令",
      copy: "复制", copyLabel: "复制这条命令", copied: "已复制", copyFailed: "复制失败",
      offline: "沙箱离线",
      offlineMsg: "本站没有运行沙箱服务（离线或静态托管）。请复制命令，在你自己的机器上运行。",
      title: function (p) { return "沙箱终端（" + p + "）"; },
      connecting: "正在启动沙箱…", connected: "已连接", reconnecting: "正在重新连接…",
      ctrlc: "Ctrl-C", ctrlcLabel: "发送 Ctrl-C（中断正在运行的命令）",
      end: "结束", endLabel: "结束这个沙箱会话并删除它的容器",
      left: function (t) { return "剩余 " + t; }, leftLabel: "沙箱会话的剩余时间",
      exit: function (c) { return "Shell 已退出（退出码 " + c + "）。点击 ▶ 启动新的沙箱。"; },
      expired: {
        idle: "沙箱空闲太久，已被删除。点击 ▶ 启动新的沙箱。",
        lifetime: "沙箱已到时间上限，已被删除。点击 ▶ 启动新的沙箱。",
        shutdown: "沙箱服务正在关闭。",
        deleted: "会话已关闭。点击 ▶ 启动新的沙箱。",
        other: "沙箱会话已结束。点击 ▶ 启动新的沙箱。"
      },
      busy429: "你打开的沙箱太多了。请先结束一个，再试一次。",
      busy503: "沙箱现在已满，请几分钟后再试。",
      lost: "与沙箱的连接已断开。点击 ▶ 重新连接。",
      failed: "无法启动沙箱："
    }
  };
  var S = STRINGS[LANG];

  // -- service health ---------------------------------------------------------------------------------
  var health = null;
  function online() {
    if (!health) {
      health = fetch(ROOT + "/healthz", { cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) { return !!(j && j.ok); })
        .catch(function () { return false; });
    }
    return health;
  }

  // -- session storage ----------------------------------------------------------------------------------
  function loadSession(profile) {
    try { return JSON.parse(sessionStorage.getItem(STORE + profile) || "null"); } catch (e) { return null; }
  }
  function saveSession(profile, s) {
    try {
      if (s) sessionStorage.setItem(STORE + profile, JSON.stringify(s));
      else sessionStorage.removeItem(STORE + profile);
    } catch (e) { /* storage disabled: the session lives until reload */ }
  }
  function authed(s) { return { headers: { "Authorization": "Bearer " + s.token }, cache: "no-store" }; }

  function fetchJSON(url, opts) {
    return fetch(url, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        return { status: r.status, body: body };
      });
    });
  }

  // Resume the stored session of `profile` if the service still knows it, else create one.
  function obtainSession(profile) {
    var stored = loadSession(profile);
    var resume = stored
      ? fetchJSON(API + "/sessions/" + encodeURIComponent(stored.id), authed(stored)).then(function (r) {
        if (r.status === 200) {
          stored.seconds_left = r.body.seconds_left;
          return stored;
        }
        saveSession(profile, null);
        return null;
      })
      : Promise.resolve(null);
    return resume.then(function (s) {
      if (s) return s;
      return fetchJSON(API + "/sessions", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ profile: profile })
      }).then(function (r) {
        if (r.status === 201) {
          var s = { id: r.body.id, token: r.body.token, profile: profile,
                    seconds_left: r.body.seconds_left, expires_at: r.body.expires_at };
          saveSession(profile, s);
          return s;
        }
        var err = new Error(r.status === 429 ? S.busy429 : r.status === 503 ? (r.body.error || S.busy503)
          : S.failed + (r.body.error || r.status));
        err.status = r.status;
        throw err;
      });
    });
  }

  // -- the terminal panel ----------------------------------------------------------------------------------
  var panels = {};
  var lastPanel = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function fmtTime(sec) {
    sec = Math.max(0, Math.round(sec));
    var m = Math.floor(sec / 60), s = sec % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function Panel(profile) {
    this.profile = profile;
    this.session = null;
    this.ws = null;
    this.queue = [];
    this.deadline = 0;
    this.ended = false;
    var root = this.root = el("section", "atlas-term");
    root.setAttribute("role", "region");
    root.setAttribute("aria-label", S.title(profile));
    var bar = el("div", "atlas-term__bar");
    bar.appendChild(el("span", "atlas-term__title", S.title(profile)));
    this.status = el("span", "atlas-term__status", S.connecting);
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    bar.appendChild(this.status);
    this.clock = el("span", "atlas-term__time", "");
    this.clock.setAttribute("title", S.leftLabel);
    bar.appendChild(this.clock);
    var ctrlc = el("button", "atlas-term__btn", S.ctrlc);
    ctrlc.type = "button";
    ctrlc.setAttribute("aria-label", S.ctrlcLabel);
    ctrlc.addEventListener("click", this.input.bind(this, "\x03"));
    bar.appendChild(ctrlc);
    var end = el("button", "atlas-term__btn", S.end);
    end.type = "button";
    end.setAttribute("aria-label", S.endLabel);
    end.addEventListener("click", this.end.bind(this));
    bar.appendChild(end);
    root.appendChild(bar);
    this.screen = el("div", "atlas-term__screen");
    root.appendChild(this.screen);
    this.term = null;
    this.fit = null;
  }

  Panel.prototype.ensureTerm = function () {
    if (this.term) return;
    var self = this;
    var Term = window.Terminal;
    this.term = new Term({
      cursorBlink: true, convertEol: false, scrollback: 5000, fontSize: 14,
      fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
      theme: { background: "#1e1e1e", foreground: "#e6e6e6" }
    });
    var Fit = window.FitAddon && (window.FitAddon.FitAddon || window.FitAddon);
    if (Fit) {
      this.fit = new Fit();
      this.term.loadAddon(this.fit);
    }
    this.term.open(this.screen);
    this.term.onData(function (d) { self.input(d); });
    this.term.onResize(function (size) { self.send({ type: "resize", cols: size.cols, rows: size.rows }); });
    if (window.ResizeObserver) {
      new ResizeObserver(function () { self.refit(); }).observe(this.screen);
    } else {
      window.addEventListener("resize", function () { self.refit(); });
    }
    setInterval(function () { self.tick(); }, 1000);
  };

  Panel.prototype.refit = function () {
    if (this.fit && this.root.isConnected && this.screen.clientWidth > 0) {
      try { this.fit.fit(); } catch (e) { /* hidden */ }
    }
  };

  Panel.prototype.tick = function () {
    if (!this.deadline || this.ended) { this.clock.textContent = ""; return; }
    this.clock.textContent = S.left(fmtTime((this.deadline - Date.now()) / 1000));
  };

  Panel.prototype.setStatus = function (text, kind) {
    this.status.textContent = text;
    this.root.setAttribute("data-state", kind || "");
  };

  Panel.prototype.send = function (obj) {
    if (this.ws && this.ws.readyState === 1) {
      this.ws.send(JSON.stringify(obj));
      return true;
    }
    return false;
  };

  Panel.prototype.input = function (data) {
    if (!this.send({ type: "input", data: data })) this.queue.push(data);
    if (this.term) this.term.focus();
  };

  Panel.prototype.place = function (block) {
    if (block && block.nextSibling !== this.root) block.parentNode.insertBefore(this.root, block.nextSibling);
  };

  // Connect (creating or resuming the session) unless already connected; resolves when the socket is open.
  Panel.prototype.connect = function () {
    var self = this;
    if (this.ws && this.ws.readyState <= 1) return this.opening || Promise.resolve();
    this.ended = false;
    this.setStatus(this.session ? S.reconnecting : S.connecting, "busy");
    this.opening = obtainSession(this.profile).then(function (s) {
      self.session = s;
      self.deadline = Date.now() + (s.seconds_left || 0) * 1000;
      return new Promise(function (resolve, reject) {
        var u = new URL(API + "/sessions/" + encodeURIComponent(s.id) + "/terminal", location.href);
        u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
        u.searchParams.set("token", s.token);
        var ws = self.ws = new WebSocket(u.toString());
        ws.binaryType = "arraybuffer";
        var opened = false;
        ws.onopen = function () {
          opened = true;
          self.setStatus(S.connected, "ok");
          self.refit();
          self.send({ type: "resize", cols: self.term.cols, rows: self.term.rows });
          var q = self.queue.splice(0);
          for (var i = 0; i < q.length; i++) self.send({ type: "input", data: q[i] });
          resolve();
        };
        ws.onmessage = function (ev) {
          if (typeof ev.data === "string") self.event(JSON.parse(ev.data));
          else self.term.write(new Uint8Array(ev.data));
        };
        ws.onclose = function () {
          if (!opened) reject(new Error(S.lost));
          else if (!self.ended) self.setStatus(S.lost, "error");
          self.ws = null;
        };
      });
    });
    this.opening.catch(function (err) {
      self.setStatus(err.message || S.lost, "error");
      self.opening = null;
    });
    return this.opening;
  };

  Panel.prototype.event = function (ev) {
    if (ev.type === "exit" || ev.type === "expired") {
      this.ended = true;
      this.deadline = 0;
      saveSession(this.profile, null);
      this.session = null;
      var msg = ev.type === "exit" ? S.exit(ev.code) : (S.expired[ev.reason] || S.expired.other);
      this.setStatus(msg, "ended");
      this.term.write("\r\n\x1b[33m" + msg + "\x1b[0m\r\n");
    } else if (ev.type === "error") {
      this.setStatus(ev.message || S.lost, "error");
    }
  };

  Panel.prototype.end = function () {
    var s = this.session;
    this.ended = true;
    this.deadline = 0;
    saveSession(this.profile, null);
    this.session = null;
    if (this.ws) this.ws.close();
    this.setStatus(S.expired.deleted, "ended");
    if (s) fetch(API + "/sessions/" + encodeURIComponent(s.id), { method: "DELETE", headers: authed(s).headers });
  };

  // -- blocks ---------------------------------------------------------------------------------------------
  function commandOf(block) {
    var code = block.querySelector("code") || block.querySelector("pre") || block;
    return (code.textContent || "").replace(/\s+$/, "");
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var ta = el("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.style.position = "fixed";
      ta.style.opacity = "0";
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(ta);
      if (ok) resolve(); else reject(new Error("copy"));
    });
  }

  function flash(btn, text, label) {
    btn.textContent = text;
    setTimeout(function () { btn.textContent = label; }, 1500);
  }

  function showOffline(block, runBtn) {
    runBtn.textContent = S.offline;
    runBtn.disabled = true;
    runBtn.setAttribute("aria-disabled", "true");
    var note = block.querySelector(".atlas-run__note");
    if (!note) {
      note = el("p", "atlas-run__note", S.offlineMsg);
      note.setAttribute("role", "status");
      block.appendChild(note);
    }
  }

  function run(block) {
    var profile = block.getAttribute("data-profile") || "shell";
    var runBtn = block.querySelector(".atlas-run__run");
    return online().then(function (ok) {
      if (!ok) {
        if (runBtn) showOffline(block, runBtn);
        else block.appendChild(el("p", "atlas-run__note", S.offlineMsg));
        return false;
      }
      if (!window.Terminal) throw new Error("xterm.js is not loaded on this page");
      var panel = panels[profile] || (panels[profile] = new Panel(profile));
      lastPanel = panel;
      panel.place(block);
      panel.ensureTerm();
      panel.refit();
      panel.input(commandOf(block).replace(/\r?\n/g, "\r") + "\r");
      return panel.connect().then(function () { panel.term.focus(); return true; },
        function () { return false; });
    });
  }

  function mount(block) {
    if (block.getAttribute("data-atlas-mounted")) return;
    block.setAttribute("data-atlas-mounted", "1");
    var bar = el("div", "atlas-run__bar");
    var runBtn = el("button", "atlas-run__btn atlas-run__run", S.run);
    runBtn.type = "button";
    runBtn.setAttribute("aria-label", S.runLabel);
    runBtn.addEventListener("click", function () { run(block); });
    var copyBtn = el("button", "atlas-run__btn atlas-run__copy", S.copy);
    copyBtn.type = "button";
    copyBtn.setAttribute("aria-label", S.copyLabel);
    copyBtn.addEventListener("click", function () {
      copyText(commandOf(block)).then(function () { flash(copyBtn, S.copied, S.copy); },
        function () { flash(copyBtn, S.copyFailed, S.copy); });
    });
    bar.appendChild(runBtn);
    bar.appendChild(copyBtn);
    block.insertBefore(bar, block.firstChild);
  }

  function text() {
    var p = lastPanel;
    if (!p || !p.term) return "";
    var buf = p.term.buffer.active, lines = [];
    for (var i = 0; i < buf.length; i++) {
      var line = buf.getLine(i);
      lines.push(line ? line.translateToString(true) : "");
    }
    return lines.join("\n").replace(/\n+$/, "");
  }

  function init() {
    var blocks = document.querySelectorAll("[data-atlas-run]");
    if (blocks.length) online(); // ask once, early: a click then starts the session without waiting
    for (var i = 0; i < blocks.length; i++) mount(blocks[i]);
    resume(blocks);
  }

  var resuming = false;
  // After a reload (same tab) reopen the panel of each stored session, without typing anything.
  function resume(blocks) {
    var seen = {};
    if (resuming) return;
    resuming = true;
    for (var i = 0; i < blocks.length; i++) {
      var profile = blocks[i].getAttribute("data-profile") || "shell";
      if (seen[profile] || panels[profile] || !loadSession(profile)) continue;
      seen[profile] = blocks[i];
    }
    if (!Object.keys(seen).length || !window.Terminal) return;
    online().then(function (ok) {
      if (!ok) return;
      Object.keys(seen).forEach(function (profile) {
        var panel = panels[profile] = new Panel(profile);
        lastPanel = lastPanel || panel;
        panel.place(seen[profile]);
        panel.ensureTerm();
        panel.refit();
        panel.connect();
      });
    });
  }

  window.atlasTerminal = {
    run: run,
    text: text,
    session: function (profile) {
      var p = panels[profile || "shell"];
      return (p && p.session) || loadSession(profile || "shell");
    },
    panels: panels
  };

  // Material's document$ emits the current page at once and again after each instant navigation.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(function () { init(); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
