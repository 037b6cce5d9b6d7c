"use strict";
// Runs inside each sandboxed flame-graph frame of index.html, after
// inferno's own script (see src/render/embed.rs): starts it (the SVG's
// onload handler was removed: the page's CSP allows no inline handlers),
// keeps it from rewriting the frame's URL (an about:srcdoc document may
// not), and takes search terms the page posts so the page's function
// filter also highlights frames.
history.replaceState = function () {};
init(null);
window.addEventListener("message", function (e) {
  if (typeof e.data !== "string") { return; }
  if (searching) { search_prompt(); }
  if (e.data) { search(e.data.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")); }
});
