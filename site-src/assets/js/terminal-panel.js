/* Container Atlas — the sandbox terminal panel (used by terminal.js): an xterm.js screen with a
 * status line, the session's time left, Ctrl-C and End, connected to the session's terminal.
 *
 * Sessions: POST {api}/sessions {"profile"} -> {id, token, seconds_left}; a stored session
 * (sessions.js) is resumed when the service still knows it.
 * Terminal: WebSocket {api}/sessions/<id>/terminal?token=...; JSON text frames {"type":"input"|"resize"}
 * go out, binary frames (output) and JSON events {"type":"exit"|"expired"|"error"|"restarting"} come in.
 * When the WebSocket closes without the session ending (the service restarted, the network dropped),
 * the panel reconnects by itself with backoff to the same session (id and token from sessionStorage)
 * and finds the same shell; what is typed meanwhile is queued and sent once connected.
 */
import { API, el, hasString, t } from "./common.js";
import { authed, loadSession, saveSession } from "./sessions.js";

const RETRY_DELAYS = [500, 1000, 2000, 4000, 8000]; // ms; the last one repeats
const RETRY_FOR = 5 * 60 * 1000; // give up reconnecting after five minutes

async function fetchJSON(url, options) {
  const r = await fetch(url, options);
  const body = await r.json().catch(() => ({}));
  return { status: r.status, body };
}

/** Resume the stored session of `profile` if the service still knows it, else create one. */
async function obtainSession(profile) {
  const stored = loadSession(profile);
  if (stored) {
    const r = await fetchJSON(API + "/sessions/" + encodeURIComponent(stored.id), authed(stored));
    if (r.status === 200) {
      stored.seconds_left = r.body.seconds_left;
      return stored;
    }
    saveSession(profile, null);
  }
  const r = await fetchJSON(API + "/sessions", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ profile }),
  });
  if (r.status === 201) {
    const s = {
      id: r.body.id, token: r.body.token, profile,
      seconds_left: r.body.seconds_left, expires_at: r.body.expires_at,
    };
    saveSession(profile, s);
    return s;
  }
  const message = r.status === 429 ? t("terminal.busy429")
    : r.status === 503 ? r.body.error || t("terminal.busy503")
    : t("terminal.failed", { reason: r.body.error || r.status });
  const err = new Error(message);
  err.status = r.status;
  throw err;
}

// -- the terminal panel ------------------------------------------------------------------------------------
function fmtTime(sec) {
  sec = Math.max(0, Math.round(sec));
  const m = Math.floor(sec / 60);
  const s = sec % 60;
  return m + ":" + (s < 10 ? "0" : "") + s;
}

/** One terminal panel: an xterm.js screen bound to the sandbox session of one profile. */
export class Panel {
  constructor(profile) {
    this.profile = profile;
    this.session = null;
    this.ws = null;
    this.opening = null;
    this.queue = [];
    this.deadline = 0;
    this.ended = false;
    this.term = null;
    this.fit = null;
    const title = t("terminal.title", { profile });
    this.status = el("span", { class: "atlas-term__status", role: "status", "aria-live": "polite",
      text: t("terminal.connecting") });
    this.clock = el("span", { class: "atlas-term__time", title: t("terminal.leftLabel") });
    const ctrlc = el("button", { type: "button", class: "atlas-term__btn", "aria-label": t("terminal.ctrlcLabel"),
      text: t("terminal.ctrlc") });
    ctrlc.addEventListener("click", () => this.input("\x03"));
    const end = el("button", { type: "button", class: "atlas-term__btn", "aria-label": t("terminal.endLabel"),
      text: t("terminal.end") });
    end.addEventListener("click", () => this.end());
    const bar = el("div", { class: "atlas-term__bar" },
      [el("span", { class: "atlas-term__title", text: title }), this.status, this.clock, ctrlc, end]);
    this.screen = el("div", { class: "atlas-term__screen" });
    this.root = el("section", { class: "atlas-term", role: "region", "aria-label": title }, [bar, this.screen]);
  }

  ensureTerm() {
    if (this.term) return;
    this.term = new window.Terminal({
      cursorBlink: true, convertEol: false, scrollback: 5000, fontSize: 14,
      fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
      theme: { background: "#1e1e1e", foreground: "#e6e6e6" },
    });
    const Fit = window.FitAddon && (window.FitAddon.FitAddon || window.FitAddon);
    if (Fit) {
      this.fit = new Fit();
      this.term.loadAddon(this.fit);
    }
    this.term.open(this.screen);
    this.term.onData((d) => this.input(d));
    this.term.onResize((size) => this.send({ type: "resize", cols: size.cols, rows: size.rows }));
    if (window.ResizeObserver) new ResizeObserver(() => this.refit()).observe(this.screen);
    else window.addEventListener("resize", () => this.refit());
    setInterval(() => this.tick(), 1000);
  }

