/* The embed page's snippet maker (src/atlas/sitegen/render_embed.py): pick a view, a component or
 * category and a language; the snippet (an iframe plus a few lines that size it from the frame's
 * postMessage) and a live preview follow. */
import { SITE_ROOT, onPage } from "./common.js";

const RESIZER = "<script>addEventListener('message',function(e){var d=e.data;if(!d||d.type!=='atlas-embed-height')"
  + "return;document.querySelectorAll('iframe[data-atlas-embed]').forEach(function(f){"
  + "if(f.contentWindow===e.source)f.style.height=d.height+'px';});});</" + "script>";

function mount() {
  const form = document.querySelector("[data-atlas-embed-builder]");
  if (!form || form.dataset.mounted) return;
  form.dataset.mounted = "1";
  const out = document.querySelector(".atlas-embed-snippet");
  const preview = document.querySelector(".atlas-embed-preview");
  function update() {
    const view = form.elements.view.value;
    for (const label of form.querySelectorAll("label[data-for]")) {
      label.hidden = !label.dataset.for.split(" ").includes(view);
    }
    const id = view === "category" ? form.elements.category.value : form.elements.id.value;
    const src = new URL("embed/view.html", SITE_ROOT);
    src.search = new URLSearchParams({ view, id, lang: form.elements.lang.value }).toString();
    const frame = `<iframe data-atlas-embed src="${src.href}" title="Container Atlas" `
      + "style=\"width:100%;height:320px;border:0\" loading=\"lazy\"></iframe>";
    out.value = frame + "\n" + RESIZER;
    preview.innerHTML = frame;
  }
  window.addEventListener("message", (e) => {
    const d = e.data;
    if (!d || d.type !== "atlas-embed-height") return;
    for (const f of preview.querySelectorAll("iframe")) {
      if (f.contentWindow === e.source) f.style.height = d.height + "px";
    }
  });
  form.addEventListener("change", update);
  update();
}

onPage(mount);
