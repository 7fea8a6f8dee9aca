// Progressive enhancement only: every page works without it. CSP allows no inline script, so this file:
// - sends the session's CSRF token (meta csrf-token) with every htmx request;
// - draws the charts: each [data-chart] element holds its ECharts option as JSON in data-option
//   (not a script block: htmx drops script elements from swapped content).
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
  var loading = null;
  function withEcharts(then) {
    // a boosted (htmx) navigation keeps the old <head>: load ECharts (same origin) when a page needs it
    if (typeof echarts !== "undefined") return then();
    if (!loading) {
      loading = document.createElement("script");
      loading.src = "/static/echarts/echarts.common.min.js";
      document.head.appendChild(loading);
    }
    loading.addEventListener("load", then);
  }
  function charts(root) {
    // the [data-chart] elements at or under root (htmx:load's target may be the chart itself)
    if (!root || !root.querySelectorAll) return [];
    var found = Array.prototype.slice.call(root.querySelectorAll("[data-chart]"));
    if (root.matches && root.matches("[data-chart]")) found.push(root);
    return found;
  }
  function draw(root) {
    var els = charts(root);
    if (!els.length) return;
    if (typeof echarts === "undefined") return withEcharts(function () { draw(root); });
    els.forEach(function (el) {
      if (el.getAttribute("data-drawn")) return;
      var option = yuanAxis(JSON.parse(el.getAttribute("data-option")));
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
