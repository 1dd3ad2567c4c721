// The connection health page's charts (uPlot), drawn from the page's JSON script tag.
// Each series differs in dash pattern and point shape as well as colour, and every
// chart has a numbers table beside it, so none is read by colour alone.
(function () {
  "use strict";
  const source = document.getElementById("health-chart-data");
  if (!source || typeof uPlot === "undefined") return;
  const data = JSON.parse(source.textContent);
  if (!data.x.length) return;

  const styles = [
    { stroke: "#0d6efd", dash: [] },
    { stroke: "#dc3545", dash: [8, 4] },
    { stroke: "#6f42c1", dash: [2, 3] },
    { stroke: "#fd7e14", dash: [12, 4, 2, 4] },
    { stroke: "#198754", dash: [4, 4] },
  ];
  function series(labels) {
    return [{}].concat(
      labels.map(function (label, n) {
        const style = styles[n % styles.length];
        return {
          label: label,
          stroke: style.stroke,
          dash: style.dash,
          width: 2,
          points: { show: true, size: 5 + (n % 3) * 2 },
          spanGaps: false,
        };
      })
    );
  }
  const charts = {
    calls: { labels: ["calls/min"], values: [data.calls] },
    errors: {
      labels: data.errors.map(function (e) { return e.label + " %"; }),
      values: data.errors.map(function (e) { return e.values; }),
    },
    latency: { labels: ["p50 ms", "p95 ms", "p99 ms"], values: [data.p50, data.p95, data.p99] },
  };

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    const chart = charts[element.dataset.chart];
    if (!chart) return;
    const options = {
      width: Math.max(element.clientWidth, 300),
      height: 240,
      series: series(chart.labels),
      scales: { x: { time: true, range: [data.from, data.to] } },
      // UTC, like the tables beside the charts.
      tzDate: function (seconds) { return uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"); },
      axes: [{}, { size: 60 }],
    };
    new uPlot(options, [data.x].concat(chart.values), element);
    element.dataset.rendered = "true";
  });
})();
