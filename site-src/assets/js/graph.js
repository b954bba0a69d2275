/* Container Atlas graph explorer: mounts on [data-atlas-graph].
 * Data: assets/graph.json (the export catalog) + assets/graph-layout.json (positions computed at
 * build time, so the browser only draws: cytoscape `preset` layout, fine with 2,000 nodes).
 * Filters by layer, kind and relation type; search by name/alias; click a node -> its page;
 * pick two components -> the shortest path between them is highlighted and listed.
 * Exposes window.atlasGraph = {cy, findPath(a, b), focus(id)} once drawn (root gets data-ready).
 */
import { SITE_ROOT, el, lang, onPage, t } from "./common.js";

const COLORS = { core: "#3949ab", platform: "#00796b", support: "#8e24aa", concepts: "#ef6c00" };
const PAGES = SITE_ROOT + (lang === "zh" ? "zh/" : "");
const STYLE = [
  { selector: "node", style: { "background-color": "data(color)", label: "data(label)", width: 14, height: 14,
    "font-size": 10, "min-zoomed-font-size": 7, "text-valign": "bottom", "text-margin-y": 3, color: "#222" } },
  { selector: "edge", style: { width: 0.8, "line-color": "#b0bec5", "curve-style": "haystack", opacity: 0.7 } },
  { selector: ".hidden", style: { display: "none" } },
  { selector: ".faded", style: { opacity: 0.15 } },
  { selector: "node.hit", style: { "border-width": 3, "border-color": "#ff6f00", width: 22, height: 22,
    "font-size": 14, "font-weight": "bold", "min-zoomed-font-size": 0, "z-index": 10 } },
  { selector: "edge.hit", style: { width: 4, "line-color": "#ff6f00", opacity: 1, "z-index": 10 } },
];

function pageOf(id) {
  return PAGES + "components/" + id + "/";
}

