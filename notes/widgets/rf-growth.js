/* rf-growth.js: draws the interactive figure of rf-growth.c. A preset or
 * the table's controls set a stack of up to eight layers (kind, kernel k,
 * stride s, padding p, dilation d, the same on both axes); the figure shows,
 * after every layer, the receptive field's size r, jump J and first
 * position, and draws the input positions units 0 and 1 see. Every number
 * comes from the reference C code (rf_stack, rf_window), never from here.
 *
 * For tests: the controls are named layers, kind0..kind7 (conv, pool,
 * pointwise), k0.., s0.., p0.., d0..; each row of the table is a tr with
 * data-layer (0 = the input), data-size, data-jump, data-first, and data-lo,
 * data-hi (the positions unit 0 sees, inclusive). */
(function () {
  "use strict";
  var CNN = (window.CNNWidgets = window.CNNWidgets || { renderers: {}, wasm: {} });
  var KINDS = [["conv", "conv"], ["pool", "pool"], ["pointwise", "pointwise"]];
  var KIND_CODE = { conv: 0, pool: 1, pointwise: 2 };
  var PRESETS = {
    vgg: { label: "VGG: two 3×3 convs and a 2×2 pool, twice",
           layers: [["conv", 3, 1, 1, 1], ["conv", 3, 1, 1, 1], ["pool", 2, 2, 0, 1],
                    ["conv", 3, 1, 1, 1], ["conv", 3, 1, 1, 1], ["pool", 2, 2, 0, 1]] },
    alexnet: { label: "AlexNet's first layers",
               layers: [["conv", 11, 4, 2, 1], ["pool", 3, 2, 0, 1], ["conv", 5, 1, 2, 1],
                        ["pool", 3, 2, 0, 1], ["conv", 3, 1, 1, 1]] },
    dilated: { label: "3×3 convs dilated 1, 2, 4, 8",
               layers: [["conv", 3, 1, 1, 1], ["conv", 3, 1, 2, 2], ["conv", 3, 1, 4, 4],
                        ["conv", 3, 1, 8, 8]] },
    plain: { label: "five 3×3 convs, stride 1",
             layers: [["conv", 3, 1, 1, 1], ["conv", 3, 1, 1, 1], ["conv", 3, 1, 1, 1],
                      ["conv", 3, 1, 1, 1], ["conv", 3, 1, 1, 1]] },
  };

  CNN.renderers["rf-growth"] = function (root, c) {
    var ui = CNN.ui, max = c.rf_max_layers();
    var st = { n: 0, layers: [] };
    for (var l = 0; l < max; l++) st.layers.push(["conv", 3, 1, 1, 1]);
    root.textContent = "";
    ui.el("p", { class: "widget-title" }, root,
      "Try it: how the receptive field grows through a stack of layers.");
    var controls = ui.el("div", { class: "widget-controls" }, root);
    var presetSel = ui.select(controls, "preset", "preset",
      Object.keys(PRESETS).map(function (k) { return [k, PRESETS[k].label]; }), "vgg",
      function (v) { load(v); });
    var nIn = ui.slider(controls, "layers", "layers", 1, max, 1, function (v) {
      st.n = v; build(); update();
    });
    void presetSel;
    var tableBox = ui.el("div", { class: "widget-table" }, root);
    var figure = ui.el("div", { class: "widget-figure" }, root);
    var status = ui.el("p", { class: "widget-status", "aria-live": "polite" }, root);
    ui.el("p", { class: "widget-source" }, root,
      "Computed in your browser by rf_stack and rf_window of the reference solution " +
      "of chapter 04, compiled from C to WebAssembly.");
    var cells = [];

    function load(name) {
      var p = PRESETS[name].layers;
      for (var l = 0; l < p.length; l++) st.layers[l] = p[l].slice();
      st.n = p.length;
      nIn.value = st.n;
      nIn.dispatchEvent(new Event("input"));
    }

    function number(td, name, value, min, maxv, onchange) {
      var input = ui.el("input", { type: "number", name: name, min: min, max: maxv, value: value,
                                   step: 1, class: "widget-num" }, td);
      input.addEventListener("input", function () {
        var v = parseInt(input.value, 10);
        if (!isNaN(v) && v >= min && v <= maxv) { onchange(v); update(); }
      });
      return input;
    }

    /* The table: one row for the input, then one per layer with its
     * controls and the results (filled by update). */
    function build() {
      tableBox.textContent = "";
      var table = ui.el("table", { class: "widget-rf" }, tableBox);
      var head = ui.el("tr", {}, ui.el("thead", {}, table));
      ["layer", "kind", "k", "s", "p", "d", "size r", "jump J", "first", "unit 0 sees"]
        .forEach(function (h) { ui.el("th", {}, head, h); });
      var body = ui.el("tbody", {}, table);
      cells = [];
      for (var l = 0; l <= st.n; l++) {
        var tr = ui.el("tr", { "data-layer": l }, body);
        ui.el("td", {}, tr, l === 0 ? "input" : String(l));
        if (l === 0) {
          ui.el("td", { colspan: 5 }, tr, "");
        } else {
          (function (idx) {
            var lay = st.layers[idx];
            var kind = ui.el("select", { name: "kind" + idx }, ui.el("td", {}, tr));
            KINDS.forEach(function (o) {
              var opt = ui.el("option", { value: o[0] }, kind, o[1]);
              if (o[0] === lay[0]) opt.selected = true;
            });
            kind.addEventListener("change", function () { lay[0] = kind.value; update(); });
            number(ui.el("td", {}, tr), "k" + idx, lay[1], 1, 15, function (v) { lay[1] = v; });
            number(ui.el("td", {}, tr), "s" + idx, lay[2], 1, 8, function (v) { lay[2] = v; });
            number(ui.el("td", {}, tr), "p" + idx, lay[3], 0, 16, function (v) { lay[3] = v; });
            number(ui.el("td", {}, tr), "d" + idx, lay[4], 1, 16, function (v) { lay[4] = v; });
          })(l - 1);
        }
        cells.push({ tr: tr, r: ui.el("td", { class: "num" }, tr), j: ui.el("td", { class: "num" }, tr),
                     f: ui.el("td", { class: "num" }, tr), w: ui.el("td", { class: "num" }, tr) });
      }
    }

    function update() {
      for (var l = 0; l < st.n; l++) {
        var lay = st.layers[l];
        c.rf_set_layer(l, KIND_CODE[lay[0]], lay[1], lay[2], lay[3], lay[4]);
      }
      c.rf_run(st.n);
      var rows = [];
      for (var k = 0; k <= st.n; k++) {
        var row = { size: c.rf_size(k), jump: c.rf_jump(k), first: c.rf_first(k),
                    lo: c.rf_window_lo(k, 0), hi: c.rf_window_hi(k, 0),
                    lo1: c.rf_window_lo(k, 1), hi1: c.rf_window_hi(k, 1) };
        rows.push(row);
        var cell = cells[k];
        cell.tr.setAttribute("data-size", row.size);
        cell.tr.setAttribute("data-jump", row.jump);
        cell.tr.setAttribute("data-first", row.first);
        cell.tr.setAttribute("data-lo", row.lo);
        cell.tr.setAttribute("data-hi", row.hi);
        cell.r.textContent = row.size;
        cell.j.textContent = row.jump;
        cell.f.textContent = row.first;
        cell.w.textContent = row.lo + " … " + row.hi;
      }
      draw(rows);
      var last = rows[rows.length - 1];
      status.textContent = "After " + st.n + (st.n === 1 ? " layer" : " layers") +
        ", a unit sees " + last.size + " input positions, and neighbouring units are " +
        last.jump + " apart (bars: unit 0 dark, unit 1 light; grey: the padding, left of 0).";
    }

    /* One bar per layer over the input positions: what units 0 and 1 see. */
    function draw(rows) {
      var lo = 0, hi = 1;
      rows.forEach(function (r) { lo = Math.min(lo, r.lo); hi = Math.max(hi, r.hi1); });
      var left = 64, width = 640, rowH = 22, top = 16;
      var scale = (width - left - 10) / (hi - lo + 1);
      var height = top + rows.length * rowH + 24;
      figure.textContent = "";
      var svg = ui.svg("svg", { viewBox: "0 0 " + width + " " + height, width: width,
                                height: height, role: "img",
                                "aria-label": "input positions seen by units 0 and 1 of each layer" },
                       figure);
      var x = function (pos) { return left + (pos - lo) * scale; };
      if (lo < 0)
        ui.svg("rect", { x: x(lo), y: top - 4, width: (0 - lo) * scale,
                         height: rows.length * rowH + 4, class: "wrf-pad" }, svg);
      rows.forEach(function (r, k) {
        var y = top + k * rowH;
        ui.svg("text", { x: left - 8, y: y + 13, class: "wlabel wright" }, svg,
          k === 0 ? "input" : "layer " + k);
        ui.svg("rect", { x: x(r.lo1), y: y + 9, width: (r.hi1 - r.lo1 + 1) * scale,
                         height: 8, class: "wrf-unit1" }, svg);
        ui.svg("rect", { x: x(r.lo), y: y + 2, width: (r.hi - r.lo + 1) * scale,
                         height: 8, class: "wrf-unit0" }, svg);
      });
      var axisY = top + rows.length * rowH + 4;
      ui.svg("line", { x1: x(lo), x2: x(hi + 1), y1: axisY, y2: axisY, class: "waxis" }, svg);
      var step = Math.max(1, Math.pow(10, Math.floor(Math.log10(hi - lo + 1))) / 2);
      for (var t = Math.ceil(lo / step) * step; t <= hi; t += step)
        ui.svg("text", { x: x(t) + scale / 2, y: axisY + 14, class: "wtick" }, svg, String(t));
    }

    load("vgg");
  };
})();
