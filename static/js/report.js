"use strict";
// index.html's behaviour: call trees and aligned views drawn from the data
// in the report-data element (layout documented in src/render/page.rs),
// function search and filter, keyboard navigation, deep links (#n…, #a…).
//
// Big trees stay fast: a tree is decoded only when first shown, and an
// outline puts only the rows on screen into the DOM (virtual scrolling
// over the list of visible rows). Trace text is only ever set with
// textContent, never parsed as HTML.
(function (TR) {
  if (window.performance && performance.mark) { performance.mark("tracereport-start"); }
  var dataEl = document.getElementById("report-data");
  if (!dataEl) { return; }
  var span = TR.span;
  var D = null, S = [];   // the data and its string table, once read (start())
  var data = null;        // TR.data(D): its decoded trees and rows
  var us = TR.format.duration;

  function ident(name) {
    var m = /^([A-Za-z_][A-Za-z0-9_]*)(\.[A-Za-z0-9_.]+)?( \[[^\]]*\])?$/.exec(name);
    return m ? m[1] : null;
  }

  function srcLink(row, name) {
    if (!D.link_base) { return; }
    var id = ident(name);
    if (!id) { return; }
    var a = document.createElement("a");
    a.className = "src";
    a.href = D.link_base + id;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.tabIndex = -1;             // the tree is one Tab stop; its keys move inside
    a.textContent = "src";
    a.title = "source of " + id;
    row.appendChild(a);
  }

  // Heat: pale yellow (no self time) to red (the tree's largest self time).
  function heat(frac) {
    var h = Math.sqrt(Math.max(0, Math.min(1, frac)));
    return "hsl(" + Math.round(50 - 50 * h) + ", 90%, " + Math.round(88 - 38 * h) + "%)";
  }

  function flagText(t, i) {
    var out = [], bits = t.x[i];
    for (var k = 1; k < D.flags.length; k++) {       // bit 0 (leaf) says nothing new
      if ((bits >> k) & 1) { out.push(D.flags[k]); }
    }
    return out.join(" ");
  }

  // ---- models: what an outline shows --------------------------------------

  function treeModel(ti) {
    var t = data.tree(ti);
    return {
      n: t.n, end: t.end, parent: t.parent,
      id: function (i) { return "n" + t.cap + "-" + t.sys + "-" + i; },
      hit: function (i, hits) { return hits[t.f[i]] === 1; },
      // ftrace's own order: times first, then the indented call.
      render: function (i, row, tog) {
        var name = S[t.f[i]];
        row.appendChild(span("dur", us(t.dur[i])));
        row.appendChild(span("self", t.end[i] > i + 1 && t.self[i] >= 0 ? "self " + us(t.self[i]) : ""));
        var bar = span("heat", "");
        var fill = span("fill", "");
        if (t.dur[i] >= 0 && t.total > 0) {
          fill.style.width = Math.max(1, Math.round(100 * Math.min(1, t.dur[i] / t.total))) + "%";
          fill.style.background = heat(t.maxSelf > 0 ? t.self[i] / t.maxSelf : 0);
          bar.title = (100 * t.dur[i] / t.total).toFixed(1) + "% of the syscall's time; self " + us(t.self[i]);
        }
        bar.appendChild(fill);
        row.appendChild(bar);
        var ind = span("ind", "");
        ind.style.width = (t.depth[i] * 14) + "px";
        row.appendChild(ind);
        row.appendChild(tog);
        row.appendChild(span("fn", name));
        if (t.r && t.r[i] > 0) { row.appendChild(span("ret", "= " + S[t.r[i] - 1])); }
        var fl = flagText(t, i);
        if (fl) { row.appendChild(span("flags", fl)); }
        row.appendChild(span("line", "L" + t.line[i]));
        srcLink(row, name);
      }
    };
  }

  function alignModel(ci) {
    var a = data.rows(ci);
    var cell = function (row, t, id, depth, cls, cap, sys) {
      var c = span("cell " + cls, "");
      if (id < 0) { row.appendChild(c); return; }
      var ind = span("ind", "");
      ind.style.width = (depth * 14) + "px";
      c.appendChild(ind);
      var name = t ? S[t.f[id]] : "#" + id;
      c.appendChild(span("fn", name));
      if (t) {
        c.appendChild(span("dur", us(t.dur[id])));
        if (t.r && t.r[id] > 0) { c.appendChild(span("ret", "= " + S[t.r[id] - 1])); }
        var go = document.createElement("a");
        go.className = "go";
        go.href = "#n" + cap + "-" + sys + "-" + id;
        go.textContent = "tree";
        go.title = "show this call in its capture's tree";
        go.tabIndex = -1;
        c.appendChild(go);
      }
      row.appendChild(c);
    };
    var gsys = a.gt ? a.gt.sys : 0, bsys = a.bt ? a.bt.sys : 0;
    // Δ = bad − good, for a call both runs make with a duration; marked
    // when the bad run's is over twice the good one's (or under half) and
    // differs by a µs or more.
    var delta = function (a, k) {
      var d = span("delta", "");
      if (a.g[k] < 0 || a.b[k] < 0 || !a.gt || !a.bt) { return d; }
      var g = a.gt.dur[a.g[k]], b = a.bt.dur[a.b[k]];
      if (g < 0 || b < 0) { return d; }
      var diff = b - g;
      d.textContent = "Δ " + (diff < 0 ? "−" : "+") + us(Math.abs(diff));
      d.title = "bad − good: " + us(b) + " − " + us(g);
      if (Math.abs(diff) >= 1000 && (b > 2 * g || 2 * b < g)) { d.classList.add(diff > 0 ? "slower" : "faster"); }
      return d;
    };
    return {
      n: a.n, end: a.end, parent: a.parent, div: a.div,
      id: function (k) { return "a" + ci + "-" + k; },
      hit: function (k, hits) {
        return (a.g[k] >= 0 && a.gt && hits[a.gt.f[a.g[k]]] === 1) ||
          (a.b[k] >= 0 && a.bt && hits[a.bt.f[a.b[k]]] === 1);
      },
      render: function (k, row, tog) {
        var kind = a.kind.charAt(k), bits = a.x[k];
        row.appendChild(tog);
        row.classList.add(kind === "s" ? "k-same" : kind === "g" ? "k-good" : "k-bad");
        if (bits & 1) { row.classList.add("noise"); }
        if (bits & 2) { row.classList.add("wrapper"); }
        if (bits & 4) { row.classList.add("divergence"); }
        cell(row, a.gt, a.g[k], a.gd[k], "gside", a.c.good, gsys);
        row.appendChild(span("mark", kind === "s" ? "=" : kind === "g" ? "+" : "−"));
        cell(row, a.bt, a.b[k], a.bd[k], "bside", a.c.bad, bsys);
        var d = delta(a, k);
        var note = [];
        if (a.fold[k]) { note.push("×" + a.fold[k][0] + " good / ×" + a.fold[k][1] + " bad"); }
        if (bits & 2) { note.push("level inlined in the other run"); }
        if (bits & 4) { note.push("◀ the runs part here"); }
        if (!note.length) { row.appendChild(d); return; }
        // The note is laid over the row's right end, where the Δ column is:
        // the Δ goes first in the note, an empty Δ keeps the columns.
        var n = span("note", note.join(" · "));
        if (d.textContent) {
          n.insertBefore(document.createTextNode(" · "), n.firstChild);
          n.insertBefore(d, n.firstChild);
          d = span("delta", "");
        }
        row.appendChild(d);
        row.appendChild(n);
      }
    };
  }

  // ---- the page -----------------------------------------------------------

  var aligned = [];   // per comparison
  var panels = [];    // per capture: {sys, outline}
  var hits = null;
  var q = document.getElementById("q");
  var onlyBox = document.getElementById("filter");

  // The node each side of a comparison's divergence row stands on.
  function divNode(a, side) {
    if (a.div === null) { return -1; }
    var ids = side === "g" ? a.g : a.b;
    for (var k = a.div; k >= 0; k--) { if (ids[k] >= 0) { return ids[k]; } }
    return -1;
  }

  function focusNode(ti) {
    for (var ci = 0; ci < D.comparisons.length; ci++) {
      var c = D.comparisons[ci];
      if (c.div === null) { continue; }
      var side = c.bad_tree === ti ? "b" : c.good_tree === ti ? "g" : null;
      if (side) { return divNode(data.rows(ci), side); }
    }
    return -1;
  }

  // Without a divergence to show: the hot path, from the root down the
  // callee with the most time, a few levels deep.
  function hotPath(t) {
    var i = 0;
    for (var depth = 0; depth < 8 && t.end[i] > i + 1; depth++) {
      var best = -1;
      for (var c = i + 1; c < t.end[i]; c = t.end[c]) {
        if (best < 0 || t.dur[c] > t.dur[best]) { best = c; }
      }
      i = best;
    }
    return t.n ? i : -1;
  }

  function showTree(cap, sys) {
    var box = document.getElementById("tree-" + cap);
    if (!box) { return null; }
    var p = panels[cap];
    if (p && p.sys === sys) { return p.outline; }
    var sc = null;
    D.captures[cap].syscalls.forEach(function (s) { if (s.index === sys) { sc = s; } });
    if (!sc || sc.tree === null) { return null; }
    var o = new TR.Outline(box, treeModel(sc.tree));
    o.open[0] = 1;
    var head = document.getElementById("treehead-" + cap);
    head.textContent = "";
    head.appendChild(span("", "Call tree of #" + sys + " " + sc.title + " — click a call to open it; the bar is its share of the syscall's time, coloured by self time (yellow: little, red: the most in this tree)."));
    panels[cap] = { sys: sys, outline: o };
    var f = focusNode(sc.tree);
    if (f < 0) { f = hotPath(data.tree(sc.tree)); }
    if (f >= 0) { o.reveal(f); o.sel = f; }
    o.layout();
    if (hits) { o.search(hits, onlyBox.checked); }
    if (f >= 0) { o.center(f); }
    return o;
  }

  function initialTree(cap) {
    var pick = null;
    D.comparisons.forEach(function (c) {
      if (pick === null && c.bad === cap && c.bad_tree !== null) { pick = D.trees[c.bad_tree].sys; }
    });
    D.comparisons.forEach(function (c) {
      if (pick === null && c.good === cap && c.good_tree !== null) { pick = D.trees[c.good_tree].sys; }
    });
    D.captures[cap].syscalls.forEach(function (s) { if (pick === null && s.tree !== null) { pick = s.index; } });
    if (pick !== null) { showTree(cap, pick); }
  }

  function initAligned(ci) {
    var box = document.getElementById("aligned-" + ci);
    if (!box || !D.comparisons[ci].n) { return; }
    var m = alignModel(ci);
    var o = new TR.Outline(box, m);
    o.open[0] = 1;
    if (m.div !== null) { o.reveal(m.div); o.sel = m.div; }
    o.layout();
    if (m.div !== null) { o.center(m.div); }
    aligned[ci] = o;
  }

  function outlines() {
    var all = aligned.filter(Boolean);
    panels.forEach(function (p) { if (p) { all.push(p.outline); } });
    return all;
  }

  function flames() { return Array.prototype.slice.call(document.querySelectorAll("iframe.flame")); }

  function applySearch() {
    if (!D) { return; }
    var t = q.value.trim().toLowerCase(), total = 0;
    hits = null;
    if (t) {
      hits = new Uint8Array(S.length);
      for (var k = 0; k < S.length; k++) { if (S[k].toLowerCase().indexOf(t) >= 0) { hits[k] = 1; } }
    }
    outlines().forEach(function (o) { total += o.search(hits, onlyBox.checked); });
    document.getElementById("qcount").textContent = t ? total + " matching call(s) in the views shown; Enter or n: next" : "";
    flames().forEach(function (f) { if (f.contentWindow) { f.contentWindow.postMessage(q.value.trim(), "*"); } });
  }

  function route(hash) {
    var m = /^#n(\d+)-(\d+)-(\d+)$/.exec(hash), o = null, i = -1;
    if (m) { o = showTree(+m[1], +m[2]); i = +m[3]; }
    m = /^#a(\d+)-(\d+)$/.exec(hash);
    if (m) { o = aligned[+m[1]] || null; i = +m[2]; }
    if (!o || i < 0 || i >= o.m.n) { return; }
    o.reveal(i);
    o.select(i, false);
    o.center(i);
    o.box.scrollIntoView({ block: "center" });
    o.box.focus({ preventScroll: true });
  }

  function start(json) {
    D = json;
    S = D.strings;
    data = TR.data(D);
    for (var ci = 0; ci < D.comparisons.length; ci++) { initAligned(ci); }
    for (var cap = 0; cap < D.captures.length; cap++) { initialTree(cap); }
    if (location.hash) { route(location.hash); }
    if (q.value.trim()) { applySearch(); }
    document.documentElement.setAttribute("data-ready", "1");
    if (window.performance && performance.mark) { performance.mark("tracereport-ready"); }
  }

  var timer = 0;
  q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(applySearch, 150); });
  onlyBox.addEventListener("change", applySearch);
  q.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      e.preventDefault();
      clearTimeout(timer);
      applySearch();
      var os = outlines();
      for (var k = 0; k < os.length; k++) {
        if (os[k].nextMatch(1)) { os[k].box.scrollIntoView({ block: "center" }); os[k].box.focus({ preventScroll: true }); break; }
      }
    } else if (e.key === "Escape") {
      q.value = "";
      applySearch();
    }
  });
  var help = document.getElementById("help");
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || document.activeElement === q) { return; }
    if (e.key === "/") { e.preventDefault(); q.focus(); }
    else if (e.key === "?" && help) { e.preventDefault(); help.hidden = !help.hidden; }
    else if (e.key === "Escape") {
      if (help && !help.hidden) { help.hidden = true; }
      else if (q.value) { q.value = ""; applySearch(); }
    }
  });
  flames().forEach(function (f) {
    // The SVG scales with its frame's width; keep the frame's height in step.
    var w = +f.getAttribute("width"), h = +f.getAttribute("height");
    if (w > 0 && h > 0) {
      f.style.width = "100%";
      f.style.height = "auto";
      f.style.aspectRatio = w + " / " + h;
    }
    f.addEventListener("load", function () {
      if (q.value.trim() && f.contentWindow) { f.contentWindow.postMessage(q.value.trim(), "*"); }
    });
  });
  window.addEventListener("hashchange", function () { if (D) { route(location.hash); } });
  // Paper gets the plain-text diffs too (a closed <details> prints nothing).
  var printOpened = [];
  window.addEventListener("beforeprint", function () {
    printOpened = Array.prototype.filter.call(document.querySelectorAll("details.plain"), function (d) { return !d.open; });
    printOpened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () { printOpened.forEach(function (d) { d.open = false; }); });

  // The data: JSON, or for a big report gzip in base64 (src/render/html.rs),
  // inflated by the browser's own DecompressionStream.
  if (dataEl.getAttribute("data-encoding") === "gzip") {
    if (!window.DecompressionStream) {
      document.getElementById("verdict").appendChild(span("warn",
        "This browser cannot inflate the report's data (no DecompressionStream), so the call trees and the aligned view are missing; open the page in a browser from 2023 or later."));
      return;
    }
    var bin = atob(dataEl.textContent), buf = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { buf[i] = bin.charCodeAt(i); }
    new Response(new Blob([buf]).stream().pipeThrough(new DecompressionStream("gzip")))
      .text()
      .then(function (text) { start(JSON.parse(text)); });
  } else {
    start(JSON.parse(dataEl.textContent));
  }
})(window.tracereport = window.tracereport || {});
