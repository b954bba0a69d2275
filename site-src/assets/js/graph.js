/* Container Atlas graph explorer: mounts on [data-atlas-graph].
 * Data: assets/graph.json (the export catalog) + assets/graph-layout.json (positions computed at
 * build time, so the browser only draws: cytoscape `preset` layout, fine with 2,000 nodes).
 * Filters by layer, kind and relation type; search by name/alias; hover a node -> its
 * neighbourhood is highlighted; click (or search + Enter) -> it is selected and a card shows its
 * summary, status and a link to its page; pick two components -> the shortest path between them
 * is highlighted and listed. Nodes are coloured by layer and sized by degree, edges coloured by
 * relation type (legends), labels appear as you zoom in, colours follow the light/dark palette.
 * Everything shown is in the URL (?node=, from=, to=, off=, z=, x=, y=) so a view can be shared.
 * Each category is a labelled box behind its components; the keyboard drives it (graph-keys.js).
 * Exposes window.atlasGraph = {cy, findPath(a, b), focus(id)} once drawn (root gets data-ready).
 */
import { SITE_ROOT, el, lang, onPage, t } from "./common.js";
import { COLORS, EDGE_COLORS, STYLE, elements, indexCatalog, ink, legendBox, nameOf, readState } from "./graph-model.js";
import { keyboard } from "./graph-keys.js";


const PAGES = SITE_ROOT + (lang === "zh" ? "zh/" : "");
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
    names: el("datalist", { id: "atlas-names" }, cat.entries.map((e) => el("option", { value: nameOf(e) }))),
  };
  const form = el("div", { class: "atlas-graph-controls" }, [
    el("div", {}, [el("label", { for: "atlas-search", text: t("graph.search") }), ui.search, ui.names]),
    el("div", {}, [el("label", { for: "atlas-from", text: t("graph.from") }), ui.from,
      el("label", { for: "atlas-to", text: t("graph.to") }), ui.to, ui.go, " ", ui.clear]),
    checkboxes("layers", voc.layers, t("graph.layers")),
    checkboxes("kinds", voc.kinds, t("graph.kinds")),
    checkboxes("relations", voc.relation_types, t("graph.relations")),
  ]);
  ui.panel = el("aside", { class: "atlas-graph-panel", id: "atlas-graph-panel" }, [form, ui.pathList]);
  ui.toggle = el("button", { type: "button", class: "atlas-graph-toggle", "aria-controls": "atlas-graph-panel",
    "aria-expanded": "true", text: "☰ " + t("graph.panel") });
  ui.full = el("button", { type: "button", class: "atlas-graph-full", text: "⤢ " + t("graph.fullscreen") });
  ui.card = el("div", { class: "atlas-graph-card", hidden: true, "aria-live": "polite" });
  const bar = el("div", { class: "atlas-graph-toolbar" }, [ui.toggle, ui.full, ui.status]);
  ui.stage = el("div", { class: "atlas-graph-stage" }, [ui.canvas, ui.card]);
  root.replaceChildren(bar, el("div", { class: "atlas-graph-body" }, [ui.panel, ui.stage]));
  if (window.matchMedia("(max-width: 45em)").matches) setPanel(root, ui, false);
  return ui;
}

function setPanel(root, ui, open) {
  root.toggleAttribute("data-panel-closed", !open);
  ui.toggle.setAttribute("aria-expanded", String(open));
}

