// linear.html: per failing key, process lanes with the candidate order drawn through them.
(function linear() {
  const LANE = 30, LEFT = 110, TOP = 34, W = 1200;
  const COLOR = {prefix: "#cfe3f7", stuck: "#f4a6a6", concurrent: "#ffffff"};
  const show = v => v == null ? "null" : JSON.stringify(v);
  const describe = op => "process " + op.process + (op.node ? " via " + op.node : "") + ": " + op.f + " " +
    show(op.value) + " \u2192 " + op.o + " " + show(op.result);
  let all = [];

  TIPS.o = i => {
    const op = all[i];
    const role = op.role === "stuck" ? "cannot be placed after the prefix" :
      op.role === "prefix" ? "#" + op.order + " of the linearizable prefix" : "concurrent, not placed";
    return describe(op) + "\n" + role + (op.concurrent && op.role === "prefix" ? " (concurrent with the red op)" : "") +
      "\ninvoked " + ms(op.t0) + ", completed " + ms(op.t1) + "\n\n" + op.a + "\n" + (op.r || "(no completion)");
  };

  function lanes(k) {
    const procs = [...new Set(k.ops.map(op => op.process))].sort((a, b) => a - b);
    const t0 = Math.min(...k.ops.map(op => op.t0)), t1 = Math.max(...k.ops.map(op => op.t1 == null ? op.t0 : op.t1));
    const end = t1 + (t1 - t0) * 0.05 + 1;
    const x = us => LEFT + (us - t0) / Math.max(1, end - t0) * (W - LEFT - 20);
    const yOf = p => TOP + procs.indexOf(p) * LANE;
    let svg = "";
    for (let i = 0; i <= 5; i++) {
      const t = t0 + (end - t0) * i / 5;
      svg += tag("line", {x1: x(t), x2: x(t), y1: TOP - 10, y2: TOP + procs.length * LANE, stroke: "#eee"});
      svg += tag("text", {x: x(t) + 2, y: TOP - 14, "font-size": 10, fill: "#666"}, esc((t / 1000).toFixed(3) + " ms"));
    }
    procs.forEach(p => { svg += tag("text", {x: 4, y: yOf(p) + 18, "font-size": 11}, "process " + p); });
    let prev = -Infinity, path = [];
    k.ops.forEach(op => {
      const i = all.length;
      all.push(op);
      const x0 = x(op.t0), x1 = op.t1 == null ? x(end) : x(op.t1), yy = yOf(op.process);
      const a = {x: x0, y: yy + 4, width: Math.max(3, x1 - x0), height: LANE - 10, fill: COLOR[op.role],
        stroke: op.role === "stuck" ? "#c00000" : op.concurrent ? "#c06000" : "#5580aa",
        "stroke-width": op.role === "stuck" ? 3 : op.concurrent ? 2 : 1, "data-t": "o:" + i};
      if (op.role === "concurrent") a["stroke-dasharray"] = "4 2";
      svg += tag("rect", a);
      const text = (op.order ? "#" + op.order + " " : "") + op.f + " " + show(op.value) + "\u2192" + show(op.result) +
        (op.node ? " @" + op.node : "");
      svg += tag("text", {x: x0 + 3, y: yy + 18, "font-size": 10, "pointer-events": "none"},
        esc(cut(text, Math.max(0, Math.floor((x1 - x0 - 4) / 5.5)))));
      if (op.role === "prefix") {
        const pt = Math.max(prev, op.t0);
        prev = pt;
        path.push([x(pt), yy + LANE / 2 - 1]);
      }
    });
    if (path.length > 1) {
      svg += tag("polyline", {points: path.map(p => p[0].toFixed(1) + "," + p[1].toFixed(1)).join(" "),
        fill: "none", stroke: "#1f77b4", "stroke-width": 1.5, "pointer-events": "none"});
    }
    path.forEach(p => { svg += tag("circle", {cx: p[0], cy: p[1], r: 2.5, fill: "#1f77b4"}); });
    return tag("svg", {width: W, height: TOP + procs.length * LANE + 10}, svg);
  }

  function table(k) {
    const rows = k.ops.map(op => tag("tr", op.role === "stuck" ? {class: "stuck"} : {},
      [op.order ? "#" + op.order : op.role === "stuck" ? "cannot be placed" : "concurrent, not placed",
        "process " + op.process, op.node || "", op.f + " " + show(op.value), op.o + " " + show(op.result),
        ms(op.t0), ms(op.t1)].map(c => "<td>" + esc(c) + "</td>").join("")));
    return "<table><tr><th>order</th><th>process</th><th>served by</th><th>op</th><th>result</th>" +
      "<th>invoked</th><th>completed</th></tr>" + rows.join("") + "</table>";
  }

  document.getElementById("keys").innerHTML = DATA.keys.map(k => {
    const stuck = k.ops.find(op => op.role === "stuck");
    return "<h2>key " + esc(show(k.key)) + "</h2><p>" + esc(describe(stuck)) + " cannot be linearized. " +
      "The longest linearizable prefix has " + k.prefix_len + " ops" +
      (k.prefix_skipped ? " (the last " + (k.prefix_len - k.prefix_skipped) + " drawn)" : "") +
      " and leaves the key in state " + esc(k.state) + ".</p>" +
      '<div class="scroll">' + lanes(k) + "</div>" + table(k);
  }).join("");
  document.body.setAttribute("data-drawn", DATA.keys.length + " keys");
})();
