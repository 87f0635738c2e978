#include "report/html_page.h"

namespace osc::report {

// The page script. All text from the report reaches the DOM through textContent, and plotly
// labels (which plotly parses as a small HTML subset) through plotText(), so token pieces such as
// "<b>" or "&amp;" are shown literally. It records its outcome on #osc-status for tests:
// data-status ("ok" or "error"), data-expected (plot divs created), data-rendered (divs drawn
// with data) and data-errors (script errors and console.error calls caught on the page).
std::string_view page_script() {
  return R"JS(
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('osc-data').textContent);
  var statusEl = document.getElementById('osc-status');
  var errors = window.__oscErrors || [];

  var OUTLIER = '#ff00ff', NORMAL = '#4169e1', WEIGHT = '#148228';
  var SERIES = ['#5a96e6', '#28af73', '#965abe', '#6e6e6e', '#f0a028', '#dc3c3c', '#1ea0aa', '#a06e3c'];
  var HEAT = [[0, '#ffffd9'], [0.15, '#edf8b1'], [0.4, '#7fcdbb'], [0.7, '#2c7fb8'], [1, '#081d58']];
  var CONFIG = { responsive: true, displaylogo: false };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function plotText(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/\n/g, '\\n').replace(/\t/g, '\\t');
  }
  function range(n) { var a = []; for (var i = 0; i < n; i++) a.push(i); return a; }
  // Tick positions for at most about `most` labels on an axis of n items (plotly draws every
  // tickval, so 256 tokens would pile up): highlighted items first, then the others, none closer
  // than n / most items to a kept one.
  function thinTicks(n, hot, most) {
    var gap = Math.max(1, Math.ceil(n / most)), kept = [];
    function fits(i) { return kept.every(function (k) { return Math.abs(k - i) >= gap; }); }
    for (var i = 0; i < n; i++) if (hot[i] && fits(i)) kept.push(i);
    for (var j = 0; j < n; j++) if (!hot[j] && fits(j)) kept.push(j);
    return kept.sort(function (a, b) { return a - b; });
  }
  function hasWebGL() {
    try {
      var c = document.createElement('canvas');
      return !!(window.WebGLRenderingContext && (c.getContext('webgl') || c.getContext('experimental-webgl')));
    } catch (e) { return false; }
  }
  var webgl = hasWebGL();

  function baseLayout(title) {
    return { title: { text: '<b>' + plotText(title) + '</b>', font: { size: 16 } },
             margin: { l: 70, r: 30, t: 50, b: 60 }, paper_bgcolor: '#fff', plot_bgcolor: '#fff',
             font: { family: 'DejaVu Sans, Arial, sans-serif', size: 12 }, hoverlabel: { namelength: -1 } };
  }

  function landscape3d(p) {
    var cols = p.columns.length, rows = p.values.length;
    var hot = {}; p.highlight_rows.forEach(function (r) { hot[r] = true; });
    var zmax = p.z_max > 0 ? p.z_max : 0;
    var traces = p.values.map(function (row, r) {
      var label = plotText(p.row_labels[r]);
      return { type: 'scatter3d', mode: 'lines', name: label, showlegend: false,
               x: row.map(function () { return r; }), y: range(cols), z: row, customdata: p.columns,
               line: { color: hot[r] ? OUTLIER : (p.weights ? WEIGHT : NORMAL), width: hot[r] ? 6 : 3 },
               hovertemplate: plotText(p.row_axis) + ': ' + label + '<br>' + plotText(p.column_axis) +
                 ': %{customdata}<br>' + plotText(p.value_axis) + ': %{z:.4g}<extra></extra>' };
    });
    var colTicks = [], colText = [];
    p.highlight_columns.forEach(function (c) {
      var i = p.columns.indexOf(c);
      if (i >= 0) { colTicks.push(i); colText.push('<b>' + c + '</b>'); }
    });
    var rowTicks = thinTicks(rows, hot, 10);  // the token axis is foreshortened in the default view
    var layout = baseLayout(p.title);
    layout.scene = {
      xaxis: { title: { text: plotText(p.row_axis) }, tickvals: rowTicks,
               ticktext: rowTicks.map(function (r) { return hot[r] ? '<b>' + plotText(p.row_labels[r]) + '</b>' : plotText(p.row_labels[r]); }) },
      yaxis: { title: { text: plotText(p.column_axis) }, tickvals: colTicks, ticktext: colText },
      zaxis: { title: { text: plotText(p.value_axis) }, range: zmax > 0 ? [0, zmax] : undefined, rangemode: 'tozero' },
      camera: { eye: { x: -1.6, y: -1.5, z: 0.9 } }, aspectmode: 'manual', aspectratio: { x: 1, y: 1.5, z: 0.9 } };
    layout.margin = { l: 0, r: 0, t: 50, b: 0 };
    layout.height = 620;  // 3-D scenes need more height than the flat charts
    return { traces: traces, layout: layout };
  }

  // Without WebGL, a landscape is shown as a heat map of the same values.
  function landscapeFlat(p) {
    return heatmap({ title: p.title, values: p.values, row_labels: p.row_labels,
                     column_labels: p.columns.map(String), highlight_columns: [], lower_triangle: false,
                     x_axis: p.column_axis, y_axis: p.row_axis, value_axis: p.value_axis });
  }

  function heatmap(p) {
    var rows = p.values.length, cols = rows ? p.values[0].length : 0;
    var z = p.values.map(function (row, r) {
      return row.map(function (v, c) { return p.lower_triangle && c > r ? null : v; });
    });
    var hover = p.values.map(function (row, r) {
      return row.map(function (v, c) { return [plotText(p.row_labels[r]), plotText(p.column_labels[c])]; });
    });
    var trace = { type: 'heatmap', z: z, x: range(cols), y: range(rows), customdata: hover, colorscale: HEAT,
                  colorbar: { title: { text: plotText(p.value_axis), side: 'right' } }, hoverongaps: false,
                  hovertemplate: plotText(p.y_axis) + ': %{customdata[0]}<br>' + plotText(p.x_axis) +
                    ': %{customdata[1]}<br>' + plotText(p.value_axis) + ': %{z:.4g}<extra></extra>' };
    var hotCols = {}; p.highlight_columns.forEach(function (c) { hotCols[c] = true; });
    var layout = baseLayout(p.title);
    var xTicks = thinTicks(cols, hotCols, 48), yTicks = thinTicks(rows, {}, 48);
    layout.xaxis = { title: { text: plotText(p.x_axis) }, tickvals: xTicks, tickangle: -90, constrain: 'domain',
                     ticktext: xTicks.map(function (c) { return hotCols[c] ? '<b>' + plotText(p.column_labels[c]) + '</b>' : plotText(p.column_labels[c]); }) };
    layout.yaxis = { title: { text: plotText(p.y_axis) }, tickvals: yTicks, autorange: 'reversed',
                     ticktext: yTicks.map(function (r) { return plotText(p.row_labels[r]); }) };
    layout.shapes = p.highlight_columns.map(function (c) {
      return { type: 'rect', xref: 'x', yref: 'y', x0: c - 0.5, x1: c + 0.5, y0: -0.5, y1: rows - 0.5,
               line: { color: OUTLIER, width: 2 } };
    });
    layout.margin = { l: 90, r: 30, t: 50, b: 90 };
    return { traces: [trace], layout: layout };
  }

  function curves(p) {
    var traces = p.series.map(function (s, i) {
      return { type: 'scatter', mode: p.markers_only ? 'markers' : 'lines+markers', name: plotText(s.name),
               x: p.x, y: s.y, line: { color: SERIES[i % SERIES.length], width: 2 },
               marker: { color: SERIES[i % SERIES.length], size: 7 }, connectgaps: false };
    });
    var layout = baseLayout(p.title);
    layout.xaxis = { title: { text: plotText(p.x_axis) }, dtick: p.x.length > 16 ? undefined : 1, gridcolor: '#e6e6e6' };
    layout.yaxis = { title: { text: plotText(p.y_axis) }, type: p.log_y ? 'log' : 'linear', gridcolor: '#e6e6e6',
                     rangemode: p.log_y ? undefined : 'tozero' };
    layout.legend = { orientation: 'h', y: -0.2 };
    return { traces: traces, layout: layout };
  }

  function bars(p) {
    var total = p.values.reduce(function (a, v) { return a + (v || 0); }, 0);
    var labels = p.values.map(function (v) {
      return p.show_share ? (total > 0 ? (100 * v / total).toFixed(1) + '%' : '0%') : String(+(+v).toPrecision(4));
    });
    var trace = { type: 'bar', x: p.labels.map(plotText), y: p.values, text: labels, textposition: 'outside',
                  marker: { color: p.labels.map(function (_, i) { return SERIES[i % SERIES.length]; }) },
                  hovertemplate: '%{x}: %{y}<extra></extra>' };
    var layout = baseLayout(p.title);
    layout.yaxis = { title: { text: plotText(p.y_axis) }, gridcolor: '#e6e6e6' };
    return { traces: [trace], layout: layout };
  }

  function build(p) {
    if (p.kind === 'landscape') return webgl ? landscape3d(p) : landscapeFlat(p);
    if (p.kind === 'heatmap') return heatmap(p);
    if (p.kind === 'curves') return curves(p);
    return bars(p);
  }

  var pending = [];
  var expected = 0;

  function drawFigure(fig, holder) {
    holder.querySelectorAll('.osc-plot').forEach(function (d) { Plotly.purge(d); });
    holder.textContent = '';
    var box = el('div', 'figure');
    if (fig.panels.length > 1) box.appendChild(el('h3', '', fig.title));
    box.appendChild(el('p', 'caption', fig.caption));
    var grid = el('div', 'panels');
    grid.style.gridTemplateColumns = 'repeat(' + Math.max(1, Math.min(fig.columns, fig.panels.length)) + ', 1fr)';
    box.appendChild(grid);
    holder.appendChild(box);
    fig.panels.forEach(function (p) {
      var div = el('div', 'osc-plot');
      div.setAttribute('data-kind', p.kind);
      grid.appendChild(div);
      expected += 1;
      var spec = build(p);
      pending.push(Plotly.newPlot(div, spec.traces, spec.layout, CONFIG).then(function () {
        var ok = div.data && div.data.length > 0 && div.querySelector('.main-svg') !== null;
        div.setAttribute('data-osc-rendered', ok ? 'true' : 'false');
      }));
    });
  }

  // One sentence per finding above the table (header row, then one row per finding with a link
  // to the figure group that shows it).
  function findingsTable(table) {
    var list = el('ul', 'findings');
    data.findings.forEach(function (f) { list.appendChild(el('li', '', f.sentence)); });
    table.parentNode.insertBefore(list, table);
    var head = el('tr');
    ['finding', 'layer', 'size', 'where', 'figure'].forEach(function (h) { head.appendChild(el('th', '', h)); });
    table.appendChild(head);
    data.findings.forEach(function (f) {
      var tr = el('tr');
      [f.topic, f.layer, f.size, f.where].forEach(function (v) { tr.appendChild(el('td', '', v)); });
      var cell = el('td');
      if (f.link) { var a = el('a', '', 'see figure'); a.href = f.link; cell.appendChild(a); }
      tr.appendChild(cell);
      table.appendChild(tr);
    });
  }

  function header() {
    document.getElementById('osc-title').textContent = data.title;
    document.getElementById('osc-subtitle').textContent = data.subtitle;
    var table = document.getElementById('osc-summary');
    if (data.findings.length > 0) findingsTable(table);
    data.summary.forEach(function (row) {
      var tr = el('tr');
      tr.appendChild(el('th', '', row[0]));
      tr.appendChild(el('td', '', row[1]));
      table.appendChild(tr);
    });
  }

  function groups() {
    var main = document.getElementById('osc-figures');
    var order = [], byGroup = {};
    data.figures.forEach(function (f) {
      var g = f.group || f.id;
      if (!byGroup[g]) { byGroup[g] = []; order.push(g); }
      byGroup[g].push(f);
    });
    order.forEach(function (g) {
      var info = data.groups[g] || { title: g, picker: false };
      // Attached before drawing, so that plotly sizes each plot to the page width.
      var section = el('section', 'group');
      section.id = 'group-' + g;
      main.appendChild(section);
      section.appendChild(el('h2', '', info.title));
      var figs = byGroup[g];
      if (info.picker && figs.length > 1) {
        var label = el('label', '', info.picker_label || 'show');
        var select = el('select');
        figs.forEach(function (f, i) { var o = el('option', '', f.title + ' (' + f.id + ')'); o.value = String(i); select.appendChild(o); });
        label.appendChild(select);
        section.appendChild(label);
        var holder = el('div');
        section.appendChild(holder);
        drawFigure(figs[0], holder);
        select.addEventListener('change', function () { drawFigure(figs[+select.value], holder); });
      } else {
        figs.forEach(function (f) { var holder = el('div'); section.appendChild(holder); drawFigure(f, holder); });
      }
    });
  }

  function finish() {
    var rendered = document.querySelectorAll('.osc-plot[data-osc-rendered="true"]').length;
    statusEl.setAttribute('data-expected', String(expected));
    statusEl.setAttribute('data-rendered', String(rendered));
    statusEl.setAttribute('data-errors', errors.join(' | '));
    statusEl.setAttribute('data-webgl', webgl ? 'yes' : 'no');
    var ok = errors.length === 0 && rendered === expected && expected > 0;
    statusEl.setAttribute('data-status', ok ? 'ok' : 'error');
    statusEl.textContent = rendered + ' of ' + expected + ' plots drawn' + (webgl ? '' : ' (no WebGL: landscapes as heat maps)');
  }

  try {
    header();
    groups();
  } catch (e) {
    errors.push(String(e && e.message ? e.message : e));
  }
  Promise.all(pending).then(finish, function (e) { errors.push(String(e)); finish(); });
})();
)JS";
}

// Runs before plotly.js: collects uncaught errors, rejected promises and console.error calls, so
// that the page (and the browser test) can tell a clean render from a broken one.
std::string_view error_capture_script() {
  return R"JS(
(function () {
  'use strict';
  var errors = window.__oscErrors = [];
  window.addEventListener('error', function (e) { errors.push(String(e.message)); });
  window.addEventListener('unhandledrejection', function (e) { errors.push(String(e.reason)); });
  var original = console.error;
  console.error = function () {
    errors.push(Array.prototype.map.call(arguments, String).join(' '));
    return original.apply(console, arguments);
  };
})();
)JS";
}

}  // namespace osc::report
