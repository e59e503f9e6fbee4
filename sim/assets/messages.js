// messages.html: a Lamport diagram of one window; nodes are columns, time runs down.
(function messages() {
  const D = DATA;
  const TOP = 10, GUTTER = 170, HEAD = 26;
  const FAULT = {crash: "#d62728", pause: "#9467bd", partition: "#1f77b4", "one-way": "#17becf", skew: "#bcbd22", drift: "#bcbd22"};
  const M = D.messages.map(m => ({s: m[0], a: m[1], from: m[2], to: m[3], k: m[4], body: m[5], fate: m[6]}));
  const span = Math.max(1, D.to_us - D.from_us) / 1000;
  let scale = Math.min(30, Math.max(0.3, 1800 / span)); // px per ms
  const shownNodes = new Set(D.nodes.map((_, i) => i));
  const shownKinds = new Set(D.kinds.map((_, i) => i));
  let idFilter = "";
  let cols = [], colW = 200;

  const y = us => TOP + (us - D.from_us) / 1000 * scale;
  const cx = n => GUTTER + cols.indexOf(n) * colW + colW / 2;

  TIPS.m = i => {
    const m = M[i];
    return D.kinds[m.k].name + ": " + D.nodes[m.from] + " \u2192 " + D.nodes[m.to] + "\nsent " + ms(m.s) +
      (m.a == null ? "" : ", arrives " + ms(m.a)) + " (" + m.fate + ")\n\n" + m.body;
  };
  TIPS.f = i => { const f = D.faults[i]; return f.label + "\n" + ms(f.at_us) + " to " + ms(f.until_us); };
  TIPS.v = i => { const v = D.violations[i]; return "V" + (i + 1) + " " + v.check + ": " + v.message; };

  // The id-like fields of the window's messages (txn, key, saga, order, ...), for the id filter's list.
  function ids() {
    const re = /\b(txn|tx|key|saga\w*|order\w*|id|request\w*|stream\w*)\s*:\s*([A-Z]\w* \{[^{}]*\}|"[^"]*"|[\w.\-]+)/gi;
    const seen = new Set();
    M.forEach(m => { for (const x of m.body.matchAll(re)) seen.add(x[2].replace(/"/g, "")); });
    return [...seen].sort().slice(0, 2000);
  }

  function filters() {
    const box = document.getElementById("filters");
    let html = "<b>nodes</b> " + D.nodes.map((n, i) =>
      "<label>" + tag("input", {type: "checkbox", checked: "", "data-node": i}) + esc(n) + "</label>").join("");
    html += " <b>id</b> " + tag("input", {id: "idf", list: "idlist", placeholder: "key, txn, saga, order...", size: 18});
    html += '<datalist id="idlist">' + ids().map(v => tag("option", {value: v}, "")).join("") + "</datalist>";
    html += " <button id=\"zin\">zoom in</button><button id=\"zout\">zoom out</button><br><b>types</b> ";
    html += D.kinds.map((k, i) => "<label>" + tag("input", {type: "checkbox", checked: "", "data-kind": i}) +
      '<span class="swatch" style="background:' + esc(k.color) + '"></span>' + esc(k.name) + "</label>").join("");
    box.innerHTML = html;
    box.addEventListener("change", e => {
      const t = e.target;
      if (t.hasAttribute("data-node")) toggle(shownNodes, +t.getAttribute("data-node"), t.checked);
      if (t.hasAttribute("data-kind")) toggle(shownKinds, +t.getAttribute("data-kind"), t.checked);
      draw();
    });
    document.getElementById("idf").addEventListener("input", e => { idFilter = e.target.value.trim(); draw(); });
    document.getElementById("zin").onclick = () => { scale *= 2; draw(); };
    document.getElementById("zout").onclick = () => { scale /= 2; draw(); };
  }
  function toggle(set, v, on) { if (on) set.add(v); else set.delete(v); }

  // An id with a space or brace (a struct's Debug text) matches as text, a plain one as a whole word.
  function matchesId(m) {
    if (!idFilter) return true;
    if (/[\s{}(),]/.test(idFilter)) return m.body.includes(idFilter) || compact(m.body).includes(idFilter);
    const q = idFilter.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp("(^|[^\\w.])" + q + "($|[^\\w.])").test(m.body);
  }
  // A label's text: nested ids shown by their values, other nested structs without their
  // type name: "Decision { txn: (0, 1, 16), commit: true }", "Request { order: {id: 7, qty: 2} }".
  function compact(body) {
    let s = body, before;
    do {
      before = s;
      s = s.replace(/(?<=.)\b([A-Z]\w*) \{ ([^{}]*) \}/g, (_, name, inner) =>
        /(Id|Key)$/.test(name) ? "(" + inner.replace(/\b\w+: /g, "") + ")" : "{" + inner + "}");
    } while (s !== before);
    return s;
  }
  const visible = m => shownNodes.has(m.from) && shownNodes.has(m.to) && shownKinds.has(m.k) && matchesId(m);

  function faults(height) {
    let out = "", lastLabel = -1e9;
    D.faults.forEach((f, i) => {
      if (f.until_us < D.from_us || f.at_us > D.to_us) return;
      const y0 = y(Math.max(f.at_us, D.from_us)), y1 = y(Math.min(f.until_us, D.to_us)), c = FAULT[f.kind] || "#7f7f7f";
      if (f.nodes.length === 0) {
        out += tag("rect", {x: GUTTER, y: y0, width: cols.length * colW, height: Math.max(1, y1 - y0), fill: c, "fill-opacity": 0.08, "data-t": "f:" + i});
      }
      f.nodes.filter(n => cols.includes(n)).forEach(n => {
        out += tag("rect", {x: cx(n) - 5, y: y0, width: 10, height: Math.max(2, y1 - y0), fill: c, "fill-opacity": 0.5, "data-t": "f:" + i});
      });
      const ly = Math.max(y0 + 10, lastLabel + 12);
      lastLabel = ly;
      out += tag("text", {x: 4, y: ly, "font-size": 11, fill: c, "data-t": "f:" + i}, esc(cut(f.label + " " + ms(f.at_us), 28)));
    });
    if (D.heal_us >= D.from_us && D.heal_us <= D.to_us) {
      out += tag("line", {x1: GUTTER, x2: GUTTER + cols.length * colW, y1: y(D.heal_us), y2: y(D.heal_us), stroke: "#555", "stroke-dasharray": "6 4"});
    }
    return out;
  }

  // Labels go along their arrow when no label already placed is too close.
  function arrows() {
    let out = "", labels = "", placed = [], n = 0;
    M.forEach((m, i) => {
      if (!visible(m)) return;
      n++;
      const c = D.kinds[m.k].color, x0 = cx(m.from), y0 = y(m.s);
      const dead = m.fate !== "delivered" && m.fate !== "in flight at the end";
      const x1 = m.a == null ? x0 + (cx(m.to) - x0) * 0.25 : cx(m.to), y1 = m.a == null ? y0 : y(m.a);
      out += tag("line", {x1: x0, y1: y0, x2: x1, y2: y1, stroke: c, "stroke-width": 1.3, "data-t": "m:" + i});
      out += tag("line", {x1: x0, y1: y0, x2: x1, y2: y1, stroke: "transparent", "stroke-width": 7, "data-t": "m:" + i});
      out += dead
        ? tag("path", {d: "M" + (x1 - 4) + " " + (y1 - 4) + "l8 8m0 -8l-8 8", stroke: "#c80000", "stroke-width": 2, "data-t": "m:" + i})
        : tag("circle", {cx: x1, cy: y1, r: 2.5, fill: c, "data-t": "m:" + i});
      const len = Math.hypot(x1 - x0, y1 - y0), mx = (x0 + x1) / 2, my = (y0 + y1) / 2;
      const chars = Math.floor((len - 16) / 6);
      if (chars < 6) return;
      const lo = Math.min(x0, x1), hi = Math.max(x0, x1);
      if (placed.some(p => Math.abs(p[0] - my) < 11 && p[1] < hi && lo < p[2])) return;
      placed.push([my, lo, hi]);
      if (placed.length > 80) placed.shift();
      const angle = Math.atan2(y1 - y0, x1 - x0) * 180 / Math.PI;
      const flip = Math.abs(angle) > 90 ? angle + 180 : angle;
      labels += tag("text", {x: mx, y: my - 2, "font-size": 10, fill: c, "text-anchor": "middle",
        transform: "rotate(" + flip.toFixed(2) + " " + mx.toFixed(1) + " " + my.toFixed(1) + ")", "data-t": "m:" + i},
        esc(cut(compact(m.body), chars)));
    });
    return [out + labels, n];
  }

  function violations() {
    let out = "", last = [];
    D.violations.forEach((v, i) => {
      v.points.filter(p => cols.includes(p[0]) && p[1] >= D.from_us && p[1] <= D.to_us).forEach(p => {
        out += tag("circle", {cx: cx(p[0]), cy: y(p[1]), r: 9, fill: "none", stroke: "#d00000", "stroke-width": 3, "data-t": "v:" + i});
      });
      if (v.time_us == null || v.time_us < D.from_us || v.time_us > D.to_us) return;
      const vy = y(v.time_us);
      const slot = last.filter(l => Math.abs(l - vy) < 14).length;
      last.push(vy);
      out += tag("line", {x1: GUTTER, x2: GUTTER + cols.length * colW, y1: vy, y2: vy, stroke: "#d00000", "stroke-width": 1.5, "stroke-dasharray": "8 4", "data-t": "v:" + i});
      out += tag("text", {x: GUTTER - 34 - slot * 30, y: vy + 4, "font-size": 12, "font-weight": "bold", fill: "#d00000", "data-t": "v:" + i}, "V" + (i + 1));
    });
    return out;
  }

  function draw() {
    cols = D.nodes.map((_, i) => i).filter(i => shownNodes.has(i));
    colW = Math.max(150, Math.min(320, (window.innerWidth - GUTTER - 80) / Math.max(1, cols.length)));
    const width = GUTTER + cols.length * colW + 10, height = y(D.to_us) + 20;
    let grid = "";
    const step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].find(s => s * scale >= 60) || 10000;
    for (let t = Math.ceil(D.from_us / 1000 / step) * step; t * 1000 <= D.to_us; t += step) {
      grid += tag("line", {x1: GUTTER - 6, x2: width, y1: y(t * 1000), y2: y(t * 1000), stroke: "#f0f0f0"});
      grid += tag("text", {x: GUTTER - 8, y: y(t * 1000) + 4, "font-size": 10, fill: "#777", "text-anchor": "end"}, t + " ms");
    }
    const lines = cols.map(n => tag("line", {x1: cx(n), x2: cx(n), y1: TOP, y2: height, stroke: "#000", "stroke-width": 1.5})).join("");
    const [arrowSvg, n] = arrows();
    const head = cols.map(n => tag("text", {x: cx(n), y: 17, "text-anchor": "middle", "font-size": 13, "font-weight": "bold"}, esc(D.nodes[n]))).join("");
    document.getElementById("chart").innerHTML =
      tag("svg", {width, height: HEAD, style: "position:sticky;top:0;background:#fff;display:block;z-index:1"}, head) +
      tag("svg", {width, height, style: "display:block"}, grid + faults(height) + lines + arrowSvg + violations());
    document.getElementById("shown").textContent = n + " of " + M.length + " messages shown" +
      (D.dropped ? " (" + D.dropped + " more sent in the window were not recorded: the recorder keeps the first " + M.length + ")" : "") +
      ", " + scale.toPrecision(3) + " px per ms.";
  }

  document.getElementById("violations").innerHTML = D.violations.map((v, i) =>
    "<li>V" + (i + 1) + " " + esc(v.check) + ": " + esc(v.message) + (v.time_us == null ? "" : " (at " + esc(ms(v.time_us)) + ")") + "</li>").join("");
  // messages.html#id=TEXT opens with the id filter set (a link can point at one transaction).
  if (location.hash.startsWith("#id=")) idFilter = decodeURIComponent(location.hash.slice(4));
  filters();
  document.getElementById("idf").value = idFilter;
  draw();
  document.body.setAttribute("data-drawn", M.length + " messages");
})();
