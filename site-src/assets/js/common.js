/* Container Atlas — what every page script shares (ES module, imported by terminal.js,
 * tutorial.js, graph.js and pyrun.js; the theme loads them all as <script type="module">).
 *
 *   el(tag, attrs, children)  make an element (one signature for every script)
 *   config                    the page config: <script type="application/json" id="atlas-config">
 *                             {"api": "/api", "lang": "en", "base": "."} written by the theme
 *   API, SERVICE              the sandbox API ("/api") and the service root it hangs off ("")
 *   SITE_ROOT                 the absolute URL of the site root, ending with "/"
 *   lang                      the page language: "en" or "zh"
 *   t(key, values)            the UI string `key` of strings.js in the page language
 *   onPage(fn)                run fn once the page is there (and again after Material's
 *                             instant navigation, when the site turns it on)
 */
import { STRINGS } from "./strings.js";

/** The page config written by the theme ({} when missing or unreadable). */
function readConfig() {
  const node = document.getElementById("atlas-config");
  try {
    return (node && JSON.parse(node.textContent)) || {};
  } catch {
    return {};
  }
}

export const config = readConfig();
export const API = (config.api || "/api").replace(/\/$/, "");
export const SERVICE = API.replace(/\/api$/, "");
// This file is <site>/assets/js/common.js.
export const SITE_ROOT = new URL("../../", import.meta.url).href;
export const lang = /^zh/i.test(document.documentElement.lang || config.lang || "") ? "zh" : "en";

/** The UI string `key` in the page language, with each `{name}` replaced by `values[name]`.
 * An unknown key throws: a typo shows at once instead of as a blank button. */
export function t(key, values) {
  const entry = STRINGS[key];
  if (!entry) throw new Error(`strings.js has no UI string "${key}"`);
  let text = entry[lang] || entry.en;
  for (const [name, value] of Object.entries(values || {})) {
    text = text.split(`{${name}}`).join(String(value));
  }
  return text;
}

/** True when strings.js has the UI string `key` (for keys made from data, e.g. an expiry reason). */
export function hasString(key) {
  return Object.hasOwn(STRINGS, key);
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** A new element; a tag written "svg:line" makes an SVG element. attrs: "text" sets its text,
 * "class" its class; a value of null, undefined or false leaves the attribute out, true sets it
 * empty (`disabled: true`), anything else is set as text. children: nodes or strings (text), null
 * ones skipped. */
export function el(tag, attrs, children) {
  const svg = tag.startsWith("svg:");
  const node = svg ? document.createElementNS(SVG_NS, tag.slice(4)) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name === "class" && !svg) node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children || []) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

/** Run `fn` when the page is ready; with Material's instant navigation (document$), again after
 * each page swap. Mount functions must therefore skip what they already mounted. */
export function onPage(fn) {
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(() => fn());
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => fn());
  } else {
    fn();
  }
}
