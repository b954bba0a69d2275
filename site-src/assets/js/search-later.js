/* Container Atlas — the search index loads when search is wanted, not while the page starts.
 *
 * A classic script (not a module): the theme puts it before Material's bundle on every page.
 * Material requests search/search_index.json (the whole site in both languages: megabytes of JSON) the
 * moment its bundle runs, parses it on the page's main thread and builds the index in a worker. On a
 * small machine that work competes with what the reader came for: a tutorial's ▶ and its terminal, the
 * graph. Here that one request is held back until the reader reaches for search (the search box, its
 * keyboard shortcut or a ?q= link open Material's search toggle) or the page has been idle for a moment
 * after it loaded. Results are the same; if search opens first, Material shows its "Initializing
 * search" line while the index loads, as on a slow connection. Other requests pass untouched.
 *
 * The index request is also asked again (twice, a second apart) when it fails at the network level:
 * a laptop changing Wi-Fi, or Chromium dropping in-flight requests when the host gains a network
 * interface. Material would otherwise throw "Network error" and leave search dead until a reload.
 */
{
  const INDEX = /\/search\/search_index\.json([?#]|$)/;
  const SETTLE_MS = 2000; // after the load event, then the next idle moment
  const held = [];
  let released = false;
  const RETRIES = 2;
  const RETRY_MS = 1000;
  const { open, send, addEventListener } = XMLHttpRequest.prototype;

  XMLHttpRequest.prototype.open = function atlasOpen(method, url, ...rest) {
    const index = INDEX.test(String(url));
    this.atlasHeld = !released && index;
    if (index && !this.atlasRetry) this.atlasRetry = { method, url, rest, left: RETRIES, onError: [] };
    return open.call(this, method, url, ...rest);
  };

  // The index request's "error" listeners run only once its retries are spent; until then a network
  // failure opens and sends the same request again (open() keeps the listeners and responseType).
  XMLHttpRequest.prototype.addEventListener = function atlasListen(type, listener, ...options) {
    const retry = this.atlasRetry;
    if (type !== "error" || !retry) return addEventListener.call(this, type, listener, ...options);
    if (retry.onError.length === 0) {
      addEventListener.call(this, "error", (ev) => {
        if (retry.left > 0) {
          retry.left -= 1;
          setTimeout(() => {
            open.call(this, retry.method, retry.url, ...retry.rest);
            send.apply(this, retry.args);
          }, RETRY_MS);
          return;
        }
        for (const l of retry.onError) {
          if (typeof l === "function") l.call(this, ev);
          else if (l && typeof l.handleEvent === "function") l.handleEvent(ev);
        }
      });
    }
    retry.onError.push(listener);
    return undefined;
  };

  XMLHttpRequest.prototype.send = function atlasSend(...args) {
    if (this.atlasRetry) this.atlasRetry.args = args;
    if (this.atlasHeld && !released) {
      held.push(() => send.apply(this, args));
      return undefined;
    }
    return send.apply(this, args);
  };

  const release = () => {
    if (released) return;
    released = true;
    for (const go of held.splice(0)) go();
  };

  // Search is wanted: Material's toggle changes (search box clicked or focused, "/", "s", "f", ?q=),
  // or the pointer or focus reaches the search box (a head start).
  document.addEventListener("change", (ev) => {
    if (ev.target && ev.target.id === "__search") release();
  }, true);
  for (const type of ["pointerover", "focusin"]) {
    document.addEventListener(type, (ev) => {
      if (ev.target instanceof Element && ev.target.closest(".md-search, label[for='__search']")) release();
    }, { capture: true, passive: true });
  }
  // Or the page has settled.
  window.addEventListener("load", () => {
    setTimeout(() => {
      if (window.requestIdleCallback) window.requestIdleCallback(release, { timeout: 2000 });
      else release();
    }, SETTLE_MS);
  });
}
