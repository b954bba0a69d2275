/* Container Atlas — the sandbox service and the learner's sessions as this tab sees them (ES module).
 *
 * serviceOnline() asks {service}/healthz once per page: a static host (no sandbox service) answers
 * with HTML or 404, and the page then offers Copy instead of ▶ and says why checks cannot run.
 * A session created by POST {api}/sessions ({id, token, profile, seconds_left, expires_at}) is kept
 * in sessionStorage under "atlas-sandbox:<profile>", so a reload finds the same sandbox and another
 * tab gets its own. terminal.js creates and ends sessions; tutorial.js reads them for its checks
 * and preview links.
 */

import { SERVICE } from "./common.js";

const KEY = "atlas-sandbox:";
let health = null;
// This page's sessions by profile, also when sessionStorage is disabled (one module instance per
// page: terminal.js and tutorial.js see the same map).
const live = new Map();

/** Resolves to true when the sandbox service answers /healthz with {"ok": true} (asked once). */
export function serviceOnline() {
  if (!health) {
    health = fetch(SERVICE + "/healthz", { cache: "no-store" })
      .then((r) => (r.ok ? r.json() : null))
      .then((j) => Boolean(j && j.ok))
      .catch(() => false);
  }
  return health;
}

/** The stored session of `profile`, or null. */
export function loadSession(profile) {
  if (live.has(profile)) return live.get(profile);
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY + profile) || "null");
    return s && s.id && s.token ? s : null;
  } catch {
    return null;
  }
}

/** Store `session` for `profile`; null forgets it. */
export function saveSession(profile, session) {
  if (session) live.set(profile, session);
  else live.delete(profile);
  try {
    if (session) sessionStorage.setItem(KEY + profile, JSON.stringify(session));
    else sessionStorage.removeItem(KEY + profile);
  } catch {
    // storage disabled: the session lives until the page reloads
  }
}

/** fetch() options that authenticate as `session`. */
export function authed(session, options) {
  return {
    cache: "no-store",
    ...options,
    headers: { ...(options && options.headers), Authorization: "Bearer " + session.token },
  };
}
