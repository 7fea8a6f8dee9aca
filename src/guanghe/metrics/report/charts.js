/* Guanghe report: draw each <figure class="chart"> from its JSON spec with Apache ECharts (SVG renderer).
   Every label is formatted by the report (Python); this only looks them up. When all charts have rendered,
   <body data-charts="ready">. Apache-2.0, part of guanghe. */
(function () {
  "use strict";
  var figures = document.querySelectorAll("figure.chart");
  var left = figures.length;
  var charts = [];

  function ready() {
    left -= 1;
    if (left <= 0) document.body.setAttribute("data-charts", "ready");
  }

  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  function tickLabels(a) {
    return function (v) {
      var i = Math.round((v - a.low) / a.step);
      return i >= 0 && i < a.labels.length ? a.labels[i] : "";
    };
  }

  function dataLabel(p) {
    return p.data && p.data.label !== undefined ? p.data.label : "";
  }

  function tooltip(params) {
    var ps = Array.isArray(params) ? params : [params];
    var lines = ps.length ? [esc(ps[0].axisValueLabel !== undefined ? ps[0].axisValueLabel : ps[0].name)] : [];
    ps.forEach(function (p) {
      lines.push(p.marker + esc(p.seriesName) + ": " + esc(dataLabel(p)));
    });
    return lines.join("<br>");
  }

  if (!left) document.body.setAttribute("data-charts", "ready");
  document.documentElement.className += " js";
  Array.prototype.forEach.call(figures, function (fig) {
    var spec = JSON.parse(fig.querySelector("script.spec").textContent);
    var opt = spec.option;
    spec.axes.forEach(function (a) {
      opt[a.axis].axisLabel.formatter = tickLabels(a);
    });
    opt.series.forEach(function (s) {
      if (s.label && s.label.show) s.label.formatter = dataLabel;
    });
    ["xAxis", "yAxis"].forEach(function (k) {
      var ax = opt[k];
      if (ax.type === "category" && ax.every > 1) {
        var n = ax.data.length, every = ax.every;
        var show = function (i) {
          return (n - 1 - i) % every === 0;
        };
        ax.axisLabel.interval = show;
        ax.axisTick.interval = show;
      }
      delete ax.every;
    });
    opt.tooltip.formatter = tooltip;
    var chart = echarts.init(fig.querySelector(".plot"), null, { renderer: "svg" });
    var done = false;
    chart.on("finished", function () {
      if (!done) {
        done = true;
        ready();
      }
    });
    chart.setOption(opt);
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (c) {
      c.resize();
    });
  });
})();
