/* Container Atlas graph explorer: mounts on [data-atlas-graph].
 * Data: assets/graph.json (the export catalog) + assets/graph-layout.json (positions computed at
 * build time, so the browser only draws: cytoscape `preset` layout, fine with 2,000 nodes).
 * Filters by layer, kind and relation type; search by name/alias; click a node -> its page;
 * pick two components -> the shortest path between them is highlighted and listed. */
(function () {
  "use strict";
  var T = {
    en: { search: "Find a component (name or alias)", from: "From", to: "To", path: "Show path",
          layers: "Layers", kinds: "Kinds", relations: "Relation types", clear: "Clear",
          nopath: "No path between these components with the current filters.",
          unknown: "Unknown component: ", pathlen: "Path with {n} steps:", shown: "{n} components, {m} relations shown.",
          open: "Open its page", loading: "Loading the graph…", failed: "Could not load the graph: " },
    zh: { search: "查找组件（名称或别名）", from: "起点", to: "终点", path: "显示路径",
          layers: "层", kinds: "类型", relations: "关系类型", clear: "清除",
          nopath: "在当前筛选条件下，这两个组件之间没有路径。",
          unknown: "未知组件：", pathlen: "路径共 {n} 步：", shown: "显示 {n} 个组件、{m} 条关系。",
          open: "打开它的页面", loading: "正在加载关系图…", failed: "无法加载关系图：" }
  };
  var COLORS = { core: "#3949ab", platform: "#00796b", support: "#8e24aa", concepts: "#ef6c00" };

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { e.appendChild(c); });
    return e;
  }

  function config() {
    var node = document.getElementById("atlas-config");
    try { return JSON.parse(node.textContent); } catch (e) { return { lang: "en", base: "." }; }
  }

  function checkboxes(name, items, lang, legend) {
    var fs = el("fieldset", { "class": "atlas-" + name }, [el("legend", { text: legend })]);
    Object.keys(items).forEach(function (k) {
      var id = "atlas-f-" + name + "-" + k;
      var cb = el("input", { type: "checkbox", id: id, value: k, checked: "checked", "data-filter": name });
      fs.appendChild(el("label", { "for": id }, [cb, document.createTextNode(" " + (items[k][lang] || k))]));
    });
    return fs;
  }

  function mount(root) {
    var cfg = config(), lang = cfg.lang === "zh" ? "zh" : "en", t = T[lang];
    var base = (cfg.base || ".").replace(/\/$/, "");
    var pageBase = base + (lang === "zh" ? "/zh" : "");
    root.textContent = t.loading;
    Promise.all([
      fetch(base + "/assets/graph.json").then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); }),
      fetch(base + "/assets/graph-layout.json").then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    ]).then(function (data) { build(root, data[0], data[1], lang, t, pageBase); })
      .catch(function (err) { root.textContent = t.failed + err; });
  }

  function build(root, cat, layout, lang, t, pageBase) {
    var voc = cat.vocabulary, byId = {}, names = {};
    cat.entries.forEach(function (e) {
      byId[e.id] = e;
      names[e.name.toLowerCase()] = e.id;
      names[e.id] = e.id;
      (e.aliases || []).forEach(function (a) { names[String(a).toLowerCase()] = e.id; });
    });
    var wording = {};
    Object.keys(voc.relation_types).forEach(function (k) {
      var r = voc.relation_types[k];
      wording[k] = r[lang];
      if (!r.symmetric) wording[r.inverse] = r["inverse_" + lang];
    });
    // one relation record per ordered pair for path wording (derived ones give the reverse view)
    var pairWord = {};
    cat.relations.forEach(function (r) {
      var key = r.source + "\u0000" + r.target;
      if (!pairWord[key]) pairWord[key] = r.type;
    });
    var forwardOf = {};
    Object.keys(voc.relation_types).forEach(function (k) { forwardOf[k] = k; forwardOf[voc.relation_types[k].inverse] = k; });

    root.textContent = "";
    var dl = el("datalist", { id: "atlas-names" });
    cat.entries.forEach(function (e) { dl.appendChild(el("option", { value: e.name })); });
    var search = el("input", { type: "text", id: "atlas-search", list: "atlas-names", autocomplete: "off" });
    var from = el("input", { type: "text", id: "atlas-from", list: "atlas-names", autocomplete: "off" });
    var to = el("input", { type: "text", id: "atlas-to", list: "atlas-names", autocomplete: "off" });
    var go = el("button", { type: "button", id: "atlas-path-go", text: t.path });
    var clear = el("button", { type: "button", id: "atlas-clear", text: t.clear });
    var status = el("div", { "class": "atlas-graph-status", role: "status", "aria-live": "polite" });
    var pathList = el("ol", { "class": "atlas-graph-path" });
    var controls = el("div", { "class": "atlas-graph-controls" }, [
      el("div", {}, [el("label", { "for": "atlas-search", text: t.search }), search, dl]),
      el("div", {}, [el("label", { "for": "atlas-from", text: t.from }), from,
                     el("label", { "for": "atlas-to", text: t.to }), to, go, document.createTextNode(" "), clear]),
      checkboxes("layers", voc.layers, lang, t.layers),
      checkboxes("kinds", voc.kinds, lang, t.kinds),
      checkboxes("relations", voc.relation_types, lang, t.relations)
    ]);
    var canvas = el("div", { "class": "atlas-graph-canvas", id: "atlas-graph-canvas" });
    root.appendChild(controls);
    root.appendChild(status);
    root.appendChild(canvas);
    root.appendChild(pathList);

    var elements = [];
    cat.entries.forEach(function (e) {
      var p = layout[e.id] || [0, 0];
      elements.push({ group: "nodes", data: { id: e.id, label: e.name, layer: e.layer, kind: e.kind,
        color: COLORS[e.layer] || "#607d8b" }, position: { x: p[0], y: p[1] } });
    });
    cat.relations.forEach(function (r, i) {
      if (r.derived || !byId[r.source] || !byId[r.target]) return;
      elements.push({ group: "edges", data: { id: "r" + i, source: r.source, target: r.target, type: r.type } });
    });
    var big = cat.entries.length > 400;
    var cy = window.cytoscape({
      container: canvas, elements: elements, layout: { name: "preset" },
      minZoom: 0.05, maxZoom: 4, wheelSensitivity: 0.3,
      hideEdgesOnViewport: big, textureOnViewport: big, pixelRatio: big ? 1 : "auto",
      style: [
        { selector: "node", style: { "background-color": "data(color)", label: "data(label)", width: 14, height: 14,
          "font-size": 10, "min-zoomed-font-size": 7, "text-valign": "bottom", "text-margin-y": 3, color: "#222" } },
        { selector: "edge", style: { width: 0.8, "line-color": "#b0bec5", "curve-style": "haystack", opacity: 0.7 } },
        { selector: ".hidden", style: { display: "none" } },
        { selector: ".faded", style: { opacity: 0.15 } },
        { selector: "node.hit", style: { "border-width": 3, "border-color": "#ff6f00", width: 22, height: 22,
          "font-size": 14, "font-weight": "bold", "min-zoomed-font-size": 0, "z-index": 10 } },
        { selector: "edge.hit", style: { width: 4, "line-color": "#ff6f00", opacity: 1, "z-index": 10 } }
      ]
    });

    function applyFilters() {
      var on = {};
      root.querySelectorAll("input[data-filter]").forEach(function (cb) {
        on[cb.getAttribute("data-filter") + ":" + cb.value] = cb.checked;
      });
      cy.batch(function () {
        cy.nodes().forEach(function (n) {
          var vis = on["layers:" + n.data("layer")] !== false && on["kinds:" + n.data("kind")] !== false;
          n.toggleClass("hidden", !vis);
        });
        cy.edges().forEach(function (e) {
          var vis = on["relations:" + e.data("type")] !== false &&
            !e.source().hasClass("hidden") && !e.target().hasClass("hidden");
          e.toggleClass("hidden", !vis);
        });
      });
      status.textContent = t.shown.replace("{n}", cy.nodes(":visible").length).replace("{m}", cy.edges(":visible").length);
    }

    function resolve(text) {
      var k = String(text || "").trim().toLowerCase();
      return names[k] || null;
    }

    function clearHits() { cy.elements().removeClass("hit faded"); pathList.textContent = ""; }

    function focus(id) {
      clearHits();
      var n = cy.getElementById(id);
      if (!n.length) return;
      n.addClass("hit");
      n.neighborhood().addClass("hit");
      cy.elements().not(n.closedNeighborhood()).addClass("faded");
      cy.animate({ center: { eles: n }, zoom: Math.max(cy.zoom(), 1.2) }, { duration: 200 });
      status.textContent = byId[id].name;
      var a = el("a", { href: pageBase + "/components/" + id + "/", text: t.open + ": " + byId[id].name });
      pathList.appendChild(el("li", {}, [a]));
    }

    function findPath(a, b) {
      // breadth-first search over visible relations, both directions
      var prev = {}, seen = {}, queue = [a];
      seen[a] = true;
      while (queue.length) {
        var cur = queue.shift();
        if (cur === b) break;
        cy.getElementById(cur).connectedEdges(":visible").forEach(function (e) {
          var other = e.source().id() === cur ? e.target().id() : e.source().id();
          if (!seen[other] && !cy.getElementById(other).hasClass("hidden")) {
            seen[other] = true; prev[other] = { node: cur, edge: e }; queue.push(other);
          }
        });
      }
      if (!seen[b]) return null;
      var steps = [], n = b;
      while (n !== a) { steps.unshift({ from: prev[n].node, to: n, edge: prev[n].edge }); n = prev[n].node; }
      return steps;
    }

    function showPath() {
      var a = resolve(from.value), b = resolve(to.value);
      clearHits();
      if (!a || !b) { status.textContent = t.unknown + (!a ? from.value : to.value); return; }
      var steps = a === b ? [] : findPath(a, b);
      if (steps === null) { status.textContent = t.nopath; return; }
      var hit = cy.getElementById(a);
      steps.forEach(function (s) {
        hit = hit.union(cy.getElementById(s.to)).union(s.edge);
        var type = pairWord[s.from + "\u0000" + s.to] || s.edge.data("type");
        var li = el("li", {}, [
          el("a", { href: pageBase + "/components/" + s.from + "/", text: byId[s.from].name }),
          document.createTextNode(" " + (wording[type] || type) + " "),
          el("a", { href: pageBase + "/components/" + s.to + "/", text: byId[s.to].name })
        ]);
        li.setAttribute("data-relation", type);
        pathList.appendChild(li);
      });
      hit.addClass("hit");
      cy.elements().not(hit).addClass("faded");
      cy.animate({ fit: { eles: hit, padding: 60 } }, { duration: 200 });
      status.textContent = t.pathlen.replace("{n}", steps.length);
    }

    root.addEventListener("change", function (ev) { if (ev.target.hasAttribute("data-filter")) applyFilters(); });
    search.addEventListener("change", function () { var id = resolve(search.value); if (id) focus(id); else status.textContent = t.unknown + search.value; });
    search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") search.dispatchEvent(new Event("change")); });
    go.addEventListener("click", showPath);
    clear.addEventListener("click", function () { clearHits(); cy.fit(undefined, 30); applyFilters(); });
    cy.on("tap", "node", function (ev) { window.location.href = pageBase + "/components/" + ev.target.id() + "/"; });
    applyFilters();
    cy.fit(undefined, 30);
    var hash = decodeURIComponent(window.location.hash.slice(1));
    if (hash && byId[hash]) focus(hash);
    root.setAttribute("data-ready", "true");
    window.atlasGraph = { cy: cy, findPath: findPath, focus: focus };
  }

  document.querySelectorAll("[data-atlas-graph]").forEach(mount);
})();
