// The dashboard's enhancements: local times (UTC on hover), ECharts charts,
// auto-refresh. Every page works without this script.
"use strict";

(function () {
  document.documentElement.classList.add("js");
  const lang = document.documentElement.lang || "en";

  function localTimes() {
    const format = new Intl.DateTimeFormat(lang, {
      year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short",
    });
    for (const node of document.querySelectorAll("time[data-utc]")) {
      const utc = node.getAttribute("datetime");
      const when = new Date(utc);
      if (Number.isNaN(when.getTime())) continue;
      node.textContent = format.format(when);
      node.title = "UTC " + utc;
    }
  }

  function data(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // Axis names wrap onto lines of at most `width` characters (a CJK character
  // counts as two), so that the radar's labels fit at any width.
  function wrap(name, width) {
    const lines = [];
    let line = "";
    for (const word of name.split(/(\s+)/)) {
      const size = (s) => [...s].reduce((n, ch) => n + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0);
      if (size(line + word) > width && line.trim()) { lines.push(line.trim()); line = ""; }
      line += word;
    }
    if (line.trim()) lines.push(line.trim());
    return lines.join("\n");
  }

  const charts = [];

  function radar(node, d) {
    const narrow = node.clientWidth < 420;
    const chart = echarts.init(node, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item" },
      radar: {
        indicator: d.axes.map((name, i) => ({
          name: wrap(name, narrow ? 10 : 16) + "\n" + (d.rated[i] ? d.values[i].toFixed(2) : d.not_rated),
          max: 1,
          min: 0,
        })),
        radius: narrow ? "52%" : "62%",
        center: ["50%", "52%"],
        splitNumber: 5,
        axisName: { color: "#1d2733", fontSize: narrow ? 11 : 12, lineHeight: 14 },
      },
      series: [{
        type: "radar",
        name: d.name,
        data: [{ value: d.values, name: d.name, areaStyle: { opacity: 0.25 } }],
      }],
    });
    return chart;
  }

  function trend(node, d) {
    const chart = echarts.init(node, null, { renderer: "svg" });
    const days = d.labels.map((s) => s.slice(0, 10));
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: d.names, top: 0 },
      grid: { left: 44, right: 44, top: 36, bottom: 30, containLabel: true },
      xAxis: { type: "category", data: days },
      yAxis: [
        { type: "value", min: 0, max: 1, name: d.names[0] },
        { type: "value", min: 0, name: "I1", position: "right" },
      ],
      series: [
        { name: d.names[0], type: "line", data: d.M, connectNulls: false,
          label: { show: true, formatter: (p) => d.levels[p.dataIndex] || "" } },
        { name: d.names[1], type: "bar", yAxisIndex: 1, data: d.I1, barMaxWidth: 28, itemStyle: { opacity: 0.5 } },
      ],
    });
    return chart;
  }

  function drawCharts() {
    if (typeof echarts === "undefined") return;
    for (const node of document.querySelectorAll("[data-chart]")) {
      const d = data(node.dataset.source);
      if (!d) continue;
      try {
        charts.push(node.dataset.chart === "radar" ? radar(node, d) : trend(node, d));
      } catch (err) {
        node.textContent = String(err && err.message ? err.message : err);
        node.classList.add("problem");
      }
    }
    window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  }

  function autoRefresh() {
    const box = document.querySelector("[data-autorefresh]");
    if (!box) return;
    const key = "govledger-autorefresh";
    box.checked = sessionStorage.getItem(key) === "1";
    let timer = null;
    const arm = () => {
      clearTimeout(timer);
      if (box.checked) timer = setTimeout(() => location.reload(), 30000);
    };
    box.addEventListener("change", () => { sessionStorage.setItem(key, box.checked ? "1" : "0"); arm(); });
    arm();
  }

  function start() {
    localTimes();
    drawCharts();
    autoRefresh();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
