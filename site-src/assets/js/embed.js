/* The embedded view (embed/view.html?view=card|category|graph&id=…&lang=en|zh; see
 * src/atlas/sitegen/render_embed.py). Data: the inlined #atlas-embed-data plus
 * data/v1/entries/<id>.json. Tells the parent page its height; links open in the parent. */
import { el } from "./common.js";

const ROOT = new URL("../", import.meta.url).href.replace(/assets\/$/, "");
const data = JSON.parse(document.getElementById("atlas-embed-data").textContent);
const q = new URLSearchParams(window.location.search);
const lang = q.get("lang") === "zh" ? "zh" : "en";
const ui = data.ui[lang];
const vocab = data.vocab[lang];
const names = data.names[lang]; // each entry's name in this language (atlas.kb.names)
const main = document.getElementById("atlas-embed");
const COLORS = { core: "#3949ab", platform: "#00796b", support: "#8e24aa", concepts: "#ef6c00" };
document.documentElement.lang = lang === "zh" ? "zh-Hans" : "en";

const page = (id) => ROOT + (lang === "zh" ? "zh/" : "") + "components/" + id + "/";
const link = (id) => el("a", { href: page(id), text: names[id] || id });

async function entry(id, tries = 3) {
  let r;
  try {
    r = await fetch(ROOT + "data/v1/entries/" + encodeURIComponent(id) + ".json");
  } catch (err) {
    if (tries > 1) return entry(id, tries - 1); // a dropped connection: ask again
    throw err;
  }
  if (!r.ok) throw new Error(ui.missing.replace("{id}", id));
  return r.json();
}

function card(d) {
  const e = d.entry;
  const f = e.facts;
  const row = (k, v) => (v ? [el("dt", { text: ui[k] }), el("dd", { text: String(v) })] : []);
  return el("article", { class: "card", style: "border-top-color:" + (COLORS[e.layer] || "#607d8b") }, [
    el("h1", {}, [link(e.id)]),
    el("p", { text: e.summary[lang] || e.summary.en }),
    el("dl", {}, [...row("layer", vocab.layers[e.layer]), ...row("status", vocab.statuses[f.status] || f.status),
      ...row("first_release", f.first_release), ...row("license", f.license)]),
    el("a", { class: "open", href: page(e.id), text: ui.open + " →" }),
  ]);
}

async function category(cat) {
  const ids = data.members[cat];
  if (!ids) throw new Error(ui.missing.replace("{id}", cat));
  const rows = await Promise.all(ids.map(entry));
  return el("table", {}, [
    el("caption", { text: vocab.categories[cat] || cat }),
    el("thead", {}, [el("tr", {}, ["name", "summary", "status", "first_release"].map((k) => el("th", { scope: "col", text: ui[k] })))]),
    el("tbody", {}, rows.map((d) => el("tr", {}, [
      el("td", {}, [link(d.entry.id)]),
      el("td", { text: d.entry.summary[lang] || d.entry.summary.en }),
      el("td", { text: vocab.statuses[d.entry.facts.status] || d.entry.facts.status || "—" }),
      el("td", { text: String(d.entry.facts.first_release || "—") }),
    ]))),
  ]);
}

function graph(d) {
  const id = d.entry.id;
  const seen = new Map();
  for (const r of d.relations) if (!seen.has(r.target)) seen.set(r.target, r.type);
  const others = [...seen.keys()].slice(0, 16);
  const w = 560;
  const h = 360;
  const cx = w / 2;
  const cy = h / 2;
  const svg = el("svg:svg", { viewBox: `0 0 ${w} ${h}`, role: "group", "aria-label": names[id] || id });
  others.forEach((o, i) => {
    const a = (2 * Math.PI * i) / others.length - Math.PI / 2;
    const x = cx + Math.cos(a) * 220;
    const y = cy + Math.sin(a) * 140;
    svg.append(el("svg:line", { x1: cx, y1: cy, x2: x, y2: y, class: "edge" }));
    const label = el("svg:text", { x: (cx + x) / 2, y: (cy + y) / 2 - 3, class: "rel", text: data.relations[lang][seen.get(o)] || "" });
    svg.append(label);
    const a2 = el("svg:a", { href: page(o) }, [
      el("svg:circle", { cx: x, cy: y, r: 7, fill: COLORS[data.layers[o]] || "#607d8b" }),
      el("svg:text", { x, y: y + 20, text: names[o] || o }),
    ]);
    svg.append(a2);
  });
  svg.append(el("svg:a", { href: page(id) }, [
    el("svg:circle", { cx, cy, r: 11, fill: COLORS[d.entry.layer] || "#607d8b" }),
    el("svg:text", { x: cx, y: cy + 26, class: "centre", text: names[id] || d.entry.name }),
  ]));
  return el("figure", {}, [svg]);
}

function tellHeight() {
  // the content's own height (the document's is never less than the frame's current height)
  window.parent.postMessage({ type: "atlas-embed-height", height: Math.ceil(main.getBoundingClientRect().height) }, "*");
}

async function show() {
  const view = q.get("view") || "card";
  const id = q.get("id") || "";
  try {
    if (view === "category") main.replaceChildren(await category(id));
    else if (view === "graph") main.replaceChildren(graph(await entry(id)));
    else main.replaceChildren(card(await entry(id)));
  } catch (err) {
    main.replaceChildren(el("p", { text: String(err.message || err) }));
  }
  document.body.dataset.ready = "true";
  tellHeight();
}

new ResizeObserver(tellHeight).observe(main);
show();
