"use strict";
// The outline widget behind every call tree and aligned view of index.html:
// a pre-order list of rows with subtrees (`m.end`, `m.parent`), drawn by
// virtual scrolling (only the rows on screen exist in the DOM), opened and
// closed by click and keyboard, searched and filtered. What a row shows is
// the model's `render`.
(function (TR) {
  var ROW = 20;        // px per row; .outline .row in report.css
  var MAXH = 560;      // px, tallest outline box
  var OVERSCAN = 15;   // rows drawn above and below the screen

  function span(cls, text) {
    var s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    return s;
  }

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

  // 1 for a top row, as aria-level counts.
  Outline.prototype.level = function (i) {
    var lv = 1;
    for (var p = this.m.parent[i]; p >= 0; p = this.m.parent[p]) { lv++; }
    return lv;
  };

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
      row.setAttribute("aria-level", String(this.level(i)));
      row.setAttribute("aria-selected", i === this.sel ? "true" : "false");
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

  TR.Outline = Outline;
  TR.span = span;
})(window.tracereport = window.tracereport || {});
