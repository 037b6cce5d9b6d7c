"use strict";
// How numbers read on the page: the mirror of src/render/format.rs, so a
// call's duration reads the same in index.html as in report.md.
(function (TR) {
  // A duration given in ns in the unit a person reads it in (`7.521 µs`,
  // `12.400 ms`, `3.590 s`); "" when not printed (negative).
  function duration(ns) {
    if (ns < 0) { return ""; }
    var us = ns / 1000;
    if (us < 1000) { return us.toFixed(3) + " µs"; }
    if (us < 1000000) { return (us / 1000).toFixed(3) + " ms"; }
    return (us / 1000000).toFixed(3) + " s";
  }

  TR.format = { duration: duration };
})(window.tracereport = window.tracereport || {});
