// The operator console's charts (progressive enhancement; CSP: no inline script). Each [data-op-chart]
// element holds its ECharts option as JSON in data-option — not a script block, which htmx drops from
// swapped content (the dashboard's period swap, the pacing panel's polling). ECharts is loaded (same
// origin) when a page needs it: a boosted navigation keeps the old <head>.
(function () {
  "use strict";
  // htmx settles a swapped element's "style" attribute by default: an inline style the CSP (style-src
  // 'self') refuses, e.g. the size ECharts gave a chart's box. Settle only these.
  if (window.htmx) window.htmx.config.attributesToSettle = ["class", "width", "height"];
  var loading = null;
  function withEcharts(then) {
    if (typeof echarts !== "undefined") return then();
    if (!loading) {
      loading = document.createElement("script");
      loading.src = "/static/echarts/echarts.common.min.js";
      document.head.appendChild(loading);
    }
    loading.addEventListener("load", then);
  }
  function yuanAxis(option) {
    (option.yAxis ? [].concat(option.yAxis) : []).forEach(function (ax) {
      if (ax && ax.fen) {
        ax.axisLabel = ax.axisLabel || {};
        ax.axisLabel.formatter = function (v) { return (v / 100).toLocaleString(); };
        delete ax.fen;
      }
    });
    return option;
  }
  function found(root) {
    if (!root || !root.querySelectorAll) return [];
    var els = Array.prototype.slice.call(root.querySelectorAll("[data-op-chart]"));
    if (root.matches && root.matches("[data-op-chart]")) els.push(root);
    return els.filter(function (el) { return !el.getAttribute("data-drawn"); });
  }
  var drawn = [];
  function draw(root) {
    var els = found(root);
    if (!els.length) return;
    if (typeof echarts === "undefined") return withEcharts(function () { draw(root); });
    // charts swapped out (the pacing panel every 10 s) are disposed, not kept
    drawn = drawn.filter(function (c) {
      if (document.body.contains(c.getDom())) return true;
      c.dispose();
      return false;
    });
    els.forEach(function (el) {
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(yuanAxis(JSON.parse(el.getAttribute("data-option"))));
      el.setAttribute("data-drawn", "1");
      drawn.push(chart);
    });
  }
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:load", function (e) { draw(e.target); });
})();
