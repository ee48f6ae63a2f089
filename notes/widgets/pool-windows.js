/* pool-windows.js: draws the interactive figure of pool-windows.c. Sliders
 * set the input size, kernel, stride and padding (the same on both axes);
 * switches choose max or average pooling, ceil_mode and count_include_pad;
 * a click on an output cell shows its window. The output size, the windows
 * and every output value come from the reference C code (pool_out_size, its
 * window helper, maxpool2d_forward, avgpool2d_forward), never from here.
 *
 * For tests: the root carries data-out-h, data-out-w, data-i, data-j; each
 * input cell is a rect with data-row, data-col and, inside the image,
 * data-x (its value); cells of the selected window carry data-window="in"
 * (image) or "pad"; each output cell has data-i, data-j and data-y (the
 * value the C code returned, as a float32 printed in full). */
(function () {
  "use strict";
  var CNN = (window.CNNWidgets = window.CNNWidgets || { renderers: {}, wasm: {} });

  function show(v) {
    if (v === -Infinity) return "-∞";
    if (Math.round(v) === v) return String(v);
    return v.toFixed(2);
  }

  CNN.renderers["pool-windows"] = function (root, c) {
    var ui = CNN.ui;
    var st = { n: 6, k: 3, s: 2, p: 1, ceil: false, cip: true, avg: false, i: 0, j: 0 };
    root.textContent = "";
    ui.el("p", { class: "widget-title" }, root,
      "Try it: pooling windows and their outputs. Click an output cell.");
    var controls = ui.el("div", { class: "widget-controls" }, root);
    function set(key) { return function (v) { st[key] = v; update(); }; }
    ui.select(controls, "pooling", "mode", [["max", "max"], ["avg", "average"]], "max",
      function (v) { st.avg = v === "avg"; update(); });
    ui.slider(controls, "input size", "n", 3, 9, st.n, set("n"));
    var kIn = ui.slider(controls, "kernel k", "k", 1, 4, st.k, function (v) {
      st.k = v; pIn.setMax(Math.floor(v / 2)); st.p = parseInt(pIn.value, 10); update();
    });
    ui.slider(controls, "stride s", "s", 1, 4, st.s, set("s"));
    var pIn = ui.slider(controls, "padding p", "p", 0, 1, st.p, set("p"));
    ui.checkbox(controls, "ceil_mode", "ceil_mode", st.ceil, set("ceil"));
    ui.checkbox(controls, "count_include_pad", "count_include_pad", st.cip, set("cip"));
    void kIn;
    var figure = ui.el("div", { class: "widget-figure" }, root);
    var status = ui.el("p", { class: "widget-status", "aria-live": "polite" }, root);
    ui.el("p", { class: "widget-source" }, root,
      "Computed in your browser by pool_out_size, maxpool2d_forward and " +
      "avgpool2d_forward of the reference solution of chapter 02, compiled from " +
      "C to WebAssembly.");

    function update() {
      var n = st.n, k = st.k, s = st.s, p = st.p;
      var xp = c.pool_fill_input(n), x = ui.floats(c, xp, n * n);
      var out = c.pool_out_size(n, k, s, p, st.ceil ? 1 : 0);
      var yp = c.pool_run(n, k, s, p, st.ceil ? 1 : 0, st.cip ? 1 : 0, st.avg ? 1 : 0);
      var y = yp ? ui.floats(c, yp, out * out) : null;
      if (!y) out = Math.min(out, 0);
      root.setAttribute("data-out-h", out);
      root.setAttribute("data-out-w", out);
      if (out >= 1) {
        st.i = Math.min(Math.max(st.i, 0), out - 1);
        st.j = Math.min(Math.max(st.j, 0), out - 1);
      }
      root.setAttribute("data-i", st.i);
      root.setAttribute("data-j", st.j);

      var r0 = 0, r1 = 0, c0 = 0, c1 = 0, rlo = 0, rhi = 0, clo = 0, chi = 0;
      if (out >= 1) {
        r0 = c.pool_window_start(st.i, s, p); r1 = c.pool_window_end(st.i, n, k, s, p);
        c0 = c.pool_window_start(st.j, s, p); c1 = c.pool_window_end(st.j, n, k, s, p);
        rlo = c.pool_window_lo(st.i, n, k, s, p); rhi = c.pool_window_hi(st.i, n, k, s, p);
        clo = c.pool_window_lo(st.j, n, k, s, p); chi = c.pool_window_hi(st.j, n, k, s, p);
      }

      var cell = 30, gap = 40, side = n + 2 * p, outSide = Math.max(out, 0);
      var width = side * cell + gap + Math.max(outSide, 1) * cell + 44;
      var height = Math.max(side, outSide) * cell + 40, top = 20;
      figure.textContent = "";
      var svg = ui.svg("svg", { viewBox: "0 0 " + width + " " + height,
                                width: width, height: height, role: "img",
                                "aria-label": "the pooling window of the selected output" }, figure);
      ui.svg("text", { x: 1, y: 13, class: "wlabel" }, svg,
        "input " + n + "×" + n + ", padding " + p);
      for (var rr = -p; rr < n + p; rr++)
        for (var cc = -p; cc < n + p; cc++) {
          var inside = rr >= 0 && rr < n && cc >= 0 && cc < n;
          var inWin = out >= 1 && rr >= r0 && rr < r1 && cc >= c0 && cc < c1;
          var onImage = inWin && rr >= rlo && rr < rhi && cc >= clo && cc < chi;
          var kind = inWin ? (onImage ? "in" : "pad") : "";
          var px = (cc + p) * cell + 1, py = (rr + p) * cell + top;
          var attrs = { x: px, y: py, width: cell - 2, height: cell - 2,
                        class: "wcell" + (inside ? "" : " wpad") + (kind ? " wwin-" + kind : ""),
                        "data-row": rr, "data-col": cc };
          if (inside) attrs["data-x"] = x[rr * n + cc];
          if (kind) attrs["data-window"] = kind;
          ui.svg("rect", attrs, svg);
          if (inside)
            ui.svg("text", { x: px + cell / 2 - 1, y: py + cell / 2 + 4, class: "wval" }, svg,
              show(x[rr * n + cc]));
        }
      var ox = side * cell + gap;
      ui.svg("text", { x: ox, y: 13, class: "wlabel" }, svg,
        out >= 1 ? (st.avg ? "avg" : "max") + " output " + out + "×" + out : "no output");
      for (var i = 0; i < outSide; i++)
        for (var j = 0; j < outSide; j++) {
          var sel = i === st.i && j === st.j, v = y[i * out + j];
          var ocx = ox + j * (cell + 6), ocy = top + i * cell;
          var oc = ui.svg("rect", { x: ocx, y: ocy, width: cell + 4, height: cell - 2,
                                    class: "wout" + (sel ? " wsel" : ""), "data-i": i,
                                    "data-j": j, "data-y": v, tabindex: 0 }, svg);
          ui.svg("text", { x: ocx + cell / 2 + 2, y: ocy + cell / 2 + 4, class: "wval" }, svg, show(v));
          oc.addEventListener("click", (function (a, b) {
            return function () { st.i = a; st.j = b; update(); };
          })(i, j));
        }
      svg.setAttribute("viewBox", "0 0 " + (width + outSide * 6) + " " + height);
      svg.setAttribute("width", width + outSide * 6);

      var call = "pool_out_size(" + [n, k, s, p, st.ceil ? 1 : 0].join(", ") + ") = " + out;
      if (out >= 1) {
        status.textContent = call + ". Output (" + st.i + ", " + st.j + ") = " +
          show(y[st.i * out + st.j]) + ": the " + (st.avg ? "average" : "maximum") +
          " over its window (outlined); " +
          (st.avg ? (st.cip ? "padded cells count in the divisor." :
                              "only the cells on the image count in the divisor.")
                  : "padding reads as -∞ and never wins.");
      } else {
        status.textContent = call + ": the kernel does not fit the padded input, so there is no output.";
      }
    }
    update();
  };
})();
