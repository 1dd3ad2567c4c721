// The connection health page's charts (uPlot), drawn from the page's JSON script tag:
// {from, to, charts: {name: {x: [unix seconds], series: [{label, values}]}}}, one entry
// per element with data-chart="name". Each series differs in dash pattern and point
// size as well as colour, the legend names it, and every chart has a numbers table
// beside it, so none is read by colour alone.
(function () {
  "use strict";
  const source = document.getElementById("health-chart-data");
  if (!source || typeof uPlot === "undefined") return;
  const data = JSON.parse(source.textContent);

  const styles = [
    { stroke: "#0d6efd", dash: [] },
    { stroke: "#dc3545", dash: [8, 4] },
    { stroke: "#6f42c1", dash: [2, 3] },
    { stroke: "#fd7e14", dash: [12, 4, 2, 4] },
    { stroke: "#198754", dash: [4, 4] },
  ];
  function series(list) {
    return [{}].concat(
      list.map(function (one, n) {
        const style = styles[n % styles.length];
        return {
          label: one.label,
          stroke: style.stroke,
          dash: style.dash,
          width: 2,
          points: { show: true, size: 5 + (n % 3) * 2 },
          spanGaps: false,
        };
      })
    );
  }

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    const chart = data.charts[element.dataset.chart];
    if (!chart || !chart.x.length) return;
    const options = {
      width: Math.max(element.clientWidth, 300),
      height: 240,
      series: series(chart.series),
      scales: { x: { time: true, range: [data.from, data.to] } },
      // UTC, like the tables beside the charts.
      tzDate: function (seconds) { return uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"); },
      axes: [{}, { size: 60 }],
    };
    const values = chart.series.map(function (one) { return one.values; });
    new uPlot(options, [chart.x].concat(values), element);
    element.dataset.rendered = "true";
  });
})();
