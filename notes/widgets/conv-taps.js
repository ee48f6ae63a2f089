/* conv-taps.js: draws the interactive figure of conv-taps.c. Sliders set
 * the input size, kernel, stride, padding and dilation (the same on both
 * axes); a click on an output cell selects it. The output size and the
 * input cells the selected output reads are asked of the reference C code
 * (conv_out_size, tap_range), never computed here.
 *
 * For tests: the root carries data-out-h and data-out-w, data-i and data-j
 * (the selected output); each input cell is a rect with data-row and
 * data-col (image coordinates, negative or >= size in the padding) and
 * data-read="tap" when the selected output reads it, "pad" when one of its
 * taps falls there on the zero padding. */
(function () {
  "use strict";
  var CNN = (window.CNNWidgets = window.CNNWidgets || { renderers: {}, wasm: {} });

  CNN.renderers["conv-taps"] = function (root, c) {
    var ui = CNN.ui;
    var st = { n: 7, k: 3, s: 2, p: 1, d: 1, i: 1, j: 1 };
    root.textContent = "";
    ui.el("p", { class: "widget-title" }, root,
      "Try it: which input cells does output (i, j) read? Click an output cell.");
    var controls = ui.el("div", { class: "widget-controls" }, root);
    function set(key) { return function (v) { st[key] = v; update(); }; }
    ui.slider(controls, "input size", "n", 3, 9, st.n, set("n"));
    ui.slider(controls, "kernel k", "k", 1, 5, st.k, set("k"));
    ui.slider(controls, "stride s", "s", 1, 3, st.s, set("s"));
    ui.slider(controls, "padding p", "p", 0, 3, st.p, set("p"));
    ui.slider(controls, "dilation d", "d", 1, 3, st.d, set("d"));
    var figure = ui.el("div", { class: "widget-figure" }, root);
    var status = ui.el("p", { class: "widget-status", "aria-live": "polite" }, root);
    ui.el("p", { class: "widget-source" }, root,
      "Computed in your browser by conv_out_size and tap_range of the reference " +
      "solution of chapter 01, compiled from C to WebAssembly.");

    function update() {
      var n = st.n, k = st.k, s = st.s, p = st.p, d = st.d;
      var out = c.conv_out_size(n, k, s, p, d);
      root.setAttribute("data-out-h", out);
      root.setAttribute("data-out-w", out);
      if (out >= 1) {
        st.i = Math.min(Math.max(st.i, 0), out - 1);
        st.j = Math.min(Math.max(st.j, 0), out - 1);
      }
      root.setAttribute("data-i", st.i);
      root.setAttribute("data-j", st.j);

      /* What the selected output reads: tap u of row i lands on input row
       * conv_tap_position(i, s, p, d, u); the taps lo .. hi-1 that
       * tap_range keeps are on the image, the others on the padding. */
      var read = {};
      if (out >= 1) {
        var ulo = c.conv_tap_lo(st.i, n, k, s, p, d), uhi = c.conv_tap_hi(st.i, n, k, s, p, d);
        var vlo = c.conv_tap_lo(st.j, n, k, s, p, d), vhi = c.conv_tap_hi(st.j, n, k, s, p, d);
        for (var u = 0; u < k; u++)
          for (var v = 0; v < k; v++) {
            var r = c.conv_tap_position(st.i, s, p, d, u);
            var q = c.conv_tap_position(st.j, s, p, d, v);
            var onImage = u >= ulo && u < uhi && v >= vlo && v < vhi;
            read[r + "," + q] = { kind: onImage ? "tap" : "pad", label: "" + u + v };
          }
      }

      var cell = 22, gap = 46, side = n + 2 * p;
      var outSide = Math.max(out, 0);
      var width = side * cell + gap + Math.max(outSide, 1) * cell + 2;
      var height = Math.max(side, outSide) * cell + 40;
      figure.textContent = "";
      var svg = ui.svg("svg", { viewBox: "0 0 " + width + " " + height,
                                width: width, height: height, role: "img",
                                "aria-label": "input cells read by the selected output" }, figure);
      ui.svg("text", { x: 1, y: 13, class: "wlabel" }, svg,
        "input " + n + "×" + n + ", padding " + p);
      var top = 20;
      for (var rr = -p; rr < n + p; rr++)
        for (var cc = -p; cc < n + p; cc++) {
          var pad = rr < 0 || rr >= n || cc < 0 || cc >= n;
          var hit = read[rr + "," + cc];
          var x = (cc + p) * cell + 1, y = (rr + p) * cell + top;
          var attrs = { x: x, y: y, width: cell - 2, height: cell - 2,
                        class: "wcell" + (pad ? " wpad" : "") + (hit ? " w" + hit.kind : ""),
                        "data-row": rr, "data-col": cc };
          if (hit) attrs["data-read"] = hit.kind;
          ui.svg("rect", attrs, svg);
          if (hit)
            ui.svg("text", { x: x + cell / 2 - 1, y: y + cell / 2 + 3, class: "wtap" }, svg, hit.label);
        }
      var ox = side * cell + gap;
      ui.svg("text", { x: ox, y: 13, class: "wlabel" }, svg,
        out >= 1 ? "output " + out + "×" + out : "no output");
      for (var i = 0; i < outSide; i++)
        for (var j = 0; j < outSide; j++) {
          var sel = i === st.i && j === st.j;
          var oc = ui.svg("rect", { x: ox + j * cell, y: top + i * cell, width: cell - 2,
                                    height: cell - 2, class: "wout" + (sel ? " wsel" : ""),
                                    "data-i": i, "data-j": j, tabindex: 0 }, svg);
          oc.addEventListener("click", (function (a, b) {
            return function () { st.i = a; st.j = b; update(); };
          })(i, j));
        }

      if (out >= 1) {
        status.textContent = "conv_out_size(" + [n, k, s, p, d].join(", ") + ") = " + out +
          ". Output (" + st.i + ", " + st.j + ") reads the cells labelled uv, " +
          "by weight w[u][v]; taps on the grey padding read zeros.";
      } else {
        status.textContent = "conv_out_size(" + [n, k, s, p, d].join(", ") + ") = " + out +
          ": the dilated kernel is longer than the padded input, so the layer has no output.";
      }
    }
    update();
  };
})();
