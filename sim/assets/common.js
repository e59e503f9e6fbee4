"use strict";
// Shared by the report's interactive pages. The data island is parsed once;
// diagrams are built as SVG text and set with innerHTML (one parse, and no
// namespace URLs in the page); tooltips look their text up by data-t="kind:index".
const DATA = JSON.parse(document.getElementById("data").textContent);
const TIPS = {};
function esc(s) {
  return String(s).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}
// Simulated microseconds as milliseconds with three decimals: the one unit of every page.
function ms(us) {
  return us == null ? "-" : (us / 1000).toFixed(3) + " ms";
}
function attrs(a) {
  return Object.keys(a).map(k => " " + k + '="' + esc(a[k]) + '"').join("");
}
function tag(name, a, inner) {
  return "<" + name + attrs(a) + (inner == null ? "/>" : ">" + inner + "</" + name + ">");
}
// Text cut to n characters, with an ellipsis.
function cut(s, n) {
  return s.length <= n ? s : s.slice(0, Math.max(0, n - 1)) + "\u2026";
}
(function tooltips() {
  const tip = document.getElementById("tip");
  document.addEventListener("mousemove", e => {
    const el = e.target.closest ? e.target.closest("[data-t]") : null;
    if (!el) { tip.hidden = true; return; }
    const [kind, i] = el.getAttribute("data-t").split(":");
    const text = TIPS[kind] ? TIPS[kind](+i) : "";
    if (!text) { tip.hidden = true; return; }
    tip.textContent = text;
    tip.hidden = false;
    const x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    const y = e.clientY + 16 + tip.offsetHeight > window.innerHeight ? e.clientY - tip.offsetHeight - 8 : e.clientY + 16;
    tip.style.left = Math.max(0, x) + "px";
    tip.style.top = Math.max(0, y) + "px";
  });
})();
