/* search.js: the search box of the notes' index page, offline. It searches
 * window.SEARCH_INDEX (search-index.js, built with the site by
 * search_index.py): one entry per section of every chapter. A section
 * matches when it holds every word of the query (case-insensitive, a word
 * may be the start of a longer one); matches in a heading count more. The
 * best 25 are listed with the passage around the first match. */
(function () {
  "use strict";
  var MAX_RESULTS = 25;

  function words(q) {
    return q.toLowerCase().split(/[^\p{L}\p{N}_.()\\]+/u).filter(function (w) {
      return w.length > 0;
    });
  }

  function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  function score(entry, terms) {
    var text = entry.lx || (entry.lx = entry.x.toLowerCase());
    var head = entry.ls || (entry.ls = (entry.s + " " + entry.t).toLowerCase());
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var inHead = head.indexOf(terms[i]) >= 0;
      var n = 0, at = text.indexOf(terms[i]);
      while (at >= 0 && n < 50) { n++; at = text.indexOf(terms[i], at + terms[i].length); }
      if (!inHead && n === 0) return 0;
      total += n + (inHead ? 20 : 0);
    }
    return total;
  }

  /* The passage around the whole query if the text has it, else around
   * the first word found. */
  function snippet(entry, terms) {
    var text = entry.x, lower = entry.lx, at = lower.indexOf(terms.join(" "));
    for (var i = 0; i < terms.length && at < 0; i++) at = lower.indexOf(terms[i]);
    if (at < 0) at = 0;
    var from = Math.max(0, at - 80), to = Math.min(text.length, at + 160);
    var s = (from > 0 ? "… " : "") + text.slice(from, to) + (to < text.length ? " …" : "");
    return s;
  }

  function highlight(parent, text, terms) {
    var re = new RegExp("(" + terms.map(escapeRe).join("|") + ")", "gi");
    var last = 0, m;
    while ((m = re.exec(text)) !== null) {
      if (m[0].length === 0) { re.lastIndex++; continue; }
      parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      var mark = document.createElement("mark");
      mark.textContent = m[0];
      parent.appendChild(mark);
      last = m.index + m[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function run(box, results) {
    var index = window.SEARCH_INDEX || [];
    var terms = words(box.value);
    results.textContent = "";
    if (terms.length === 0) return;
    var hits = [];
    for (var i = 0; i < index.length; i++) {
      var s = score(index[i], terms);
      if (s > 0) hits.push([s, i]);
    }
    hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    var summary = document.createElement("p");
    summary.className = "search-count";
    summary.textContent = hits.length === 0 ? "No section holds all of these words." :
      hits.length + (hits.length === 1 ? " section" : " sections") +
      (hits.length > MAX_RESULTS ? ", the best " + MAX_RESULTS + " shown:" : ":");
    results.appendChild(summary);
    var list = document.createElement("ol");
    list.className = "search-hits";
    hits.slice(0, MAX_RESULTS).forEach(function (h) {
      var e = index[h[1]];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = e.p + (e.a ? "#" + e.a : "");
      a.textContent = e.s;
      li.appendChild(a);
      if (e.s !== e.t) {
        var where = document.createElement("span");
        where.className = "search-page";
        where.textContent = " · " + e.t;
        li.appendChild(where);
      }
      var p = document.createElement("p");
      highlight(p, snippet(e, terms), terms);
      li.appendChild(p);
      list.appendChild(li);
    });
    results.appendChild(list);
  }

  function start() {
    var box = document.getElementById("search-box");
    var results = document.getElementById("search-results");
    if (!box || !results) return;
    var timer = null;
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { run(box, results); }, 80);
    });
    var q = /[?&]q=([^&]*)/.exec(location.search);
    if (q) { box.value = decodeURIComponent(q[1].replace(/\+/g, " ")); run(box, results); }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