async function fetchJSON(path) {
  const r = await fetch(SITE_ROOT + path);
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

function checkboxes(name, items, legend) {
  return el("fieldset", { class: "atlas-" + name }, [
    el("legend", { text: legend }),
    ...Object.keys(items).map((k) => {
      const id = "atlas-f-" + name + "-" + k;
      const cb = el("input", { type: "checkbox", id, value: k, checked: true, "data-filter": name });
      return el("label", { for: id }, [cb, " " + (items[k][lang] || k)]);
    }),
  ]);
}

/** Lookups over the catalog: entries by id, ids by lower-case name/alias/id, relation wording. */
function indexCatalog(cat) {
  const byId = {};
  const names = {};
  for (const e of cat.entries) {
    byId[e.id] = e;
    names[e.name.toLowerCase()] = e.id;
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

function elements(cat, layout, byId) {
  const nodes = cat.entries.map((e) => {
    const [x, y] = layout[e.id] || [0, 0];
    return { group: "nodes", position: { x, y },
      data: { id: e.id, label: e.name, layer: e.layer, kind: e.kind, color: COLORS[e.layer] || "#607d8b" } };
  });
  const edges = [];
  cat.relations.forEach((r, i) => {
    if (r.derived || !byId[r.source] || !byId[r.target]) return;
    edges.push({ group: "edges", data: { id: "r" + i, source: r.source, target: r.target, type: r.type } });
  });
  return nodes.concat(edges);
}

/** The form above the graph; returns its parts by name. */
function controls(root, cat) {
  const voc = cat.vocabulary;
  const input = (id) => el("input", { type: "text", id, list: "atlas-names", autocomplete: "off" });
  const ui = {
    search: input("atlas-search"),
    from: input("atlas-from"),
    to: input("atlas-to"),
    go: el("button", { type: "button", id: "atlas-path-go", text: t("graph.path") }),
    clear: el("button", { type: "button", id: "atlas-clear", text: t("graph.clear") }),
    status: el("div", { class: "atlas-graph-status", role: "status", "aria-live": "polite" }),
    pathList: el("ol", { class: "atlas-graph-path" }),
    canvas: el("div", { class: "atlas-graph-canvas", id: "atlas-graph-canvas" }),
    names: el("datalist", { id: "atlas-names" }, cat.entries.map((e) => el("option", { value: e.name }))),
  };
  const form = el("div", { class: "atlas-graph-controls" }, [
    el("div", {}, [el("label", { for: "atlas-search", text: t("graph.search") }), ui.search, ui.names]),
    el("div", {}, [el("label", { for: "atlas-from", text: t("graph.from") }), ui.from,
      el("label", { for: "atlas-to", text: t("graph.to") }), ui.to, ui.go, " ", ui.clear]),
    checkboxes("layers", voc.layers, t("graph.layers")),
    checkboxes("kinds", voc.kinds, t("graph.kinds")),
    checkboxes("relations", voc.relation_types, t("graph.relations")),
  ]);
  root.replaceChildren(form, ui.status, ui.canvas, ui.pathList);
  return ui;
}

function build(root, cat, layout) {
  const { byId, names, wording, pairWord } = indexCatalog(cat);
  const ui = controls(root, cat);
  const big = cat.entries.length > 400;
  const cy = window.cytoscape({
    container: ui.canvas, elements: elements(cat, layout, byId), layout: { name: "preset" }, style: STYLE,
    minZoom: 0.05, maxZoom: 4, wheelSensitivity: 0.3,
    hideEdgesOnViewport: big, textureOnViewport: big, pixelRatio: big ? 1 : "auto",
  });
  const { status, pathList } = ui;

  function applyFilters() {
    const on = {};
    root.querySelectorAll("input[data-filter]").forEach((cb) => {
      on[cb.getAttribute("data-filter") + ":" + cb.value] = cb.checked;
    });
    cy.batch(() => {
      cy.nodes().forEach((n) => {
        n.toggleClass("hidden", on["layers:" + n.data("layer")] === false || on["kinds:" + n.data("kind")] === false);
      });
      cy.edges().forEach((e) => {
        const vis = on["relations:" + e.data("type")] !== false
          && !e.source().hasClass("hidden") && !e.target().hasClass("hidden");
        e.toggleClass("hidden", !vis);
      });
    });
    status.textContent = t("graph.shown", { n: cy.nodes(":visible").length, m: cy.edges(":visible").length });
  }

  const resolve = (text) => names[String(text || "").trim().toLowerCase()] || null;

  function clearHits() {
    cy.elements().removeClass("hit faded");
    pathList.textContent = "";
  }

  function focus(id) {
    clearHits();
    const n = cy.getElementById(id);
    if (!n.length) return;
    n.addClass("hit");
    n.neighborhood().addClass("hit");
    cy.elements().not(n.closedNeighborhood()).addClass("faded");
    cy.animate({ center: { eles: n }, zoom: Math.max(cy.zoom(), 1.2) }, { duration: 200 });
    status.textContent = byId[id].name;
    pathList.append(el("li", {}, [el("a", { href: pageOf(id), text: t("graph.open", { name: byId[id].name }) })]));
  }

  /** Breadth-first search over visible relations, both directions: [{from, to, edge}] or null. */
  function findPath(a, b) {
    const prev = {};
    const seen = { [a]: true };
    const queue = [a];
    while (queue.length) {
      const cur = queue.shift();
      if (cur === b) break;
      cy.getElementById(cur).connectedEdges(":visible").forEach((e) => {
        const other = e.source().id() === cur ? e.target().id() : e.source().id();
        if (!seen[other] && !cy.getElementById(other).hasClass("hidden")) {
          seen[other] = true;
          prev[other] = { node: cur, edge: e };
          queue.push(other);
        }
      });
    }
    if (!seen[b]) return null;
    const steps = [];
    for (let n = b; n !== a; n = prev[n].node) steps.unshift({ from: prev[n].node, to: n, edge: prev[n].edge });
    return steps;
  }

  function showPath() {
    const a = resolve(ui.from.value);
    const b = resolve(ui.to.value);
    clearHits();
    if (!a || !b) {
      status.textContent = t("graph.unknown", { name: !a ? ui.from.value : ui.to.value });
      return;
    }
    const steps = a === b ? [] : findPath(a, b);
    if (steps === null) {
      status.textContent = t("graph.nopath");
      return;
    }
    let hit = cy.getElementById(a);
    for (const s of steps) {
      hit = hit.union(cy.getElementById(s.to)).union(s.edge);
      const type = pairWord[s.from + "\u0000" + s.to] || s.edge.data("type");
      pathList.append(el("li", { "data-relation": type }, [
        el("a", { href: pageOf(s.from), text: byId[s.from].name }),
        " " + (wording[type] || type) + " ",
        el("a", { href: pageOf(s.to), text: byId[s.to].name }),
      ]));
    }
    hit.addClass("hit");
    cy.elements().not(hit).addClass("faded");
    cy.animate({ fit: { eles: hit, padding: 60 } }, { duration: 200 });
    status.textContent = t("graph.pathlen", { n: steps.length });
  }

  root.addEventListener("change", (ev) => {
    if (ev.target.hasAttribute("data-filter")) applyFilters();
  });
  ui.search.addEventListener("change", () => {
    const id = resolve(ui.search.value);
    if (id) focus(id);
    else status.textContent = t("graph.unknown", { name: ui.search.value });
  });
  ui.search.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") ui.search.dispatchEvent(new Event("change"));
  });
  ui.go.addEventListener("click", showPath);
  ui.clear.addEventListener("click", () => {
    clearHits();
    cy.fit(undefined, 30);
    applyFilters();
  });
  cy.on("tap", "node", (ev) => { window.location.href = pageOf(ev.target.id()); });
  applyFilters();
  cy.fit(undefined, 30);
  const hash = decodeURIComponent(window.location.hash.slice(1));
  if (hash && byId[hash]) focus(hash);
  root.setAttribute("data-ready", "true");
  window.atlasGraph = { cy, findPath, focus };
}

async function mount(root) {
  if (root.getAttribute("data-atlas-mounted")) return;
  root.setAttribute("data-atlas-mounted", "1");
  root.textContent = t("graph.loading");
  try {
    const [cat, layout] = await Promise.all([fetchJSON("assets/graph.json"), fetchJSON("assets/graph-layout.json")]);
    build(root, cat, layout);
  } catch (err) {
    root.textContent = t("graph.failed", { reason: err.message || err });
  }
}

onPage(() => document.querySelectorAll("[data-atlas-graph]").forEach(mount));
