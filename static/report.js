"use strict";
// Report behaviour. Data: the JSON in <script id="report-data">.
(function () {
  var el = document.getElementById("report-data");
  if (!el) { return; }
  var report = JSON.parse(el.textContent);
  window.tracereport = report;
})();
