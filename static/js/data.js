"use strict";
// Decoding of index.html's embedded data (layout: src/render/page.rs):
// LEB128 columns into typed arrays, each tree's nesting, self time and heat
// scale, and each comparison's aligned rows. A tree is decoded on first
// use, and only as far as it is needed.
(function (TR) {
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

  // The decoded views of one page's data `D`, cached.
  TR.data = function (D) {
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
      // side the row has; a call one run only makes ends where the other
      // run's calls resume, unless its own run goes deeper there (a
      // bad-only call right after a good-only one is its sibling: 6.1
      // mkdir's dput() after d_alloc(), simple_lookup()). As row_end in
      // src/render/text.rs.
      var st = structure(n, function (top, k) {
        if (g[top] >= 0 && g[k] >= 0 && gd[k] <= gd[top]) { return false; }
        if (b[top] >= 0 && b[k] >= 0 && bd[k] <= bd[top]) { return false; }
        if (g[top] < 0 && g[k] >= 0 && (b[k] < 0 || bd[k] <= bd[top])) { return false; }
        if (b[top] < 0 && b[k] >= 0 && (g[k] < 0 || gd[k] <= gd[top])) { return false; }
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

    return { basic: basic, tree: tree, rows: rows };
  };
})(window.tracereport = window.tracereport || {});
