// The timeline's filters (src/atlas/sitegen/render_timeline.py): layer and category selects hide
// rows and groups; the choice is kept in the URL (?layer=…&category=…) so a view can be shared.

const form = document.querySelector("[data-atlas-timeline-filters]");
const rows = [...document.querySelectorAll(".atlas-tl-rows > li")];

function apply() {
  const layer = form.elements.layer.value;
  const category = form.elements.category.value;
  let shown = 0;
  for (const li of rows) {
    const visible =
      (!layer || li.dataset.layer === layer) && (!category || li.dataset.category === category);
    li.hidden = !visible;
    if (visible && li.classList.contains("atlas-tl-row")) {
      shown += 1;
    }
  }
  for (const opt of form.elements.category.options) {
    opt.hidden = Boolean(layer && opt.dataset.layer && opt.dataset.layer !== layer);
  }
  const out = form.elements.shown;
  out.value = out.dataset.template.replace("{n}", String(shown));
  const url = new URL(window.location.href);
  for (const [key, value] of [["layer", layer], ["category", category]]) {
    if (value) {
      url.searchParams.set(key, value);
    } else {
      url.searchParams.delete(key);
    }
  }
  window.history.replaceState(null, "", url);
}

if (form) {
  const params = new URLSearchParams(window.location.search);
  for (const key of ["layer", "category"]) {
    const value = params.get(key);
    const select = form.elements[key];
    if (value && [...select.options].some((o) => o.value === value)) {
      select.value = value;
    }
  }
  form.addEventListener("change", (event) => {
    if (event.target.name === "layer") {
      form.elements.category.value = "";
    }
    apply();
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  apply();
}