function build(root, cat, layout) {
  const { byId, names, wording, pairWord } = indexCatalog(cat);
  const typeColor = {};
  Object.keys(cat.vocabulary.relation_types).forEach((k, i) => { typeColor[k] = EDGE_COLORS[i % EDGE_COLORS.length]; });
  const ui = controls(root, cat);
  ui.stage.append(legendBox(cat, typeColor));
  const big = cat.entries.length > 400;
  const cy = window.cytoscape({
    container: ui.canvas, elements: elements(cat, layout, byId, typeColor), layout: { name: "preset" }, style: STYLE,
    minZoom: 0.05, maxZoom: 4, wheelSensitivity: 0.3,
    hideEdgesOnViewport: big, textureOnViewport: big, pixelRatio: big ? 1 : "auto",
  });
  const { status, pathList } = ui;
  const boxes = cy.nodes(".cat"); // one box per category, behind its components
  const entries = cy.nodes().not(boxes); // the components
  /** The graph takes what is left of the first screen below its top edge (at least 24rem). */
  function fitHeight() {
    const top = ui.canvas.getBoundingClientRect().top + window.scrollY;
    const h = document.fullscreenElement ? "" : Math.max(384, window.innerHeight - top - 16) + "px";
    ui.canvas.style.height = h;
    ui.panel.style.maxHeight = h;
    cy.resize();
  }
  fitHeight();
  window.addEventListener("resize", fitHeight);
  let selected = null;
  let pathShown = false;
  let ready = false;

  function writeState() {
    if (!ready) return;
    const q = new URLSearchParams();
    if (selected) q.set("node", selected);
    if (pathShown) {
      q.set("from", ui.from.value);
      q.set("to", ui.to.value);
    }
    const off = [...root.querySelectorAll("input[data-filter]")].filter((cb) => !cb.checked)
      .map((cb) => cb.getAttribute("data-filter") + ":" + cb.value);
    if (off.length) q.set("off", off.join(","));
    q.set("z", cy.zoom().toFixed(3));
    q.set("x", cy.pan().x.toFixed(0));
    q.set("y", cy.pan().y.toFixed(0));
    window.history.replaceState(null, "", "?" + q.toString());
  }

  function applyFilters() {
    const on = {};
    root.querySelectorAll("input[data-filter]").forEach((cb) => {
      on[cb.getAttribute("data-filter") + ":" + cb.value] = cb.checked;
    });
    cy.batch(() => {
      entries.forEach((n) => {
        n.toggleClass("hidden", on["layers:" + n.data("layer")] === false || on["kinds:" + n.data("kind")] === false);
      });
      const shown = new Set(entries.not(".hidden").map((n) => n.data("category")));
      boxes.forEach((b) => { b.toggleClass("hidden", !shown.has(b.data("category"))); });
      cy.edges().forEach((e) => {
        const vis = on["relations:" + e.data("type")] !== false
          && !e.source().hasClass("hidden") && !e.target().hasClass("hidden");
        e.toggleClass("hidden", !vis);
      });
    });
    status.textContent = t("graph.shown", { n: entries.filter(":visible").length, m: cy.edges(":visible").length });
  }

  const resolve = (text) => names[String(text || "").trim().toLowerCase()] || null;

  function clearHits() {
    cy.elements().removeClass("hit faded");
    pathList.textContent = "";
    ui.card.hidden = true;
    selected = null;
    pathShown = false;
  }

  function showCard(id) {
    const e = byId[id];
    const voc = cat.vocabulary;
    const st = e.facts && e.facts.status;
    const statusText = st ? (voc.statuses[st] || {})[lang] || st : "";
    const n = cy.getElementById(id).neighborhood("node").length;
    ui.card.replaceChildren(
      el("h3", {}, [el("span", { class: "dot", style: "background:" + (COLORS[e.layer] || "#607d8b") }), " " + nameOf(e)]),
      el("p", { text: (e.summary && (e.summary[lang] || e.summary.en)) || "" }),
      el("p", { class: "meta", text: [voc.layers[e.layer] ? voc.layers[e.layer][lang] : e.layer,
        statusText ? t("graph.status") + ": " + statusText : "", t("graph.neighbours", { n })].filter(Boolean).join(" · ") }),
      el("a", { href: pageOf(id), text: t("graph.open", { name: nameOf(e) }) }),
    );
    ui.card.hidden = false;
  }

  function highlight(n) {
    cy.batch(() => {
      n.addClass("hit");
      n.neighborhood().addClass("hit");
      cy.elements().not(n.closedNeighborhood()).addClass("faded");
    });
  }

  function focus(id, animate = true) {
    clearHits();
    const n = cy.getElementById(id);
    if (!n.length) return;
    selected = id;
    highlight(n);
    if (animate) cy.animate({ center: { eles: n }, zoom: Math.max(cy.zoom(), 1.2) }, { duration: 200 });
    const e = byId[id];
    const layer = cat.vocabulary.layers[e.layer];
    status.textContent = [nameOf(e), layer ? layer[lang] : e.layer, t("graph.neighbours", { n: n.neighborhood("node").length })].join(" · ");
    pathList.append(el("li", {}, [el("a", { href: pageOf(id), text: t("graph.open", { name: nameOf(byId[id]) }) })]));
    showCard(id);
    writeState();
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

  function showPath(animate = true) {
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
        el("a", { href: pageOf(s.from), text: nameOf(byId[s.from]) }),
        " " + (wording[type] || type) + " ",
        el("a", { href: pageOf(s.to), text: nameOf(byId[s.to]) }),
      ]));
    }
    hit.addClass("hit");
    cy.elements().not(hit).addClass("faded");
    if (animate) cy.animate({ fit: { eles: hit, padding: 60 } }, { duration: 200 });
    status.textContent = t("graph.pathlen", { n: steps.length });
    pathShown = true;
    writeState();
  }

  function recolour() {
    const c = ink();
    cy.style().selector("node").style({ color: c.text, "text-outline-color": c.halo }).update();
  }

  root.addEventListener("change", (ev) => {
    if (ev.target.hasAttribute("data-filter")) {
      applyFilters();
      writeState();
    }
  });
  ui.search.addEventListener("change", () => {
    const id = resolve(ui.search.value);
    if (id) focus(id);
    else status.textContent = t("graph.unknown", { name: ui.search.value });
  });
  ui.search.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") ui.search.dispatchEvent(new Event("change"));
  });
  root.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      clearHits();
      writeState();
    }
  });
  ui.go.addEventListener("click", () => showPath());
  ui.clear.addEventListener("click", () => {
    clearHits();
    cy.fit(undefined, 30);
    applyFilters();
    writeState();
  });
  ui.toggle.addEventListener("click", () => {
    setPanel(root, ui, root.hasAttribute("data-panel-closed"));
    fitHeight();
  });
  ui.full.addEventListener("click", () => {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (root.requestFullscreen) root.requestFullscreen();
  });
  document.addEventListener("fullscreenchange", fitHeight);
  cy.on("tap", "node[kind]", (ev) => focus(ev.target.id(), false));
  cy.on("tap", (ev) => {
    if (ev.target === cy && selected) {
      clearHits();
      writeState();
    }
  });
  cy.on("mouseover", "node[kind]", (ev) => {
    if (selected || pathShown) return;
    highlight(ev.target);
    showCard(ev.target.id());
  });
  cy.on("mouseout", "node[kind]", () => {
    if (selected || pathShown) return;
    cy.elements().removeClass("hit faded");
    ui.card.hidden = true;
  });
  let viewTimer = 0;
  cy.on("viewport", () => {
    clearTimeout(viewTimer);
    viewTimer = setTimeout(writeState, 300);
  });
  new MutationObserver(recolour).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

  const state = readState();
  for (const key of state.off) {
    const [name, value] = key.split(":");
    const cb = root.querySelector(`input[data-filter="${CSS.escape(name)}"][value="${CSS.escape(value || "")}"]`);
    if (cb) cb.checked = false;
  }
  applyFilters();
  cy.fit(undefined, 30);
  if (state.from && state.to) {
    ui.from.value = state.from;
    ui.to.value = state.to;
    showPath(state.z === null);
  } else if (state.node && byId[state.node]) {
    focus(state.node, state.z === null);
  }
  if (state.z !== null && state.x !== null && state.y !== null) {
    cy.viewport({ zoom: state.z, pan: { x: state.x, y: state.y } });
  }
  keyboard(ui.canvas, cy, { selected: () => selected, focus, open: (id) => window.location.assign(pageOf(id)) });
  ready = true;
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
