// Progressive enhancement only: every page works without it. CSP allows no inline script, so this file:
// - sends the session's CSRF token (meta csrf-token) with every htmx request;
// - draws the charts: each [data-chart] element names a non-executed JSON block holding an ECharts option.
(function () {
  "use strict";
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  document.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRF-Token"] = csrf();
  });
  var drawn = [];
  function yuanAxis(option) {
    // value axes of money charts: yuan from fen, thousands separated
    (option.yAxis ? [].concat(option.yAxis) : []).forEach(function (ax) {
      if (ax && ax.fen) {
        ax.axisLabel = ax.axisLabel || {};
        ax.axisLabel.formatter = function (v) { return (v / 100).toLocaleString(); };
        delete ax.fen;
      }
    });
    return option;
  }
  function draw(root) {
    if (typeof echarts === "undefined") return;
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.getAttribute("data-drawn")) return;
      var block = document.getElementById(el.getAttribute("data-chart"));
      if (!block) return;
      var option = yuanAxis(JSON.parse(block.textContent));
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      el.setAttribute("data-drawn", "1");
      drawn.push(chart);
    });
  }
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:load", function (e) { draw(e.target); });
})();
