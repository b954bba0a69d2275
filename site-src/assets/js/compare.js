/* The compare page (src/atlas/sitegen/render_compare.py): 2–4 components side by side.
 * The selection lives in the URL (?ids=a,b,c); each entry comes from the data API
 * (data/v1/entries/<id>.json); wording comes from the page's #atlas-compare-config JSON. */
import { SITE_ROOT, el, onPage } from "./common.js";

function mount() {
  const root = document.querySelector("[data-atlas-compare]");
  const node = document.getElementById("atlas-compare-config");
  if (!root || !node || root.dataset.mounted) return;
  root.dataset.mounted = "1";
  const cfg = JSON.parse(node.textContent);
  const ui = cfg.ui;
  const form = document.querySelector("[data-atlas-compare-pick]");
  const status = document.querySelector(".atlas-compare-status");
  const byName = {};
  const nameOf = {};
  for (const [id, name, ...others] of cfg.names) {
    for (const n of [name, ...others]) byName[String(n).toLowerCase()] = id;
    byName[id] = id;
    nameOf[id] = name;
  }
  const pages = SITE_ROOT + (cfg.lang === "zh" ? "zh/" : "");
  const cache = {};
  let ids = (new URLSearchParams(window.location.search).get("ids") || "").split(",").filter((i) => nameOf[i]);
  ids = [...new Set(ids)].slice(0, cfg.max);

  async function entry(id) {
    if (!cache[id]) {
      const r = await fetch(SITE_ROOT + "data/v1/entries/" + encodeURIComponent(id) + ".json");
      if (!r.ok) throw new Error(id + ": HTTP " + r.status);
      cache[id] = await r.json();
    }
    return cache[id];
  }

  const link = (id) => el("a", { href: pages + "components/" + id + "/", text: nameOf[id] || id });
  const text = (v) => (v === null || v === undefined || v === "" ? ui.none : String(v));

  function cell(row, data) {
    const e = data.entry;
    const f = e.facts;
    switch (row) {
      case "summary": return e.summary[cfg.lang] || e.summary.en;
      case "layer": return cfg.vocab.layers[e.layer] || e.layer;
      case "category": return cfg.vocab.categories[e.category] || e.category;
      case "kind": return cfg.vocab.kinds[e.kind] || e.kind;
      case "status": {
        const s = cfg.vocab.statuses[f.status] || text(f.status);
        return f.status_since ? s + " (" + ui.since.replace("{y}", f.status_since) + ")" : s;
      }
      case "foundation": return f.foundation
        ? `${f.foundation.name} ${cfg.vocab.foundation_statuses[f.foundation.status] || f.foundation.status}`
          + (f.foundation.since ? " (" + ui.since.replace("{y}", f.foundation.since) + ")" : "")
        : ui.none;
      case "homepage": return f.homepage ? el("a", { href: f.homepage, text: f.homepage.replace(/^https?:\/\//, "") }) : ui.none;
      case "relations": {
        const groups = {};
        for (const r of data.relations) (groups[r.type] = groups[r.type] || []).push(r.target);
        const order = cfg.relation_order.filter((k) => groups[k]);
        return el("ul", {}, order.map((k) => el("li", {}, [
          (cfg.relations[k] || k) + ": ",
          ...groups[k].flatMap((target, i) => (i ? [", ", link(target)] : [link(target)])),
        ])));
      }
      default: return text(f[row]);
    }
  }

  function save() {
    const url = new URL(window.location.href);
    if (ids.length) url.searchParams.set("ids", ids.join(","));
    else url.searchParams.delete("ids");
    window.history.replaceState(null, "", url);
  }

  async function draw() {
    save();
    status.textContent = ids.length < 2 ? ui.empty : "";
    if (!ids.length) {
      root.replaceChildren();
      return;
    }
    const data = await Promise.all(ids.map(entry));
    const head = el("tr", {}, [el("th", { scope: "col", text: ui.component }), ...ids.map((id) => el("th", { scope: "col" }, [
      link(id), " ",
      el("button", { type: "button", class: "atlas-compare-remove", "data-id": id, "aria-label": ui.remove.replace("{name}", nameOf[id]), text: "×" }),
    ]))]);
    const body = cfg.rows.map((row) => el("tr", { "data-row": row }, [
      el("th", { scope: "row", text: ui[row] }),
      ...data.map((d) => el("td", {}, [cell(row, d)])),
    ]));
    root.replaceChildren(el("table", {}, [el("thead", {}, [head]), el("tbody", {}, body)]));
  }

  root.addEventListener("click", (ev) => {
    const id = ev.target.getAttribute && ev.target.getAttribute("data-id");
    if (!id) return;
    ids = ids.filter((i) => i !== id);
    draw();
  });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const input = form.querySelector("input");
    const id = byName[input.value.trim().toLowerCase()];
    if (!id) {
      status.textContent = ui.unknown.replace("{name}", input.value);
      return;
    }
    if (!ids.includes(id)) {
      if (ids.length >= cfg.max) {
        status.textContent = ui.max;
        return;
      }
      ids.push(id);
    }
    input.value = "";
    draw();
  });
  draw().catch((err) => { status.textContent = String(err.message || err); });
}

onPage(mount);
