/* widgets.js: the loader of the notes' interactive figures.
 *
 * A lesson opts in with a div: ::: {.widget data-widget="conv-taps"} :::.
 * Each widget NAME is notes/widgets/NAME.c (C glue that calls the course's
 * reference code, compiled to WebAssembly) and notes/widgets/NAME.js (the
 * drawing, which registers CNNWidgets.renderers[NAME]). The build
 * concatenates this file, every NAME.js and the WebAssembly modules (as
 * base64, so that the site also works from file://, where a page may not
 * fetch) into the site's widgets/widgets.js. The JavaScript only draws: every
 * number a figure shows comes from an exported C function.
 *
 * A widget that mounts gets the class widget-ready; one that fails gets
 * widget-failed and its error in data-error. Without JavaScript the div
 * stays empty and the static figure beside it is what the reader sees.
 */
(function () {
  "use strict";
  var CNN = (window.CNNWidgets = window.CNNWidgets || {});
  CNN.renderers = CNN.renderers || {};
  CNN.wasm = CNN.wasm || {};
  var SVG_NS = "http://www.w3.org/2000/svg";

  function bytes(b64) {
    var s = atob(b64), a = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) a[i] = s.charCodeAt(i);
    return a;
  }

  /* ---- small DOM helpers shared by the widgets ------------------------ */

  var ui = (CNN.ui = {});

  ui.el = function (tag, attrs, parent, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  };

  ui.svg = function (tag, attrs, parent, text) {
    var e = document.createElementNS(SVG_NS, tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  };

  /* A labelled range input; onchange(value) on every move. Returns the
   * input, with .setMax(m) to change its range. */
  ui.slider = function (parent, label, name, min, max, value, onchange) {
    var row = ui.el("label", { class: "widget-control" }, parent);
    ui.el("span", { class: "widget-label" }, row, label);
    var input = ui.el("input", { type: "range", name: name, min: min, max: max,
                                 step: 1, value: value }, row);
    var out = ui.el("output", { for: name }, row, String(value));
    input.addEventListener("input", function () {
      out.textContent = input.value;
      onchange(parseInt(input.value, 10));
    });
    input.setMax = function (m) {
      input.max = m;
      if (parseInt(input.value, 10) > m) {
        input.value = m;
        out.textContent = String(m);
      }
    };
    return input;
  };

  ui.checkbox = function (parent, label, name, checked, onchange) {
    var row = ui.el("label", { class: "widget-control widget-check" }, parent);
    var input = ui.el("input", { type: "checkbox", name: name }, row);
    input.checked = !!checked;
    ui.el("span", { class: "widget-label" }, row, label);
    input.addEventListener("change", function () { onchange(input.checked); });
    return input;
  };

  ui.select = function (parent, label, name, options, value, onchange) {
    var row = ui.el("label", { class: "widget-control" }, parent);
    ui.el("span", { class: "widget-label" }, row, label);
    var sel = ui.el("select", { name: name }, row);
    options.forEach(function (o) {
      var opt = ui.el("option", { value: o[0] }, sel, o[1]);
      if (o[0] === value) opt.selected = true;
    });
    sel.addEventListener("change", function () { onchange(sel.value); });
    return sel;
  };

  /* Float32 view of n floats at address ptr of the module's memory. */
  ui.floats = function (exports, ptr, n) {
    return new Float32Array(exports.memory.buffer, ptr, n);
  };

  /* ---- mounting -------------------------------------------------------- */

  function mount(el) {
    var name = el.getAttribute("data-widget");
    var render = CNN.renderers[name], b64 = CNN.wasm[name];
    if (!render || !b64) {
      el.classList.add("widget-failed");
      el.setAttribute("data-error", "no widget " + name + " in this build");
      return;
    }
    WebAssembly.instantiate(bytes(b64), {}).then(function (r) {
      render(el, r.instance.exports);
      el.classList.add("widget-ready");
    }).catch(function (err) {
      el.classList.add("widget-failed");
      el.setAttribute("data-error", String(err));
      if (window.console) console.error("widget " + name + ": " + err);
    });
  }

  function mountAll() {
    var els = document.querySelectorAll("div.widget[data-widget]");
    for (var i = 0; i < els.length; i++) mount(els[i]);
  }

  if (document.readyState === "loading")
    document.addEventListener("DOMContentLoaded", mountAll);
  else
    setTimeout(mountAll, 0);
})();
