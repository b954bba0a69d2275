/* Graph explorer helpers (graph.js): colours and styles, the catalog turned into lookups and
 * cytoscape elements, the legend, and the view read back from the URL. */
import { el, lang, t } from "./common.js";

export const COLORS = { core: "#3949ab", platform: "#00796b", support: "#8e24aa", concepts: "#ef6c00" };
export const EDGE_COLORS = ["#78909c", "#e53935", "#43a047", "#fb8c00", "#1e88e5", "#8e24aa", "#00acc1", "#6d4c41",
  "#c0ca33", "#d81b60"];
const dark = () => document.body.getAttribute("data-md-color-scheme") === "slate";
export const ink = () => (dark() ? { text: "#e8eaf6", halo: "#1e2129" } : { text: "#212121", halo: "#ffffff" });
export const STYLE = [
  { selector: "node", style: { "z-index-compare": "manual", "z-index": 2, "background-color": "data(color)",
    label: "data(label)", width: "data(size)",
    height: "data(size)", "font-size": 10, "min-zoomed-font-size": 8, "text-valign": "bottom", "text-margin-y": 3,
    color: ink().text, "text-outline-color": ink().halo, "text-outline-width": 2 } },
  { selector: "edge", style: { "z-index-compare": "manual", "z-index": 1, width: 1, "line-color": "data(color)", "curve-style": "haystack", opacity: 0.55 } },
  { selector: "node.cat", style: { shape: "round-rectangle", width: "data(w)", height: "data(h)",
    "background-color": "data(color)", "background-opacity": 0.07, "border-width": 1, "border-color": "data(color)",
    "border-opacity": 0.5, label: "data(label)", "text-valign": "top", "text-margin-y": -4, "font-size": 32,
    "font-weight": "bold", "min-zoomed-font-size": 5, "text-outline-width": 0, events: "no", "z-index": 0 } },
  { selector: ".hidden", style: { display: "none" } },
  { selector: ".faded", style: { opacity: 0.12 } },
  { selector: "node.cat.faded", style: { opacity: 0.4 } },
  { selector: "node.hit", style: { "border-width": 3, "border-color": "#ff6f00", "font-size": 13,
    "font-weight": "bold", "min-zoomed-font-size": 0, "z-index": 10 } },
  { selector: "edge.hit", style: { width: 3.5, opacity: 1, "z-index": 10 } },
];

/** The name of catalog entry `e` a reader of `lng` sees: a concept's `name_zh` on Chinese pages, else
 * `name`. The browser's copy of src/atlas/kb/names.py (display_name): keep the two alike. */
export function nameOf(e, lng = lang) {
  return (lng === "zh" && e.name_zh) || e.name;
}

/** Lookups over the catalog: entries by id, ids by lower-case name/alias/id, relation wording. */
export function indexCatalog(cat) {
  const byId = {};
  const names = {};
  for (const e of cat.entries) {
    byId[e.id] = e;
    names[e.name.toLowerCase()] = e.id;
    if (e.name_zh) names[e.name_zh.toLowerCase()] = e.id;
    names[e.id] = e.id;
    for (const a of e.aliases || []) names[String(a).toLowerCase()] = e.id;
  }
  const wording = {};
  for (const [k, r] of Object.entries(cat.vocabulary.relation_types)) {
    wording[k] = r[lang];
    if (!r.symmetric) wording[r.inverse] = r["inverse_" + lang];
  }
  // one relation record per ordered pair for path wording (derived ones give the reverse view)
  const pairWord = {};
  for (const r of cat.relations) {
    const key = r.source + "\u0000" + r.target;
    if (!pairWord[key]) pairWord[key] = r.type;
  }
  return { byId, names, wording, pairWord };
}

/** Each category is drawn as a labelled box behind its components: a node of class "cat" with this id prefix
 * (a plain node, not a cytoscape compound parent: compound bounds made 2,000 nodes twice as slow to draw). */
export const CAT_PREFIX = "category:";
const BOX_PAD = 34;

/** Cytoscape elements: one box per category, one node per entry, one edge per relation. */
export function elements(cat, layout, byId, typeColor) {
  const degree = {};
  const edges = [];
  cat.relations.forEach((r, i) => {
    if (r.derived || !byId[r.source] || !byId[r.target]) return;
    degree[r.source] = (degree[r.source] || 0) + 1;
    degree[r.target] = (degree[r.target] || 0) + 1;
    edges.push({ group: "edges",
      data: { id: "r" + i, source: r.source, target: r.target, type: r.type, color: typeColor[r.type] } });
  });
  const ext = {};
  const nodes = cat.entries.map((e) => {
    const [x, y] = layout[e.id] || [0, 0];
    const b = ext[e.category] || (ext[e.category] = { x1: x, x2: x, y1: y, y2: y, layer: e.layer });
    Object.assign(b, { x1: Math.min(b.x1, x), x2: Math.max(b.x2, x), y1: Math.min(b.y1, y), y2: Math.max(b.y2, y) });
    const size = Math.min(10 + 4 * Math.sqrt(degree[e.id] || 0), 40);
    return { group: "nodes", position: { x, y }, data: { id: e.id, label: nameOf(e), layer: e.layer, kind: e.kind,
      category: e.category, color: COLORS[e.layer] || "#607d8b", size } };
  });
  const names = cat.vocabulary.categories || {};
  const boxes = Object.entries(ext).map(([c, b]) => ({
    group: "nodes", classes: "cat", selectable: false, grabbable: false,
    position: { x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 },
    data: { id: CAT_PREFIX + c, category: c, label: (names[c] || {})[lang] || c, color: COLORS[b.layer] || "#607d8b",
      w: b.x2 - b.x1 + 2 * BOX_PAD, h: b.y2 - b.y1 + 2 * BOX_PAD },
  }));
  return boxes.concat(nodes, edges);
}

export function legendBox(cat, typeColor) {
  const voc = cat.vocabulary;
  const item = (color, text, cls) => el("li", {}, [el("span", { class: cls, style: "background:" + color }), " " + text]);
  return el("details", { class: "atlas-graph-legend", open: !window.matchMedia("(max-width: 45em)").matches }, [
    el("summary", { text: t("graph.legend") }),
    el("ul", {}, Object.keys(voc.layers).map((k) => item(COLORS[k] || "#607d8b", voc.layers[k][lang], "dot"))),
    el("ul", {}, Object.keys(voc.relation_types).map((k) => item(typeColor[k], voc.relation_types[k][lang], "line"))),
  ]);
}

/** The view in the URL: selected node, path endpoints, filters switched off, zoom and pan. */
export function readState() {
  const q = new URLSearchParams(window.location.search);
  const hash = decodeURIComponent(window.location.hash.slice(1));
  const num = (k) => (q.has(k) && Number.isFinite(Number(q.get(k))) ? Number(q.get(k)) : null);
  return { node: q.get("node") || hash || null, from: q.get("from") || "", to: q.get("to") || "",
    off: (q.get("off") || "").split(",").filter(Boolean), z: num("z"), x: num("x"), y: num("y") };
}

