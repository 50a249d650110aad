/* ULT reports: the period picker follows its choice, the charts (Chart.js, served by the
   appliance), the report book's print button. The page works without it: every number is
   in the tables. */
(function () {
  "use strict";

  var picker = document.querySelector(".picker");
  var kind = document.getElementById("period-kind");
  if (picker && kind) {
    kind.addEventListener("change", function () { picker.dataset.kind = kind.value; });
  }

  var printButton = document.getElementById("print-book");
  if (printButton) {
    printButton.addEventListener("click", function () { window.print(); });
  }

  if (typeof Chart === "undefined") { return; }

  // The IKM view: each element's converted value (25-100), the weakest in red.
  var ikmSource = document.getElementById("ikm-chart-data");
  var ikmCanvas = document.getElementById("chart-ikm");
  if (ikmSource && ikmCanvas) {
    var ikm = JSON.parse(ikmSource.textContent);
    var ikmColours = ikm.weakest.map(function (weak) { return weak ? "#b00020" : "#0b57d0"; });
    new Chart(ikmCanvas, {
      type: "bar",
      data: {
        labels: ikm.labels,
        datasets: [{ label: ikm.title, data: ikm.data, backgroundColor: ikmColours, borderColor: ikmColours }]
      },
      options: {
        indexAxis: "y",
        animation: false,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.raw === null ? "-" : item.raw.toLocaleString("id-ID", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
              }
            }
          }
        },
        scales: { x: { min: 25, max: 100 } }
      }
    });
  }

  var source = document.getElementById("chart-data");
  if (!source) { return; }
  var charts = JSON.parse(source.textContent);
  var colours = ["#0b57d0", "#b00020", "#146c2e", "#8a5300", "#6a1b9a", "#00796b"];
  var units = { count: "", minutes: " mnt", percent: "%" };

  function number(value, unit) {
    if (value === null || value === undefined) { return "-"; }
    var digits = unit === "count" ? 0 : 1;
    return value.toLocaleString("id-ID", { maximumFractionDigits: digits }) + units[unit];
  }

  charts.forEach(function (chart) {
    var canvas = document.getElementById("chart-" + chart.id);
    if (!canvas) { return; }
    var valueAxis = chart.horizontal ? "x" : "y";
    var labelAxis = chart.horizontal ? "y" : "x";
    var scales = {};
    scales[labelAxis] = { stacked: chart.stacked };
    scales[valueAxis] = {
      beginAtZero: true,
      stacked: chart.stacked,
      ticks: {
        precision: chart.unit === "count" ? 0 : undefined,
        callback: function (value) { return number(value, chart.unit); }
      }
    };
    if (chart.unit === "percent") { scales[valueAxis].max = 100; }
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: chart.series.map(function (series, index) {
          var colour = colours[index % colours.length];
          if (chart.unit === "percent") {
            // SOP warning: any step over its standard is a failure; only 100% is green.
            colour = series.data.map(function (v) { return v === 100 ? "#146c2e" : "#b00020"; });
          }
          return {
            label: series.label,
            data: series.data,
            backgroundColor: colour,
            borderColor: colour
          };
        })
      },
      options: {
        indexAxis: chart.horizontal ? "y" : "x",
        animation: false,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: chart.series.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + number(item.raw, chart.unit);
              }
            }
          }
        },
        scales: scales
      }
    });
  });
})();
