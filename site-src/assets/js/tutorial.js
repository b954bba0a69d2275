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
 * The sandbox session is the one terminal.js started (sessions.js). Exposes window.atlasTutorial.
 */
import { API, SERVICE, el, lang, onPage, t } from "./common.js";
import { authed, loadSession, serviceOnline } from "./sessions.js";

// -- progress ---------------------------------------------------------------------------------
function storeKey(slug) {
  return "atlas-progress:" + slug;
}

function progress(slug) {
  try {
    return JSON.parse(localStorage.getItem(storeKey(slug)) || "{}") || {};
  } catch {
    return {};
  }
}

function setDone(slug, step, done) {
  const p = progress(slug);
  if (done) p[step] = Date.now();
  else delete p[step];
  try {
    localStorage.setItem(storeKey(slug), JSON.stringify(p));
  } catch {
    // private mode: no memory
  }
  render();
}

function resetProgress(slug) {
  try {
    localStorage.removeItem(storeKey(slug));
  } catch {
    // storage disabled: nothing stored
  }
  render();
}

// -- session (started by terminal.js) ---------------------------------------------------------
function pageProfile(node) {
  if (node && node.getAttribute("data-profile")) return node.getAttribute("data-profile");
  const block = document.querySelector("[data-atlas-run][data-profile]");
  return block ? block.getAttribute("data-profile") : "shell";
}

function hintText(data, node) {
  let h = data && data.hint;
  if (h && typeof h === "object") h = h[lang] || h.en;
  return h || node.getAttribute("data-hint") || (data && data.detail) || "";
}

// -- Check buttons --------------------------------------------------------------------------------
let checks = [];

/** Hints are plain text in which `backticks` mark commands: show those as code. */
function withCode(text) {
  const parts = String(text).split("`");
  return el("span", { class: "atlas-check-text" },
    parts.map((part, i) => (!part ? null : i % 2 ? el("code", { text: part }) : part)));
}

function setStatus(c, state, text, extra) {
  c.node.classList.remove("is-ok", "is-fail", "is-busy");
  if (state) c.node.classList.add("is-" + state);
  const mark = { ok: "✓ ", fail: "✗ " }[state];
  const parts = [
    mark && el("span", { class: "atlas-check-mark", "aria-hidden": "true", text: mark }),
    text && withCode(text),
    extra,
  ];
  c.status.replaceChildren(...parts.filter(Boolean));
}

/** The outcome of a verify response, as [state, text, extra] for setStatus. */
async function verdict(c, res) {
  if ((res.headers.get("Content-Type") || "").indexOf("json") === -1) return ["fail", t("tutorial.offline")];
  const data = await res.json();
  if (res.ok && data.ok === true) {
    setDone(c.slug, c.step, true);
    return ["ok", t("tutorial.done"), nextLink(c)];
  }
  if (res.ok) {
    const hint = hintText(data, c.node);
    return ["fail", t("tutorial.notYet") + (hint ? " — " + hint : "")];
  }
  if (data.field !== "check" && [401, 403, 404, 410].includes(res.status)) return ["fail", t("tutorial.expired")];
  return ["fail", t("tutorial.failed", { reason: data.error || res.status })];
}

async function verify(c) {
  const s = loadSession(pageProfile(c.node));
  if (!s) {
    setStatus(c, "fail", (await serviceOnline()) ? t("tutorial.noSession") : t("tutorial.offline"));
    return false;
  }
  setStatus(c, "busy", t("tutorial.checking"));
  c.button.disabled = true;
  let result;
  try {
    const res = await fetch(API + "/sessions/" + encodeURIComponent(s.id) + "/verify", authed(s, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ check: c.id }),
    }));
    result = await verdict(c, res);
  } catch {
    result = ["fail", t("tutorial.offline")];
  }
  setStatus(c, ...result);
  c.button.disabled = false;
  return result[0] === "ok";
}

