// timeline.html: lanes of client processes and nodes, time running right.
(function timeline() {
  const D = DATA;
  const LANE = 18, GAP = 4, AXIS = 58, LABELS = 120;
  const OUTCOME = {ok: "#2ca02c", fail: "#ff7f0e", info: "#9e9e9e", pending: "#ffffff"};
  const FAULT = {crash: "#d62728", pause: "#9467bd", partition: "#1f77b4", "one-way": "#17becf", skew: "#bcbd22", drift: "#bcbd22"};
  const lanes = D.processes.map(p => "process " + p).concat(D.nodes.map(n => "node " + n));
  const nodeLane = n => D.processes.length + n;
  const laneY = l => AXIS + l * (LANE + GAP) + (l >= D.processes.length ? 10 : 0);
  const height = laneY(lanes.length) + 10;
  const span = Math.max(1, D.to_us - D.from_us) / 1000;
  let scale = Math.min(4, Math.max(0.02, 3000 / span)); // px per ms
  const x = us => (us - D.from_us) / 1000 * scale + 8;

  TIPS.o = i => {
    const op = D.ops[i];
    const lat = op.t1 == null ? "" : " (" + ((op.t1 - op.t0) / 1000).toFixed(3) + " ms)";
    return op.f + " by process " + D.processes[op.lane] + (op.node ? " via " + op.node : "") +
      ": " + op.o + "\ninvoked " + ms(op.t0) + ", completed " + ms(op.t1) + lat +
      (op.v.length ? "\nnamed by violation " + op.v.map(v => "V" + v).join(", ") : "") +
      "\n\n" + op.a + "\n" + (op.r || "(no completion)");
  };
  TIPS.e = i => {
    const e = D.events[i];
    return e.name + " at " + D.nodes[e.n] + ", " + ms(e.t) +
      (e.v.length ? "\nnamed by violation " + e.v.map(v => "V" + v).join(", ") : "") + "\n\n" + e.line;
  };
  TIPS.f = i => { const f = D.faults[i]; return f.label + "\n" + ms(f.at_us) + " to " + ms(f.until_us); };
  TIPS.v = i => { const v = D.violations[i]; return "V" + (i + 1) + " " + v.check + ": " + v.message; };

  function ticks(width) {
    const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 60000];
    const step = steps.find(s => s * scale >= 90) || 60000;
    let out = "";
    for (let t = Math.ceil(D.from_us / 1000 / step) * step; x(t * 1000) < width; t += step) {
      out += tag("line", {x1: x(t * 1000), x2: x(t * 1000), y1: AXIS - 6, y2: height, stroke: "#eee"});
      out += tag("text", {x: x(t * 1000) + 2, y: AXIS - 8, "font-size": 10, fill: "#555"}, t + " ms");
    }
    return out;
  }

  function faults() {
    let out = "";
    D.faults.forEach((f, i) => {
      const x0 = x(f.at_us), w = Math.max(2, x(f.until_us) - x0), c = FAULT[f.kind] || "#7f7f7f";
      if (f.nodes.length === 0) {
        out += tag("rect", {x: x0, y: AXIS - 4, width: w, height: height - AXIS, fill: c, "fill-opacity": 0.1, "data-t": "f:" + i});
      }
      f.nodes.forEach(n => {
        out += tag("rect", {x: x0, y: laneY(nodeLane(n)) - 1, width: w, height: LANE + 2, fill: c, "fill-opacity": 0.35, "data-t": "f:" + i});
      });
      out += tag("text", {x: x0 + 2, y: AXIS - 20 - (i % 2) * 11, "font-size": 10, fill: c, "data-t": "f:" + i}, esc(cut(f.label, 40)));
    });
    const h = x(D.heal_us);
    out += tag("line", {x1: h, x2: h, y1: AXIS - 4, y2: height, stroke: "#555", "stroke-dasharray": "6 4"});
    out += tag("text", {x: h + 2, y: height - 2, "font-size": 10, fill: "#555"}, "heal");
    return out;
  }

  function ops() {
    let out = "";
    D.ops.forEach((op, i) => {
      const x0 = x(op.t0), x1 = x(op.t1 == null ? D.to_us : op.t1);
      const a = {x: x0, y: laneY(op.lane) + 2, width: Math.max(2, x1 - x0), height: LANE - 4,
        fill: OUTCOME[op.o], stroke: "#555", "stroke-width": 0.5, "data-t": "o:" + i};
      if (op.v.length) Object.assign(a, {stroke: "#d00000", "stroke-width": 3, id: "op-v" + op.v[0]});
      out += tag("rect", a);
      if (x1 - x0 > 40) {
        out += tag("text", {x: x0 + 3, y: laneY(op.lane) + LANE - 6, "font-size": 10, fill: "#000", "pointer-events": "none"},
          esc(cut(op.f, Math.floor((x1 - x0 - 6) / 6))));
      }
    });
    return out;
  }

  function events() {
    let out = "";
    D.events.forEach((e, i) => {
      const ex = x(e.t), y = laneY(nodeLane(e.n));
      out += tag("rect", {x: ex - 1, y: y + 1, width: 2.5, height: LANE - 2, fill: D.event_colors[e.name] || "#333", "data-t": "e:" + i});
      if (e.v.length) {
        out += tag("circle", {cx: ex, cy: y + LANE / 2, r: 7, fill: "none", stroke: "#d00000", "stroke-width": 2.5, "data-t": "e:" + i});
      }
    });
    return out;
  }

  function violations() {
    let out = "", last = [-1e9, -1e9, -1e9];
    D.violations.forEach((v, i) => {
      if (v.first_us == null) return;
      const vx = x(v.first_us);
      let row = last.findIndex(l => vx - l > 34);
      if (row < 0) row = 2;
      last[row] = vx;
      out += tag("line", {x1: vx, x2: vx, y1: AXIS - 4, y2: height, stroke: "#d00000", "stroke-width": 1, "stroke-dasharray": "3 3"});
      out += tag("text", {x: vx + 2, y: 12 + row * 11, "font-size": 11, "font-weight": "bold", fill: "#d00000", "data-t": "v:" + i}, "V" + (i + 1));
    });
    return out;
  }

  function draw() {
    const width = x(D.to_us) + 40;
    const labels = lanes.map((l, i) => tag("text", {x: 4, y: laneY(i) + LANE - 5, "font-size": 11}, esc(l))).join("");
    const left = tag("svg", {width: LABELS, height, style: "position:sticky;left:0;background:#fff;z-index:1;flex:none"}, labels);
    const body = ticks(width) + faults() + ops() + events() + violations();
    document.getElementById("chart").innerHTML =
      '<div style="display:flex">' + left + tag("svg", {width, height, style: "flex:none"}, body) + "</div>";
    document.getElementById("scale").textContent = " " + scale.toPrecision(3) + " px per ms";
  }

  function scrollTo(us) {
    const box = document.getElementById("chart");
    box.scrollLeft = Math.max(0, x(us) - 250);
  }

  function header() {
    const shown = document.getElementById("shown");
    let text = "Simulated 0 to " + ms(D.end_us) + ", heal at " + ms(D.heal_us) + ". ";
    text += D.ops.length < D.ops_total
      ? "Showing " + D.ops.length + " of " + D.ops_total + " ops (" + ms(D.from_us) + " to " + ms(D.to_us) +
        (D.violations.length ? ", around the first violation, plus every op a violation names" : ", the first ones") +
        "); all ops are in ops.csv and history.jsonl. "
      : D.ops_total + " ops. ";
    text += D.events.length < D.events_total
      ? "Showing " + D.events.length + " of " + D.events_total + " protocol events (those in the shown span)."
      : D.events_total + " protocol events.";
    shown.textContent = text;
    const legend = Object.keys(D.event_colors).map(n =>
      '<span class="swatch" style="background:' + esc(D.event_colors[n]) + '"></span>' + esc(n)).join(" ");
    shown.insertAdjacentHTML("afterend", legend ? '<p class="note">events: ' + legend + "</p>" : "");
    document.getElementById("violations").innerHTML = D.violations.map((v, i) =>
      "<li>" + tag("a", {href: "#", "data-v": i}, "V" + (i + 1)) + " " + esc(v.check) + ": " + esc(v.message) +
      (v.first_us == null ? "" : " (from " + esc(ms(v.first_us)) + ")") + "</li>").join("");
    document.getElementById("violations").addEventListener("click", e => {
      const a = e.target.closest("[data-v]");
      if (!a) return;
      e.preventDefault();
      const v = D.violations[+a.getAttribute("data-v")];
      if (v.first_us != null) scrollTo(v.first_us);
    });
  }

  function zoom(k) {
    const box = document.getElementById("chart");
    const mid = (box.scrollLeft + box.clientWidth / 2 - 8) / scale * 1000 + D.from_us;
    scale = Math.min(50, Math.max(0.005, scale * k));
    draw();
    box.scrollLeft = Math.max(0, x(mid) - box.clientWidth / 2);
  }
  document.getElementById("zin").onclick = () => zoom(2);
  document.getElementById("zout").onclick = () => zoom(0.5);
  header();
  draw();
  const first = D.violations.map(v => v.first_us).filter(t => t != null);
  if (first.length) scrollTo(Math.min(...first));
  document.body.setAttribute("data-drawn", D.ops.length + " ops");
})();
