/* The graph explorer from the keyboard (graph.js): the canvas takes focus (Tab); the arrow keys
 * move the selection to the nearest visible component in that direction (the first one is the
 * component nearest the middle of the view), Enter opens the selected component's page and Escape
 * clears (graph.js). The selection is announced by the explorer's status line (aria-live). */
import { t } from "./common.js";

const DIRECTIONS = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };

/** The visible component nearest `from` (a position) within 60° of direction [dx, dy], or null. */
export function nearestInDirection(nodes, from, [dx, dy], skip) {
  let best = null;
  let bestScore = Infinity;
  nodes.forEach((n) => {
    if (n.id() === skip) return;
    const p = n.position();
    const vx = p.x - from.x;
    const vy = p.y - from.y;
    const along = vx * dx + vy * dy;
    const across = Math.abs(vx * dy - vy * dx);
    if (along <= 0 || across > along * Math.tan(Math.PI / 3)) return;
    const score = along + 2 * across; // straight ahead beats a little closer but off to the side
    if (score < bestScore) {
      bestScore = score;
      best = n;
    }
  });
  return best;
}

/** The visible component nearest the middle of the view (where the arrow keys start). */
function nearestToCentre(cy, nodes) {
  const ext = cy.extent();
  const mid = { x: (ext.x1 + ext.x2) / 2, y: (ext.y1 + ext.y2) / 2 };
  let best = null;
  let bestDist = Infinity;
  nodes.forEach((n) => {
    const p = n.position();
    const d = (p.x - mid.x) ** 2 + (p.y - mid.y) ** 2;
    if (d < bestDist) {
      bestDist = d;
      best = n;
    }
  });
  return best;
}

/** Make `canvas` focusable and drive the selection with the keys; `api` = {selected(), focus(id), open(id)}. */
export function keyboard(canvas, cy, api) {
  canvas.tabIndex = 0;
  canvas.setAttribute("role", "application");
  canvas.setAttribute("aria-roledescription", t("graph.role"));
  canvas.setAttribute("aria-label", t("graph.canvas"));
  canvas.addEventListener("keydown", (ev) => {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const dir = DIRECTIONS[ev.key];
    const current = api.selected();
    if (dir) {
      ev.preventDefault();
      const nodes = cy.nodes("[kind]:visible");
      const from = current && cy.getElementById(current);
      const next = from && from.length ? nearestInDirection(nodes, from.position(), dir, current) : nearestToCentre(cy, nodes);
      if (next) api.focus(next.id());
    } else if (ev.key === "Enter" && current) {
      ev.preventDefault();
      api.open(current);
    }
  });
}