function steps(slug) {
  const out = [];
  document.querySelectorAll("[data-atlas-check], [data-atlas-quiz]").forEach((n) => {
    const [tutorial, step] = (n.getAttribute("data-atlas-check") || n.getAttribute("data-atlas-quiz")).split("/");
    if (tutorial === slug) out.push(step);
  });
  return out;
}

function isLast(c) {
  const ids = steps(c.slug);
  return c.step === ids[ids.length - 1];
}

function nextLink(c) {
  if (!isLast(c)) return null;
  const a = document.querySelector(".atlas-next a");
  const span = el("span", { class: "atlas-check-next" }, [" " + t("tutorial.finished") + " "]);
  if (a && !/learning-path/.test(a.getAttribute("href") || "")) {
    span.append(t("tutorial.next"), el("a", { href: a.getAttribute("href"), text: a.textContent }));
  }
  return span;
}

function mountCheck(node) {
  const id = node.getAttribute("data-atlas-check");
  if (!id || node.getAttribute("data-atlas-mounted")) return;
  node.setAttribute("data-atlas-mounted", "1");
  const [slug, step] = id.split("/");
  const manual = node.hasAttribute("data-atlas-manual");
  const c = {
    id, slug, step, node, manual,
    button: el("button", { type: "button", class: "md-button atlas-check-btn",
      text: manual ? t("tutorial.mark") : t("tutorial.check") }),
    status: el("span", { class: "atlas-check-status", role: "status", "aria-live": "polite" }),
  };
  c.button.addEventListener("click", () => {
    if (!manual) {
      verify(c);
      return;
    }
    const done = !progress(c.slug)[c.step];
    setDone(c.slug, c.step, done);
    setStatus(c, done ? "ok" : null, done ? t("tutorial.done") : "", done ? nextLink(c) : null);
  });
  node.append(c.button, c.status);
  checks.push(c);
}

// -- quiz -------------------------------------------------------------------------------------
function mountQuiz(form) {
  const id = form.getAttribute("data-atlas-quiz");
  if (!id || form.getAttribute("data-atlas-mounted")) return;
  form.setAttribute("data-atlas-mounted", "1");
  const [slug, step] = id.split("/");
  const status = el("p", { class: "atlas-quiz-result", role: "status", "aria-live": "polite" });
  const button = el("button", { type: "submit", class: "md-button md-button--primary atlas-quiz-btn",
    text: t("tutorial.quizCheck") });
  form.append(button, status);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const sets = form.querySelectorAll("fieldset[data-answer]");
    let right = 0;
    sets.forEach((fs) => {
      const chosen = fs.querySelector("input:checked");
      const ok = Boolean(chosen) && chosen.value === fs.getAttribute("data-answer");
      if (ok) right++;
      fs.classList.toggle("is-ok", ok);
      fs.classList.toggle("is-fail", !ok);
      const why = fs.querySelector(".atlas-quiz-why");
      if (why) why.hidden = false;
      const mark = fs.querySelector(".atlas-quiz-mark")
        || fs.insertBefore(el("span", { class: "atlas-quiz-mark" }), fs.children[1] || null);
      mark.textContent = ok ? "✓ " + t("tutorial.done")
        : "✗ " + (chosen ? t("tutorial.notYet") : t("tutorial.quizMissing"));
    });
    const all = right === sets.length;
    status.textContent = (all ? "✓ " + t("tutorial.quizAll") + " " : "")
      + t("tutorial.quizScore", { right, total: sets.length });
    status.className = "atlas-quiz-result " + (all ? "is-ok" : "is-fail");
    if (all) {
      setDone(slug, step, true);
      const link = nextLink({ slug, step });
      if (link) status.append(link);
    }
  });
}

