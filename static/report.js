"use strict";
// index.html's behaviour: call trees and aligned views drawn from the data
// in the report-data element (layout documented in src/render/page.rs),
// function search and filter, keyboard navigation, deep links (#n…, #a…).
//
// Big trees stay fast: a tree is decoded only when first shown, and an
// outline puts only the rows on screen into the DOM (virtual scrolling
// over the list of visible rows). Trace text is only ever set with
// textContent, never parsed as HTML.
(function () {
  if (window.performance && performance.mark) { performance.mark("tracereport-start"); }
  var dataEl = document.getElementById("report-data");
  if (!dataEl) { return; }
  var D = null, S = [];   // the data and its string table, once read (start())
  var ROW = 20;        // px per row; .outline .row in report.css
  var MAXH = 560;      // px, tallest outline box
  var OVERSCAN = 15;   // rows drawn above and below the screen

  // ---- decoding -----------------------------------------------------------

  // LEB128 varints (zigzag when signed), read straight from the base64
  // text. Durations exceed 2^31, so the arithmetic avoids 32-bit bit
  // operators; `Arr` is the typed array to fill (Int32Array by default).
  function varints(b64, n, signed, Arr) {
    var bin = atob(b64), out = new (Arr || Int32Array)(n), k = 0, v = 0, mul = 1;
    for (var i = 0, m = bin.length; i < m && k < n; i++) {
      var c = bin.charCodeAt(i);
      v += (c & 0x7f) * mul;
      if (c & 0x80) { mul *= 128; continue; }
      if (signed) { v = (v % 2 === 1) ? -(v + 1) / 2 : v / 2; }
      out[k++] = v;
      v = 0;
      mul = 1;
    }
    return out;
  }

  // end[i] (one past the subtree) and parent[i] from a pre-order list whose
  // nesting is given by `inside(top, i)`.
  function structure(n, inside) {
    var end = new Int32Array(n), parent = new Int32Array(n), stack = [];
    for (var i = 0; i < n; i++) {
      while (stack.length && !inside(stack[stack.length - 1], i)) { end[stack.pop()] = i; }
      parent[i] = stack.length ? stack[stack.length - 1] : -1;
      stack.push(i);
    }
    while (stack.length) { end[stack.pop()] = n; }
    return { end: end, parent: parent };
  }

  // structure() for a call tree, where nesting is depth: the same, without
  // a call per node (a million-call tree is decoded at once).
  function nesting(depth) {
    var n = depth.length, end = new Int32Array(n), parent = new Int32Array(n);
    var stack = new Int32Array(n + 1), top = -1;
    for (var i = 0; i < n; i++) {
      var d = depth[i];
      while (top >= 0 && depth[stack[top]] >= d) { end[stack[top--]] = i; }
      parent[i] = top >= 0 ? stack[top] : -1;
      stack[++top] = i;
    }
    while (top >= 0) { end[stack[top--]] = n; }
    return { end: end, parent: parent };
  }

  // What the aligned view needs of a tree: names, depths, durations,
  // return values. Decoded on first use.
  var basics = [];
  function basic(ti) {
    if (basics[ti]) { return basics[ti]; }
    var t = D.trees[ti], n = t.n;
    var depth = varints(t.d, n, true), dur = varints(t.t, n, false, Float64Array);
    for (var i = 0, d = 0; i < n; i++) {
      d += depth[i];
      depth[i] = d;
      dur[i] -= 1;            // -1: not printed
    }
    basics[ti] = {
      n: n, cap: t.cap, sys: t.sys, f: varints(t.f, n), depth: depth, dur: dur,
      r: t.r ? varints(t.r, n) : null
    };
    return basics[ti];
  }

  // The rest, when the tree itself is shown: lines, flags, structure, self
  // time and the heat scale.
  var trees = [];
  function tree(ti) {
    if (trees[ti]) { return trees[ti]; }
    var b = basic(ti), t = D.trees[ti], n = b.n, depth = b.depth, dur = b.dur, i;
    var line = varints(t.l, n, true, Float64Array), self = new Float64Array(n);
    for (i = 0; i < n; i++) {
      if (i > 0) { line[i] += line[i - 1]; }
      self[i] = dur[i];
    }
    var st = nesting(depth);
    // Self time = duration − traced callees' durations (as report.json).
    for (i = 0; i < n; i++) {
      var p = st.parent[i];
      if (p >= 0 && dur[p] >= 0 && dur[i] > 0) { self[p] -= dur[i]; }
    }
    // The bar's 100%: the root's duration, or its callees' when its exit
    // was not captured.
    var maxSelf = 0, total = n ? Math.max(dur[0], 0) : 0, below = 0;
    for (i = 0; i < n; i++) {
      if (self[i] < 0 && dur[i] >= 0) { self[i] = 0; }
      if (self[i] > maxSelf) { maxSelf = self[i]; }
      if (st.parent[i] === 0 && dur[i] > 0) { below += dur[i]; }
    }
    trees[ti] = {
      n: n, cap: b.cap, sys: b.sys, f: b.f, depth: depth, dur: dur, self: self,
      line: line, x: varints(t.x, n), r: b.r, end: st.end, parent: st.parent,
      maxSelf: maxSelf, total: Math.max(total, below)
    };
    return trees[ti];
  }

  var aligns = [];
  function rows(ci) {
    if (aligns[ci]) { return aligns[ci]; }
    var c = D.comparisons[ci], n = c.n;
    var gids = varints(c.g, n, true), bids = varints(c.b, n, true);
    var gdd = varints(c.gd, n, true), bdd = varints(c.bd, n, true), x = varints(c.x, n);
    var gt = c.good_tree === null ? null : basic(c.good_tree);
    var bt = c.bad_tree === null ? null : basic(c.bad_tree);
    var g = new Int32Array(n), b = new Int32Array(n), gd = new Int32Array(n), bd = new Int32Array(n);
    var gi = -1, bi = -1, gk = 0, bk = 0, k;
    for (k = 0; k < n; k++) {
      var kind = c.k.charAt(k);
      g[k] = -1; b[k] = -1;
      if (kind !== "b") {
        gi += gids[gk]; g[k] = gi;
        gd[k] = (gt ? gt.depth[gi] : 0) + gdd[gk++];
      }
      if (kind !== "g") {
        bi += bids[bk]; b[k] = bi;
        bd[k] = (bt ? bt.depth[bi] : 0) + bdd[bk++];
      }
    }
    // A row's subtree ends at the first later row that is not deeper on a
    // side the row has.
    var st = structure(n, function (top, k) {
      if (g[top] >= 0 && g[k] >= 0 && gd[k] <= gd[top]) { return false; }
      if (b[top] >= 0 && b[k] >= 0 && bd[k] <= bd[top]) { return false; }
      return true;
    });
    var fold = {};
    for (k = 0; k + 2 < c.fold.length; k += 3) { fold[c.fold[k]] = [c.fold[k + 1], c.fold[k + 2]]; }
    aligns[ci] = {
      n: n, c: c, kind: c.k, g: g, b: b, gd: gd, bd: bd, x: x, gt: gt, bt: bt,
      end: st.end, parent: st.parent, fold: fold, div: c.div
    };
    return aligns[ci];
  }

  // ---- formatting ---------------------------------------------------------

  function us(ns) {
    if (ns < 0) { return ""; }
    var v = ns / 1000;
    return (v >= 1000 ? v.toFixed(1) : v.toFixed(3)) + " µs";
  }

  function span(cls, text) {
    var s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    return s;
  }

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
    var t = tree(ti);
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
    var a = rows(ci);
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
        c.appendChild(go);
      }
      row.appendChild(c);
    };
    var gsys = a.gt ? a.gt.sys : 0, bsys = a.bt ? a.bt.sys : 0;
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
        var note = [];
        if (a.fold[k]) { note.push("×" + a.fold[k][0] + " good / ×" + a.fold[k][1] + " bad"); }
        if (bits & 2) { note.push("level inlined in the other run"); }
        if (bits & 4) { note.push("◀ the runs part here"); }
        if (note.length) { row.appendChild(span("note", note.join(" · "))); }
      }
    };
  }

  // ---- the outline widget -------------------------------------------------

  function Outline(box, m) {
    this.box = box;
    this.m = m;
    this.open = new Uint8Array(m.n);
    this.sel = -1;
    this.matches = null;
    this.keep = null;
    this.only = false;
    this.visible = [];
    this.a = this.b = -1;
    box.textContent = "";
    this.spacer = document.createElement("div");
    this.spacer.className = "spacer";
    box.appendChild(this.spacer);
    var self = this;
    box.addEventListener("scroll", function () { self.paint(false); });
    box.addEventListener("click", function (e) {
      if (e.target.closest("a")) { return; }
      var row = e.target.closest(".row");
      if (!row) { return; }
      var i = +row.getAttribute("data-i");
      if (self.kids(i)) { self.setOpen(i, !self.isOpen(i)); }
      self.select(i, true);
    });
    box.addEventListener("keydown", function (e) { self.key(e); });
  }

  Outline.prototype.kids = function (i) { return this.m.end[i] > i + 1; };

  Outline.prototype.isOpen = function (i) {
    return this.open[i] === 1 || (this.only && this.keep !== null && this.keep[i] === 2);
  };

  Outline.prototype.layout = function () {
    var v = [], i = 0, n = this.m.n, end = this.m.end, keep = this.only ? this.keep : null;
    while (i < n) {
      if (keep && !keep[i]) { i = end[i]; continue; }
      v.push(i);
      i = this.isOpen(i) ? i + 1 : end[i];
    }
    this.visible = v;
    this.spacer.style.height = (v.length * ROW) + "px";
    this.box.style.height = Math.min(v.length * ROW + 4, MAXH) + "px";
    this.paint(true);
  };

  Outline.prototype.paint = function (force) {
    var top = this.box.scrollTop, h = this.box.clientHeight || MAXH;
    var a = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    var b = Math.min(this.visible.length, Math.ceil((top + h) / ROW) + OVERSCAN);
    if (!force && a === this.a && b === this.b) { return; }
    this.a = a;
    this.b = b;
    var frag = document.createDocumentFragment();
    for (var k = a; k < b; k++) {
      var i = this.visible[k], row = document.createElement("div");
      row.className = "row";
      row.style.top = (k * ROW) + "px";
      row.setAttribute("data-i", String(i));
      row.setAttribute("role", "treeitem");
      if (this.kids(i)) { row.setAttribute("aria-expanded", this.isOpen(i) ? "true" : "false"); }
      if (i === this.sel) { row.classList.add("sel"); }
      if (this.matches && this.matches[i]) { row.classList.add("match"); }
      this.m.render(i, row, span("tog", this.kids(i) ? (this.isOpen(i) ? "▾" : "▸") : ""));
      frag.appendChild(row);
    }
    this.spacer.textContent = "";
    this.spacer.appendChild(frag);
  };

  Outline.prototype.setOpen = function (i, on) {
    this.open[i] = on ? 1 : 0;
    this.layout();
  };

  // Open every ancestor of i.
  Outline.prototype.reveal = function (i) {
    for (var p = this.m.parent[i]; p >= 0; p = this.m.parent[p]) { this.open[p] = 1; }
    if (this.only && this.keep && !this.keep[i]) { this.only = false; }
    this.layout();
  };

  Outline.prototype.select = function (i, hash) {
    if (i < 0 || i >= this.m.n) { return; }
    this.sel = i;
    var k = this.visible.indexOf(i);
    if (k < 0) { this.reveal(i); k = this.visible.indexOf(i); }
    var top = k * ROW, box = this.box;
    if (top < box.scrollTop) { box.scrollTop = top; }
    else if (top + ROW > box.scrollTop + box.clientHeight) { box.scrollTop = top + ROW - box.clientHeight; }
    this.paint(true);
    if (hash) { history.replaceState(null, "", "#" + this.m.id(i)); }
  };

  Outline.prototype.center = function (i) {
    var k = this.visible.indexOf(i);
    if (k >= 0) { this.box.scrollTop = Math.max(0, k * ROW - this.box.clientHeight / 2); }
    this.paint(true);
  };

  Outline.prototype.step = function (k) {
    var v = this.visible;
    if (!v.length) { return; }
    this.select(v[Math.max(0, Math.min(v.length - 1, k))], true);
  };

  Outline.prototype.key = function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    var i = this.sel, k = this.visible.indexOf(i), page = Math.max(1, Math.floor(this.box.clientHeight / ROW) - 1);
    switch (e.key) {
      case "ArrowDown": case "j": this.step(k + 1); break;
      case "ArrowUp": case "k": this.step(k - 1); break;
      case "PageDown": this.step(k + page); break;
      case "PageUp": this.step(k - page); break;
      case "Home": this.step(0); break;
      case "End": this.step(this.visible.length - 1); break;
      case "ArrowRight": case "l":
        if (i < 0) { this.step(0); } else if (this.kids(i) && !this.isOpen(i)) { this.setOpen(i, true); } else { this.step(k + 1); }
        break;
      case "ArrowLeft": case "h":
        if (i < 0) { this.step(0); } else if (this.kids(i) && this.isOpen(i)) { this.setOpen(i, false); } else if (this.m.parent[i] >= 0) { this.select(this.m.parent[i], true); }
        break;
      case "Enter": case " ":
        if (i >= 0 && this.kids(i)) { this.setOpen(i, !this.isOpen(i)); }
        break;
      case "n": this.nextMatch(1); break;
      case "N": this.nextMatch(-1); break;
      default: return;
    }
    e.preventDefault();
  };

  // Mark calls whose name contains `term`; with `only`, show just them and
  // the calls leading to them. Returns the number of matches.
  Outline.prototype.search = function (hits, only) {
    if (!hits) {
      this.matches = this.keep = null;
      this.only = false;
      this.layout();
      return 0;
    }
    var n = this.m.n, matches = new Uint8Array(n), keep = new Uint8Array(n), count = 0;
    for (var i = n - 1; i >= 0; i--) {        // callees before callers
      if (this.m.hit(i, hits)) { matches[i] = 1; count++; if (!keep[i]) { keep[i] = 1; } }
      var p = this.m.parent[i];
      if (keep[i] && p >= 0) { keep[p] = 2; }
    }
    this.matches = matches;
    this.keep = keep;
    this.only = only;
    this.count = count;
    this.layout();
    return count;
  };

  Outline.prototype.nextMatch = function (dir) {
    if (!this.matches || !this.count) { return false; }
    var n = this.m.n, i = this.sel;
    for (var s = 0; s < n; s++) {
      i = (i + dir + n) % n;
      if (this.matches[i]) { this.select(i, true); return true; }
    }
    return false;
  };

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
      if (side) { return divNode(rows(ci), side); }
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
    var o = new Outline(box, treeModel(sc.tree));
    o.open[0] = 1;
    var head = document.getElementById("treehead-" + cap);
    head.textContent = "";
    head.appendChild(span("", "Call tree of #" + sys + " " + sc.title + " — click a call to open it; the bar is its share of the syscall's time, coloured by self time (yellow: little, red: the most in this tree)."));
    panels[cap] = { sys: sys, outline: o };
    var f = focusNode(sc.tree);
    if (f < 0) { f = hotPath(tree(sc.tree)); }
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
    var o = new Outline(box, m);
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

  function start(data) {
    D = data;
    S = D.strings;
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
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && document.activeElement !== q) { e.preventDefault(); q.focus(); }
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
})();
