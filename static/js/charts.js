// Draw every <canvas data-chart="ID"> from the JSON in <script type="application/json" id="ID">.
// The data and the chart kind come from the server; each chart has a table or text beside it.
(function () {
  "use strict";
  var palette = ["#3559e0", "#2e9f6b", "#d9822b", "#8a2bb3", "#c23030", "#1a8fa3", "#7a7f2a", "#a35a1a", "#9aa3b5"];

  function draw(canvas) {
    if (canvas.dataset.drawn || typeof Chart === "undefined") return;
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    spec.datasets.forEach(function (set, n) {
      var colour = set.color || palette[n % palette.length];
      if (set.type === "line") {
        set.borderColor = colour; set.backgroundColor = colour; set.pointRadius = 0; set.borderDash = [6, 4];
      } else if (!set.backgroundColor) {
        set.backgroundColor = spec.kind === "doughnut" ? set.data.map(function (_, i) { return palette[i % palette.length]; }) : colour;
      }
    });
    var options = { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: "bottom" } } };
    if (spec.stacked) options.scales = { x: { stacked: true }, y: { stacked: true, beginAtZero: true } };
    new Chart(canvas, { type: spec.kind, data: { labels: spec.labels, datasets: spec.datasets }, options: options });
    canvas.dataset.drawn = "yes";
  }

  function drawAll() { document.querySelectorAll("canvas[data-chart]").forEach(draw); }
  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
})();