// -- preview links ----------------------------------------------------------------------------
function mountPreview(node) {
  if (node.getAttribute("data-atlas-mounted")) return;
  node.setAttribute("data-atlas-mounted", "1");
  const port = node.getAttribute("data-atlas-preview");
  const a = el("a", { href: "#", target: "_blank", rel: "noopener", class: "md-button atlas-preview-link",
    text: t("tutorial.preview", { port }) });
  const note = el("span", { class: "atlas-preview-note", role: "status", "aria-live": "polite" });
  function refresh() {
    const s = loadSession(pageProfile(node));
    // The token opens the preview once; the proxy then keeps it in a cookie scoped to the preview path.
    if (s) {
      a.setAttribute("href", SERVICE + "/preview/" + encodeURIComponent(s.id) + "/" + port + "/?token="
        + encodeURIComponent(s.token));
    }
    return s;
  }
  a.addEventListener("click", (ev) => {
    if (refresh()) {
      note.textContent = "";
    } else {
      ev.preventDefault();
      note.textContent = t("tutorial.previewHint");
    }
  });
  a.addEventListener("focus", refresh);
  a.addEventListener("mouseenter", refresh);
  refresh();
  node.append(a, note);
}

// -- page progress and ticks --------------------------------------------------------------------
let bar = null;

function progressBar(slug, total) {
  const h1 = document.querySelector(".md-content h1, article h1, h1");
  const reset = el("button", { type: "button", class: "atlas-progress-reset", text: t("tutorial.reset") });
  reset.addEventListener("click", () => resetProgress(slug));
  const made = {
    text: el("span", { class: "atlas-progress-text" }),
    meter: el("progress", { max: String(total), value: "0", "aria-hidden": "true" }),
  };
  made.node = el("div", { class: "atlas-progress", "data-atlas-progress": slug }, [made.meter, made.text, reset]);
  if (h1 && h1.parentNode) h1.parentNode.insertBefore(made.node, h1.nextSibling);
  return made;
}

function render() {
  const first = document.querySelector("[data-atlas-check], [data-atlas-quiz]");
  if (!first) return;
  const slug = (first.getAttribute("data-atlas-check") || first.getAttribute("data-atlas-quiz")).split("/")[0];
  const p = progress(slug);
  const ids = steps(slug);
  const done = ids.filter((s) => p[s]).length;
  for (const step of ids) {
    const h = document.getElementById(step);
    if (!h) continue;
    h.classList.toggle("atlas-step-done", Boolean(p[step]));
    const tick = h.querySelector(".atlas-tick");
    if (p[step] && !tick) h.prepend(el("span", { class: "atlas-tick", title: t("tutorial.done"), text: "✓" }));
    else if (!p[step] && tick) tick.remove();
  }
  for (const c of checks) {
    if (c.manual) c.button.textContent = p[c.step] ? t("tutorial.unmark") : t("tutorial.mark");
    const shown = c.node.classList.contains("is-ok") || c.node.classList.contains("is-fail");
    if (p[c.step] && !shown) setStatus(c, "ok", t("tutorial.doneBefore"), nextLink(c));
    if (!p[c.step] && c.node.classList.contains("is-ok")) setStatus(c, null, "");
  }
  const next = document.querySelector(".atlas-next");
  if (next) next.classList.toggle("is-ready", Boolean(p[ids[ids.length - 1]]));
  bar = bar || progressBar(slug, ids.length);
  bar.meter.value = done;
  bar.text.textContent = t("tutorial.progress", { done, total: ids.length });
}

function mountAll() {
  // Material's instant navigation swaps the page without a reload: start afresh on a new page.
  if (!document.querySelector(".atlas-progress")) {
    bar = null;
    checks = [];
  }
  document.querySelectorAll("[data-atlas-check]").forEach(mountCheck);
  document.querySelectorAll("[data-atlas-quiz]").forEach(mountQuiz);
  document.querySelectorAll("[data-atlas-preview]").forEach(mountPreview);
  render();
}

window.atlasTutorial = {
  progress,
  reset: resetProgress,
  session: (profile) => loadSession(profile || pageProfile(null)),
  verify(id) {
    const c = checks.find((x) => x.id === id);
    return c ? verify(c) : Promise.resolve(false);
  },
  mount: mountAll,
};

onPage(mountAll);
