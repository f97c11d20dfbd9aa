/*
 * jlens figures: draws the figures of a jlens page from their JSON specifications
 * (<figure class="jlens-figure"> holding <script type="application/json" class="jlens-spec">).
 * Heatmaps, lines and scatter plots are ECharts charts; the attention-pattern viewer is plain SVG.
 * Every string from a specification is inserted as text or escaped; none is taken as markup.
 */
(function () {
  'use strict';

  var SVG = 'http://www.w3.org/2000/svg';

  /** Numbers as jlens prints them (dev.jlens.viz.Values.format): toFixed(4), or toExponential(3) below 1e-3 / from 1e5. */
  function fmt(v) {
    if (v === null || v === undefined || Number.isNaN(v)) return 'NaN';
    if (!isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    var a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(3);
    return v.toFixed(4);
  }

  function esc(s) {
    return String(s === null || s === undefined ? '' : s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  function hexToRgb(h) {
    return [parseInt(h.substr(1, 2), 16), parseInt(h.substr(3, 2), 16), parseInt(h.substr(5, 2), 16)];
  }

  /** The colour at t in [0, 1] on evenly spaced stops (as dev.jlens.viz.ColorScale.at). */
  function colorAt(stops, t) {
    if (t === null || Number.isNaN(t)) return '#bbbbbb';
    var c = Math.max(0, Math.min(1, t)) * (stops.length - 1);
    var i = Math.floor(c);
    if (i >= stops.length - 1) return stops[stops.length - 1];
    var a = hexToRgb(stops[i]), b = hexToRgb(stops[i + 1]), f = c - i;
    return 'rgb(' + [0, 1, 2].map(function (k) { return Math.round(a[k] + (b[k] - a[k]) * f); }).join(',') + ')';
  }

  function tooltipHtml(name, value) {
    return '<span class="jlens-name">' + esc(name) + '</span><br><span class="jlens-value">' + fmt(value) + '</span>';
  }

  function titleOption(s) {
    return s.title ? {text: s.title, left: 'center', top: 10, textStyle: {fontSize: 15, fontWeight: 'bold', color: '#222'}} : undefined;
  }

  function init(el, s) {
    el.style.width = s.width + 'px';
    el.style.height = s.height + 'px';
    return echarts.init(el, null, {renderer: 'canvas', width: s.width, height: s.height});
  }

  function heatmap(el, s) {
    var chart = init(el, s);
    var data = [];
    for (var r = 0; r < s.values.length; r++) {
      for (var c = 0; c < s.values[r].length; c++) data.push([c, r, s.values[r][c] === null ? '-' : s.values[r][c]]);
    }
    var range = s.range > 0 ? s.range : 1;
    chart.setOption({
      animation: false,
      title: titleOption(s),
      tooltip: {
        className: 'jlens-tooltip', confine: true, transitionDuration: 0,
        formatter: function (p) { return tooltipHtml(s.cellNames[p.data[1]][p.data[0]], s.values[p.data[1]][p.data[0]]); }
      },
      grid: {left: s.grid.left, top: s.grid.top, width: s.grid.width, height: s.grid.height},
      xAxis: {
        type: 'category', data: s.xShown, name: s.xTitle || '', nameLocation: 'middle', nameGap: s.xNameGap,
        nameTextStyle: {fontSize: 13, color: '#222'},
        axisLabel: {rotate: s.rotateX ? 45 : 0, fontSize: 11, color: '#222', hideOverlap: true}, axisTick: {alignWithLabel: true},
        splitArea: {show: false}
      },
      yAxis: {
        type: 'category', data: s.yShown, inverse: true, name: s.yTitle || '', nameLocation: 'middle', nameGap: s.yNameGap,
        nameTextStyle: {fontSize: 13, color: '#222'}, axisLabel: {fontSize: 11, color: '#222', hideOverlap: true},
        axisTick: {alignWithLabel: true}, splitArea: {show: false}
      },
      visualMap: {
        type: 'continuous', min: -range, max: range, calculable: false, orient: 'vertical',
        left: s.grid.left + s.grid.width + 20, top: s.grid.top, itemWidth: 14,
        itemHeight: Math.max(60, Math.min(s.grid.height, 300)) - 40,
        text: [fmt(range), fmt(-range)], textStyle: {fontSize: 11, color: '#222'}, inRange: {color: s.colors}
      },
      series: [{
        type: 'heatmap', data: data, progressive: 0,
        emphasis: {itemStyle: {borderColor: '#222', borderWidth: 1.5}}
      }]
    });
    return chart;
  }

  function axes(s) {
    return {
      grid: {left: s.grid.left, top: s.grid.top, width: s.grid.width, height: s.grid.height},
      xAxis: {
        type: 'value', min: s.xAxis.min, max: s.xAxis.max, interval: s.xAxis.interval, name: s.xTitle || '',
        nameLocation: 'middle', nameGap: 30, nameTextStyle: {fontSize: 13, color: '#222'},
        axisLabel: {fontSize: 11, color: '#222'}, splitLine: {lineStyle: {color: '#e4e4e4'}}
      },
      yAxis: {
        type: 'value', min: s.yAxis.min, max: s.yAxis.max, interval: s.yAxis.interval, name: s.yTitle || '',
        nameLocation: 'middle', nameGap: s.grid.left - 30, nameTextStyle: {fontSize: 13, color: '#222'},
        axisLabel: {fontSize: 11, color: '#222'}, splitLine: {lineStyle: {color: '#e4e4e4'}}
      }
    };
  }

  function line(el, s) {
    var chart = init(el, s);
    var option = axes(s);
    option.animation = false;
    option.title = titleOption(s);
    option.tooltip = {
      trigger: 'axis', className: 'jlens-tooltip', confine: true, transitionDuration: 0,
      formatter: function (ps) {
        return ps.map(function (p) {
          var ser = s.series[p.seriesIndex], i = p.dataIndex;
          var name = ser.labels ? ser.labels[i] : String(ser.x[i]);
          return (s.series.length > 1 ? esc(ser.name) + ': ' : '') + tooltipHtml(name, ser.y[i]);
        }).join('<br>');
      }
    };
    if (s.series.length > 1) option.legend = {top: s.grid.top - 24, data: s.series.map(function (x) { return x.name || ''; })};
    option.series = s.series.map(function (ser, k) {
      return {
        type: 'line', name: ser.name || '', color: s.colors[k % s.colors.length], symbol: 'circle', symbolSize: 6,
        showSymbol: true, lineStyle: {width: 2}, connectNulls: false,
        data: ser.x.map(function (x, i) { return [x, ser.y[i] === null ? '-' : ser.y[i]]; })
      };
    });
    chart.setOption(option);
    return chart;
  }

  function scatter(el, s) {
    var chart = init(el, s);
    var option = axes(s);
    option.animation = false;
    option.title = titleOption(s);
    option.tooltip = {
      trigger: 'item', className: 'jlens-tooltip', confine: true, transitionDuration: 0,
      formatter: function (p) {
        var i = p.dataIndex;
        var text = '<span class="jlens-name">' + esc(s.labels ? s.labels[i] : '#' + i) + '</span><br>(' + fmt(s.x[i]) + ', ' + fmt(s.y[i]) + ')';
        if (s.color) text += '<br>' + esc(s.colorTitle || 'color') + ' <span class="jlens-value">' + fmt(s.color[i]) + '</span>';
        return text;
      }
    };
    option.series = [{
      type: 'scatter', symbolSize: 9, itemStyle: {color: s.pointColor, borderColor: '#555', borderWidth: 0.5},
      data: s.x.map(function (x, i) { return s.color ? [x, s.y[i], s.color[i]] : [x, s.y[i]]; })
    }];
    if (s.color) {
      var m = s.colorRange > 0 ? s.colorRange : 1;
      option.visualMap = {
        type: 'continuous', dimension: 2, min: -m, max: m, calculable: false, left: s.grid.left + s.grid.width + 36,
        top: s.grid.top, itemWidth: 14, text: [fmt(m), fmt(-m)], textStyle: {fontSize: 11}, inRange: {color: s.colors}
      };
    }
    chart.setOption(option);
    return chart;
  }

  // ---- attention patterns ------------------------------------------------------------------------------

  function svgEl(name, attrs) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    return e;
  }

  function htmlEl(name, cls, text) {
    var e = document.createElement(name);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function thumbnail(head, stops, n) {
    var cell = Math.max(1.5, Math.min(8, 84 / n)), size = cell * n;
    var svg = svgEl('svg', {width: size, height: size, viewBox: '0 0 ' + size + ' ' + size, 'class': 'jlens-thumb-svg'});
    for (var q = 0; q < n; q++) {
      for (var k = 0; k < n; k++) {
        svg.appendChild(svgEl('rect', {x: k * cell, y: q * cell, width: cell + 0.05, height: cell + 0.05, fill: colorAt(stops, head.pattern[q][k])}));
      }
    }
    return svg;
  }

  function attention(el, s, fig) {
    var n = s.tokens.length, stops = s.colors;
    var labelOf = function (i) { return s.shown[i]; };
    var cutLabel = function (i) { var t = labelOf(i); return t.length > 14 ? t.substr(0, 13) + '\u2026' : t; };
    var maxLabel = 0;
    for (var i = 0; i < n; i++) maxLabel = Math.max(maxLabel, cutLabel(i).length);
    var cell = Math.max(8, Math.min(30, 420 / n)), labelW = maxLabel * 6.6 + 10, labelH = maxLabel * 6.6 * 0.72 + 14;
    var gridSize = cell * n;

    el.classList.add('jlens-attn');
    el.style.minHeight = '';
    if (s.title) el.appendChild(htmlEl('div', 'jlens-attn-title', s.title));
    var body = htmlEl('div', 'jlens-attn-body');
    var thumbs = htmlEl('div', 'jlens-attn-thumbs');
    var main = htmlEl('div', 'jlens-attn-main');
    body.appendChild(thumbs);
    body.appendChild(main);
    el.appendChild(body);

    var heading = htmlEl('div', 'jlens-attn-heading');
    heading.appendChild(document.createTextNode('Head '));
    var selectedLabel = htmlEl('b', 'jlens-attn-selected');
    heading.appendChild(selectedLabel);
    heading.appendChild(htmlEl('span', 'jlens-attn-hint', ' \u2014 rows: query (destination), columns: key (source); hover a token'));
    main.appendChild(heading);

    var svg = svgEl('svg', {width: labelW + gridSize + 8, height: gridSize + labelH + 4, 'class': 'jlens-attn-grid'});
    main.appendChild(svg);
    var cells = svgEl('g', {transform: 'translate(' + labelW + ',2)'});
    svg.appendChild(cells);
    var rects = [];
    for (var q = 0; q < n; q++) {
      rects.push([]);
      for (var k = 0; k < n; k++) {
        var r = svgEl('rect', {x: k * cell, y: q * cell, width: cell + 0.05, height: cell + 0.05, 'class': 'jlens-attn-cell', 'data-q': q, 'data-k': k});
        cells.appendChild(r);
        rects[q].push(r);
      }
    }
    cells.appendChild(svgEl('rect', {x: 0, y: 0, width: gridSize, height: gridSize, fill: 'none', stroke: '#555', 'stroke-width': 0.8}));
    var rowHl = svgEl('rect', {x: 0, y: 0, width: gridSize, height: cell, 'class': 'jlens-attn-row-hl', visibility: 'hidden'});
    var colHl = svgEl('rect', {x: 0, y: 0, width: cell, height: gridSize, 'class': 'jlens-attn-col-hl', visibility: 'hidden'});
    cells.appendChild(rowHl);
    cells.appendChild(colHl);
    var rowLabels = [], colLabels = [];
    var fontSize = Math.min(11, Math.max(7, cell * 0.8));
    for (var p = 0; p < n; p++) {
      var yl = svgEl('text', {x: labelW - 5, y: 2 + (p + 0.5) * cell + fontSize * 0.35, 'text-anchor': 'end', 'font-size': fontSize,
        'class': 'jlens-attn-label jlens-attn-qlabel', 'data-pos': p});
      yl.textContent = cutLabel(p);
      yl.appendChild(svgEl('title', {})).textContent = labelOf(p) + ' (' + p + ')';
      svg.appendChild(yl);
      rowLabels.push(yl);
      var cx = labelW + (p + 0.5) * cell + fontSize * 0.3, cy = 2 + gridSize + 6;
      var xl = svgEl('text', {x: cx, y: cy, 'text-anchor': 'end', 'font-size': fontSize, transform: 'rotate(-45 ' + cx + ' ' + cy + ')',
        'class': 'jlens-attn-label jlens-attn-klabel', 'data-pos': p});
      xl.textContent = cutLabel(p);
      xl.appendChild(svgEl('title', {})).textContent = labelOf(p) + ' (' + p + ')';
      svg.appendChild(xl);
      colLabels.push(xl);
    }

    var strip = htmlEl('div', 'jlens-attn-tokens');
    var chips = [];
    for (var t = 0; t < n; t++) {
      var chip = htmlEl('span', 'jlens-token', labelOf(t));
      chip.setAttribute('data-pos', t);
      strip.appendChild(chip);
      chips.push(chip);
    }
    main.appendChild(strip);
    var info = htmlEl('div', 'jlens-attn-info', '\u00a0');
    main.appendChild(info);

    var selected = 0, shown = 0, focus = -1;

    function paint(h) {
      shown = h;
      var pat = s.heads[h].pattern;
      for (var q = 0; q < n; q++) for (var k = 0; k < n; k++) rects[q][k].setAttribute('fill', colorAt(stops, pat[q][k]));
      selectedLabel.textContent = s.heads[h].label;
      fig.setAttribute('data-shown-head', s.heads[h].label);
      if (focus >= 0) focusToken(focus);
    }

    function topList(values) {
      var idx = values.map(function (v, i) { return i; });
      idx.sort(function (a, b) { return values[b] - values[a]; });
      return idx.slice(0, 3).filter(function (i) { return values[i] > 0; }).map(function (i) {
        return '\u2018' + labelOf(i) + '\u2019 (' + i + ') ' + fmt(values[i]);
      }).join(', ');
    }

    function focusToken(pos) {
      focus = pos;
      var pat = s.heads[shown].pattern;
      rowHl.setAttribute('y', pos * cell);
      colHl.setAttribute('x', pos * cell);
      rowHl.setAttribute('visibility', 'visible');
      colHl.setAttribute('visibility', 'visible');
      for (var i = 0; i < n; i++) {
        chips[i].classList.toggle('jlens-focus', i === pos);
        rowLabels[i].classList.toggle('jlens-focus', i === pos);
        colLabels[i].classList.toggle('jlens-focus', i === pos);
        var w = pat[pos][i];
        chips[i].style.backgroundColor = i === pos ? '' : colorAt(stops, w);
        chips[i].style.color = w > 0.55 ? '#fff' : '';
        chips[i].title = '\u2018' + labelOf(pos) + '\u2019 attends to this token with ' + fmt(w) + '; this token attends to \u2018' + labelOf(pos) + '\u2019 with ' + fmt(pat[i][pos]);
      }
      var column = pat.map(function (row) { return row[pos]; });
      info.textContent = '';
      var a = htmlEl('div', 'jlens-attn-attends', '\u2018' + labelOf(pos) + '\u2019 (' + pos + ') attends to: ' + (topList(pat[pos]) || 'nothing'));
      var b = htmlEl('div', 'jlens-attn-attended', 'attended to by: ' + (topList(column) || 'nothing'));
      info.appendChild(a);
      info.appendChild(b);
      fig.setAttribute('data-focus-token', pos);
    }

    function clearFocus() {
      focus = -1;
      rowHl.setAttribute('visibility', 'hidden');
      colHl.setAttribute('visibility', 'hidden');
      for (var i = 0; i < n; i++) {
        chips[i].classList.remove('jlens-focus');
        chips[i].style.backgroundColor = '';
        chips[i].style.color = '';
        rowLabels[i].classList.remove('jlens-focus');
        colLabels[i].classList.remove('jlens-focus');
      }
      info.textContent = '\u00a0';
      fig.removeAttribute('data-focus-token');
    }

    s.heads.forEach(function (head, h) {
      var b = htmlEl('button', 'jlens-head-thumb');
      b.type = 'button';
      b.setAttribute('data-head', head.label);
      b.setAttribute('data-index', h);
      b.title = 'Head ' + head.label + ' (click to keep it enlarged)';
      b.appendChild(thumbnail(head, stops, n));
      b.appendChild(htmlEl('span', 'jlens-head-label', head.label));
      b.addEventListener('mouseenter', function () { paint(h); });
      b.addEventListener('mouseleave', function () { paint(selected); });
      b.addEventListener('focus', function () { paint(h); });
      b.addEventListener('click', function () {
        selected = h;
        thumbs.querySelectorAll('.jlens-head-thumb').forEach(function (x) { x.classList.remove('jlens-selected'); x.setAttribute('aria-pressed', 'false'); });
        b.classList.add('jlens-selected');
        b.setAttribute('aria-pressed', 'true');
        fig.setAttribute('data-selected-head', head.label);
        paint(h);
      });
      thumbs.appendChild(b);
    });

    cells.addEventListener('mouseover', function (e) {
      var t = e.target;
      if (!t.classList || !t.classList.contains('jlens-attn-cell')) return;
      var q = +t.getAttribute('data-q'), k = +t.getAttribute('data-k');
      rowHl.setAttribute('y', q * cell);
      colHl.setAttribute('x', k * cell);
      rowHl.setAttribute('visibility', 'visible');
      colHl.setAttribute('visibility', 'visible');
      info.textContent = '';
      var line = htmlEl('div', 'jlens-attn-cellinfo');
      line.appendChild(document.createTextNode('\u2018' + labelOf(q) + '\u2019 (' + q + ') \u2192 \u2018' + labelOf(k) + '\u2019 (' + k + '): '));
      line.appendChild(htmlEl('span', 'jlens-value', fmt(s.heads[shown].pattern[q][k])));
      info.appendChild(line);
    });
    cells.addEventListener('mouseleave', function () { if (focus >= 0) focusToken(focus); else clearFocus(); });
    [chips, rowLabels, colLabels].forEach(function (list) {
      list.forEach(function (node, i) {
        node.addEventListener('mouseenter', function () { focusToken(i); });
        node.addEventListener('mouseleave', clearFocus);
      });
    });

    thumbs.firstChild.classList.add('jlens-selected');
    thumbs.firstChild.setAttribute('aria-pressed', 'true');
    fig.setAttribute('data-selected-head', s.heads[0].label);
    paint(0);
    return {dispose: function () {}};
  }

  var RENDERERS = {heatmap: heatmap, line: line, scatter: scatter, attention: attention};

  /** Draws every figure under root that is not drawn yet. */
  function renderAll(root) {
    var figures = (root || document).querySelectorAll('figure.jlens-figure');
    for (var i = 0; i < figures.length; i++) {
      var fig = figures[i];
      if (fig.getAttribute('data-rendered')) continue;
      var specEl = fig.querySelector('script.jlens-spec');
      var el = fig.querySelector('.jlens-chart');
      if (!specEl || !el) continue;
      var spec = JSON.parse(specEl.textContent);
      var render = RENDERERS[spec.kind];
      if (!render) throw new Error('jlens: unknown figure kind ' + spec.kind);
      if (spec.kind !== 'attention' && typeof echarts === 'undefined') throw new Error('jlens: ECharts is not loaded');
      render(el, spec, fig);
      fig.setAttribute('data-rendered', 'true');
    }
  }

  /** The ECharts instance of a chart figure (for tests and scripting). */
  function chartOf(figureId) {
    var fig = document.getElementById(figureId);
    return fig ? echarts.getInstanceByDom(fig.querySelector('.jlens-chart')) : null;
  }

  globalThis.jlens = {renderAll: renderAll, fmt: fmt, chartOf: chartOf, colorAt: colorAt};
})();