  refit() {
    if (this.fit && this.root.isConnected && this.screen.clientWidth > 0) {
      try {
        this.fit.fit();
      } catch {
        // hidden: nothing to fit
      }
    }
  }

  tick() {
    if (!this.deadline || this.ended) {
      this.clock.textContent = "";
      return;
    }
    this.clock.textContent = t("terminal.left", { time: fmtTime((this.deadline - Date.now()) / 1000) });
  }

  setStatus(text, kind) {
    this.status.textContent = text;
    this.root.setAttribute("data-state", kind || "");
  }

  send(obj) {
    if (this.ws && this.ws.readyState === 1) {
      this.ws.send(JSON.stringify(obj));
      return true;
    }
    return false;
  }

  input(data) {
    if (!this.send({ type: "input", data })) this.queue.push(data);
    if (this.term) this.term.focus();
  }

  place(block) {
    if (block && block.nextSibling !== this.root) block.parentNode.insertBefore(this.root, block.nextSibling);
  }

  /** Connect (creating or resuming the session) unless connected; resolves when the socket is open. */
  connect() {
    if (this.ws && this.ws.readyState <= 1) return this.opening || Promise.resolve();
    this.ended = false;
    this.setStatus(this.session ? t("terminal.reconnecting") : t("terminal.connecting"), "busy");
    this.opening = obtainSession(this.profile).then((s) => {
      this.session = s;
      this.deadline = Date.now() + (s.seconds_left || 0) * 1000;
      return this.open(s);
    });
    this.opening.catch((err) => {
      this.setStatus(err.message || t("terminal.lost"), "error");
      this.opening = null;
    });
    return this.opening;
  }

  open(s) {
    return new Promise((resolve, reject) => {
      const u = new URL(API + "/sessions/" + encodeURIComponent(s.id) + "/terminal", location.href);
      u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
      u.searchParams.set("token", s.token);
      const ws = this.ws = new WebSocket(u.toString());
      ws.binaryType = "arraybuffer";
      let opened = false;
      ws.onopen = () => {
        opened = true;
        this.failed = false;
        this.retries = 0;
        this.retryStart = 0;
        this.setStatus(t("terminal.connected"), "ok");
        this.refit();
        this.send({ type: "resize", cols: this.term.cols, rows: this.term.rows });
        for (const data of this.queue.splice(0)) this.send({ type: "input", data });
        resolve();
      };
      ws.onmessage = (ev) => {
        if (typeof ev.data === "string") this.event(JSON.parse(ev.data));
        else this.term.write(new Uint8Array(ev.data));
      };
      ws.onclose = () => {
        if (this.ws === ws) this.ws = null;
        if (!opened) reject(new Error(t("terminal.lost")));
        else if (!this.ended && !this.failed) this.retry();
        else if (!this.ended) this.setStatus(t("terminal.lost"), "error");
      };
    });
  }

  event(ev) {
    if (ev.type === "exit" || ev.type === "expired") {
      this.forget();
      let msg = t("terminal.exit", { code: ev.code });
      if (ev.type === "expired") {
        const key = "terminal.expired." + ev.reason;
        msg = t(hasString(key) ? key : "terminal.expired.other");
      }
      this.setStatus(msg, "ended");
      this.term.write("\r\n\x1b[33m" + msg + "\x1b[0m\r\n");
    } else if (ev.type === "error") {
      this.failed = true; // e.g. opened in another window: do not fight over the terminal
      this.setStatus(ev.message || t("terminal.lost"), "error");
    } else if (ev.type === "restarting") {
      this.setStatus(t("terminal.reconnecting"), "busy");
    }
  }

  /** The socket dropped but the session did not end: connect again after a growing delay. */
  retry() {
    if (this.retryTimer || this.ended) return;
    if (!this.retryStart) this.retryStart = Date.now();
    if (Date.now() - this.retryStart > RETRY_FOR) {
      this.setStatus(t("terminal.lost"), "error");
      return;
    }
    this.setStatus(t("terminal.reconnecting"), "busy");
    const delay = RETRY_DELAYS[Math.min(this.retries || 0, RETRY_DELAYS.length - 1)];
    this.retries = (this.retries || 0) + 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.ended) return;
      this.opening = null;
      this.connect().catch(() => this.retry());
    }, delay);
  }

  /** Forget the session (it ended or is being ended); returns it. */
  forget() {
    const s = this.session;
    this.ended = true;
    this.deadline = 0;
    saveSession(this.profile, null);
    this.session = null;
    return s;
  }

  end() {
    const s = this.forget();
    if (this.ws) this.ws.close();
    this.setStatus(t("terminal.expired.deleted"), "ended");
    // Fire and forget: the service ends an idle session on its own if this never arrives.
    if (s) fetch(API + "/sessions/" + encodeURIComponent(s.id), authed(s, { method: "DELETE" })).catch(() => {});
  }
}
