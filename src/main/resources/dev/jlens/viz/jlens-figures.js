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

  /** The color at t in [0, 1] on evenly spaced stops (as dev.jlens.viz.ColorScale.at). */
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

  /** Room under a heatmap for the slider that zooms its columns. */
  var ZOOM_BAR = 34;

  /**
   * The color bar as the PNG draws it (Heatmap.drawColorbar): the scale from the maximum at the top to the minimum,
   * with ticks at m, m/2, 0, -m/2, -m labeled as Java labels them.
   */
  function colorbar(s) {
    var b = s.colorbar, n = s.colors.length, elements = [];
    elements.push({
      type: 'rect', silent: true, shape: {x: b.x, y: b.y, width: b.width, height: b.height},
      style: {
        stroke: '#444', lineWidth: 0.5,
        fill: new echarts.graphic.LinearGradient(0, 0, 0, 1, s.colors.map(function (c, i) { return {offset: 1 - i / (n - 1), color: c}; }))
      }
    });
    b.labels.forEach(function (label, i) {
      var y = b.y + b.height * i / (b.labels.length - 1);
      elements.push({type: 'line', silent: true, shape: {x1: b.x + b.width, y1: y, x2: b.x + b.width + 3, y2: y}, style: {stroke: '#444', lineWidth: 1}});
      elements.push({type: 'text', silent: true, name: 'colorbar-tick', x: b.x + b.width + 6, y: y,
        style: {text: label, fontSize: 11, fill: '#222', verticalAlign: 'middle', align: 'left'}});
    });
    if (s.colorTitle) elements.push({type: 'text', silent: true, x: b.x, y: b.y - 14, style: {text: s.colorTitle, fontSize: 11, fill: '#222'}});
    return elements;
  }

  function heatmap(el, s) {
    // a heatmap whose labels are thinned zooms: a slider under its columns, the wheel or a drag inside
    if (s.zoomX) s = Object.assign({}, s, {height: s.height + ZOOM_BAR});
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
        // every xStep-th label as the PNG shows them; zoomed in, as many as fit
        axisLabel: {rotate: s.rotateX ? 45 : 0, fontSize: 11, color: '#222', hideOverlap: true, interval: s.xStep - 1},
        axisTick: {alignWithLabel: true, interval: s.xStep - 1},
        splitArea: {show: false}
      },
      yAxis: {
        type: 'category', data: s.yShown, inverse: true, name: s.yTitle || '', nameLocation: 'middle', nameGap: s.yNameGap,
        nameTextStyle: {fontSize: 13, color: '#222'}, axisLabel: {fontSize: 11, color: '#222', hideOverlap: true, interval: s.zoomY ? 'auto' : s.yStep - 1},
        axisTick: {alignWithLabel: true}, splitArea: {show: false}
      },
      dataZoom: [].concat(s.zoomX ? [
        // the wheel scrolls the page; with Shift it zooms, and a drag pans
        {type: 'inside', xAxisIndex: 0, filterMode: 'none', zoomOnMouseWheel: 'shift', moveOnMouseWheel: false},
        {type: 'slider', xAxisIndex: 0, filterMode: 'none', left: s.grid.left, width: s.grid.width, bottom: 6, height: 18, showDetail: false}
      ] : [], s.zoomY ? [{type: 'inside', yAxisIndex: 0, filterMode: 'none', zoomOnMouseWheel: 'shift', moveOnMouseWheel: false}] : []),
      visualMap: {type: 'continuous', show: false, min: -range, max: range, inRange: {color: s.colors}},
      graphic: {elements: colorbar(s)},
      series: [{
        type: 'heatmap', data: data, progressive: 0,
        emphasis: {itemStyle: {borderColor: '#222', borderWidth: 1.5}}
      }]
    });
    if (s.zoomX) {
      // zoomed in, the columns widen and more of their labels fit, as far apart as the PNG's
      chart.on('datazoom', function () {
        var z = chart.getOption().dataZoom[0];
        var shown = Math.max(1, z.endValue - z.startValue + 1);
        var every = Math.max(1, Math.ceil(s.xLabelGap / (s.grid.width / shown))) - 1;
        chart.setOption({xAxis: {axisLabel: {interval: every}, axisTick: {interval: every}}});
      });
    }
    return chart;
  }

  function axes(s) {
    var categories = s.xAxis.categories;
    return {
      grid: {left: s.grid.left, top: s.grid.top, width: s.grid.width, height: s.grid.height},
      xAxis: categories ? {
        type: 'category', data: categories, boundaryGap: true, name: s.xTitle || '', nameLocation: 'middle', nameGap: s.xAxis.nameGap,
        nameTextStyle: {fontSize: 13, color: '#222'}, axisTick: {alignWithLabel: true, interval: 0},
        axisLabel: {fontSize: 11, color: '#222', rotate: s.xAxis.rotate ? 45 : 0, interval: s.xAxis.labelStep - 1},
        splitLine: {show: true, interval: 0, lineStyle: {color: '#e4e4e4'}}
      } : {
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

  /**
   * A pattern as an n x n canvas, one pixel per (query, key), shown at any size with its pixels kept sharp: a
   * thousand positions are a million cells, too many for an element each.
   */
  function patternCanvas(pattern, stops, n, size, cls) {
    var canvas = document.createElement('canvas');
    canvas.width = n;
    canvas.height = n;
    canvas.className = cls;
    canvas.style.width = size + 'px';
    canvas.style.height = size + 'px';
    drawPattern(canvas, pattern, stops, n);
    return canvas;
  }

  function drawPattern(canvas, pattern, stops, n) {
    var ctx = canvas.getContext('2d'), image = ctx.createImageData(n, n), px = image.data, cache = {};
    for (var q = 0; q < n; q++) {
      for (var k = 0; k < n; k++) {
        var v = pattern[q][k], key = v === null ? 'null' : Math.round(v * 1000);
        var rgb = cache[key];
        if (!rgb) rgb = cache[key] = parseRgb(colorAt(stops, v === null ? null : key / 1000));
        var o = 4 * (q * n + k);
        px[o] = rgb[0];
        px[o + 1] = rgb[1];
        px[o + 2] = rgb[2];
        px[o + 3] = 255;
      }
    }
    ctx.putImageData(image, 0, 0);
  }

  function parseRgb(c) {
    if (c.charAt(0) === '#') return hexToRgb(c);
    return c.replace(/[^0-9,]/g, '').split(',').map(Number);
  }

  /** The fewest positions the attention grid zooms in to: their labels are all shown, at the largest font. */
  var ATTN_MIN_SPAN = 16;

  function attention(el, s, fig) {
    var n = s.tokens.length, stops = s.colors;
    var labelOf = function (i) { return s.shown[i]; };
    var cutLabel = function (i) { var t = labelOf(i); return t.length > 14 ? t.substr(0, 13) + '\u2026' : t; };
    var maxLabel = 0;
    for (var i = 0; i < n; i++) maxLabel = Math.max(maxLabel, cutLabel(i).length);
    // the grid fits 640 px whatever the length; it shows a square window of `view.span` positions (all of them
    // at first), zoomed and panned in place, so its labels and color bar never leave the screen
    var gridSize = Math.min(30, 640 / n) * n, labelW = maxLabel * 6.6 + 10, labelH = maxLabel * 6.6 * 0.72 + 14;
    var minSpan = Math.min(n, ATTN_MIN_SPAN), zoomable = n > minSpan;
    var view = {x0: 0, y0: 0, span: n};
    var bar = {x: labelW + gridSize + 18, y: 8, width: 12, height: Math.min(gridSize, 240)};

    el.classList.add('jlens-attn');
    el.style.minHeight = '';
    el.style.width = '';   // the viewer sizes itself to the page
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
    heading.appendChild(htmlEl('span', 'jlens-attn-hint', ' \u2014 rows: query (destination), columns: key (source); hover a token'
      + (zoomable ? '; Shift+wheel zooms, drag pans' : '')));
    main.appendChild(heading);

    var wrap = htmlEl('div', 'jlens-attn-gridwrap');
    main.appendChild(wrap);
    // the whole pattern, one pixel per cell, off screen; the visible canvas shows the window of it
    var full = document.createElement('canvas');
    full.width = n;
    full.height = n;
    var canvas = document.createElement('canvas');
    var ratio = Math.max(1, Math.min(3, globalThis.devicePixelRatio || 1));
    canvas.width = Math.round(gridSize * ratio);
    canvas.height = Math.round(gridSize * ratio);
    canvas.className = 'jlens-attn-cells';
    canvas.style.width = gridSize + 'px';
    canvas.style.height = gridSize + 'px';
    canvas.style.left = labelW + 'px';
    canvas.style.top = '2px';
    wrap.appendChild(canvas);
    var svg = svgEl('svg', {width: bar.x + bar.width + 60, height: gridSize + labelH + 4, 'class': 'jlens-attn-grid'});
    wrap.appendChild(svg);
    var cells = svgEl('g', {transform: 'translate(' + labelW + ',2)'});
    svg.appendChild(cells);
    // one transparent target over the canvas: the hovered cell is found from the pointer's place
    var target = svgEl('rect', {x: 0, y: 0, width: gridSize, height: gridSize, fill: 'transparent', 'class': 'jlens-attn-target'});
    cells.appendChild(target);
    cells.appendChild(svgEl('rect', {x: 0, y: 0, width: gridSize, height: gridSize, fill: 'none', stroke: '#555', 'stroke-width': 0.8, 'pointer-events': 'none'}));
    var rowHl = svgEl('rect', {x: 0, y: 0, width: gridSize, height: 1, 'class': 'jlens-attn-row-hl', visibility: 'hidden'});
    var colHl = svgEl('rect', {x: 0, y: 0, width: 1, height: gridSize, 'class': 'jlens-attn-col-hl', visibility: 'hidden'});
    cells.appendChild(rowHl);
    cells.appendChild(colHl);
    var labels = svgEl('g', {'class': 'jlens-attn-labels'});
    svg.appendChild(labels);
    svg.appendChild(colorbar());
    var rowLabels = [], colLabels = [];

    /** The color bar of the pattern's scale, 0 to 1, beside the grid (as the heatmaps' bar: maximum on top). */
    function colorbar() {
      var g = svgEl('g', {'class': 'jlens-attn-colorbar'});
      var id = 'jlens-attn-scale-' + (fig.id || Math.random().toString(36).slice(2));
      var defs = svgEl('defs', {}), grad = svgEl('linearGradient', {id: id, x1: 0, y1: 1, x2: 0, y2: 0});
      stops.forEach(function (c, k) { grad.appendChild(svgEl('stop', {offset: k / (stops.length - 1), 'stop-color': c})); });
      defs.appendChild(grad);
      g.appendChild(defs);
      g.appendChild(svgEl('rect', {x: bar.x, y: bar.y, width: bar.width, height: bar.height, fill: 'url(#' + id + ')', stroke: '#444', 'stroke-width': 0.5}));
      [1, 0.75, 0.5, 0.25, 0].forEach(function (v, k) {
        var y = bar.y + bar.height * k / 4;
        g.appendChild(svgEl('line', {x1: bar.x + bar.width, y1: y, x2: bar.x + bar.width + 3, y2: y, stroke: '#444'}));
        var t = svgEl('text', {x: bar.x + bar.width + 6, y: y + 3.5, 'font-size': 10, 'class': 'jlens-attn-colorbar-tick'});
        t.textContent = fmt(v);
        g.appendChild(t);
      });
      return g;
    }

    function cellSize() {
      return gridSize / view.span;
    }

    /** The labels of the positions in view: every `step`-th (a multiple of it, so that panning keeps them), as many as fit. */
    function drawLabels() {
      while (labels.firstChild) labels.removeChild(labels.firstChild);
      rowLabels = [];
      colLabels = [];
      var cell = cellSize();
      var fontSize = Math.min(11, Math.max(9, cell * 0.8)), step = Math.max(1, Math.ceil(fontSize * 1.2 / cell));
      fig.setAttribute('data-label-step', step);
      for (var p = Math.ceil(view.y0 / step) * step; p < view.y0 + view.span; p += step) {
        var yl = svgEl('text', {x: labelW - 5, y: 2 + (p - view.y0 + 0.5) * cell + fontSize * 0.35, 'text-anchor': 'end', 'font-size': fontSize,
          'class': 'jlens-attn-label jlens-attn-qlabel', 'data-pos': p});
        yl.textContent = cutLabel(p);
        yl.appendChild(svgEl('title', {})).textContent = labelOf(p) + ' (' + p + ')';
        labels.appendChild(yl);
        rowLabels[p] = yl;
      }
      for (var c = Math.ceil(view.x0 / step) * step; c < view.x0 + view.span; c += step) {
        var cx = labelW + (c - view.x0 + 0.5) * cell + fontSize * 0.3, cy = 2 + gridSize + 6;
        var xl = svgEl('text', {x: cx, y: cy, 'text-anchor': 'end', 'font-size': fontSize, transform: 'rotate(-45 ' + cx + ' ' + cy + ')',
          'class': 'jlens-attn-label jlens-attn-klabel', 'data-pos': c});
        xl.textContent = cutLabel(c);
        xl.appendChild(svgEl('title', {})).textContent = labelOf(c) + ' (' + c + ')';
        labels.appendChild(xl);
        colLabels[c] = xl;
      }
      [rowLabels, colLabels].forEach(function (list) {
        list.forEach(function (node, i) {   // (forEach skips the positions whose labels are thinned out)
          node.addEventListener('mouseenter', function () { focusToken(i); });
          node.addEventListener('mouseleave', clearFocus);
          if (i === focus) node.classList.add('jlens-focus');
        });
      });
    }

    function drawView() {
      var ctx = canvas.getContext('2d');
      // shrunk below a pixel a cell, neighbors are averaged; enlarged, each cell stays a sharp square
      ctx.imageSmoothingEnabled = cellSize() * ratio < 1;
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(full, view.x0, view.y0, view.span, view.span, 0, 0, canvas.width, canvas.height);
    }

    /** Shows keys x0.. and queries y0.. over span positions, kept inside the pattern. */
    function setView(x0, y0, span) {
      span = Math.round(Math.max(minSpan, Math.min(n, span)));
      view.span = span;
      view.x0 = Math.round(Math.max(0, Math.min(n - span, x0)));
      view.y0 = Math.round(Math.max(0, Math.min(n - span, y0)));
      fig.setAttribute('data-view', view.x0 + ',' + view.y0 + ',' + view.span);
      drawView();
      drawLabels();
      if (zoomSlider) zoomSlider.value = String(sliderOf(span));
      if (zoomText) zoomText.textContent = view.span === n ? 'all ' + n + ' positions'
        : 'keys ' + view.x0 + '\u2013' + (view.x0 + span - 1) + ', queries ' + view.y0 + '\u2013' + (view.y0 + span - 1);
      if (focus >= 0) focusToken(focus); else hideHighlights();
    }

    /** The slider runs 0 (all positions) to 100 (the closest zoom) on a log scale of the span. */
    function spanOf(slider) {
      return n * Math.pow(minSpan / n, slider / 100);
    }

    function sliderOf(span) {
      return Math.round(100 * Math.log(span / n) / Math.log(minSpan / n));
    }

    /** Zooms to span positions keeping the position under (fx, fy) (fractions of the grid) where it is. */
    function zoomTo(span, fx, fy) {
      span = Math.max(minSpan, Math.min(n, span));
      var px = view.x0 + fx * view.span, py = view.y0 + fy * view.span;
      setView(px - fx * span, py - fy * span, span);
    }

    var zoomSlider = null, zoomText = null;
    if (zoomable) {
      var controls = htmlEl('div', 'jlens-attn-zoom');
      controls.appendChild(htmlEl('span', 'jlens-attn-zoom-label', 'Zoom '));
      zoomSlider = document.createElement('input');
      zoomSlider.type = 'range';
      zoomSlider.min = '0';
      zoomSlider.max = '100';
      zoomSlider.value = '0';
      zoomSlider.className = 'jlens-attn-zoom-slider';
      zoomSlider.setAttribute('aria-label', 'zoom the attention pattern');
      zoomSlider.addEventListener('input', function () { zoomTo(spanOf(Number(zoomSlider.value)), 0.5, 0.5); });
      controls.appendChild(zoomSlider);
      var reset = htmlEl('button', 'jlens-attn-zoom-reset', 'all');
      reset.type = 'button';
      reset.title = 'show all positions';
      reset.addEventListener('click', function () { setView(0, 0, n); });
      controls.appendChild(reset);
      zoomText = htmlEl('span', 'jlens-attn-zoom-text');
      controls.appendChild(zoomText);
      main.appendChild(controls);
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
      drawPattern(full, s.heads[h].pattern, stops, n);
      drawView();
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

    /** Outlines query row q and key column k where they are in view. */
    function highlight(q, k) {
      var cell = cellSize();
      rowHl.setAttribute('y', (q - view.y0) * cell);
      rowHl.setAttribute('height', cell);
      colHl.setAttribute('x', (k - view.x0) * cell);
      colHl.setAttribute('width', cell);
      rowHl.setAttribute('visibility', q >= view.y0 && q < view.y0 + view.span ? 'visible' : 'hidden');
      colHl.setAttribute('visibility', k >= view.x0 && k < view.x0 + view.span ? 'visible' : 'hidden');
    }

    function hideHighlights() {
      rowHl.setAttribute('visibility', 'hidden');
      colHl.setAttribute('visibility', 'hidden');
    }

    function focusToken(pos) {
      focus = pos;
      var pat = s.heads[shown].pattern;
      highlight(pos, pos);
      for (var i = 0; i < n; i++) {
        chips[i].classList.toggle('jlens-focus', i === pos);
        if (rowLabels[i]) rowLabels[i].classList.toggle('jlens-focus', i === pos);
        if (colLabels[i]) colLabels[i].classList.toggle('jlens-focus', i === pos);
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
      hideHighlights();
      for (var i = 0; i < n; i++) {
        chips[i].classList.remove('jlens-focus');
        chips[i].style.backgroundColor = '';
        chips[i].style.color = '';
        if (rowLabels[i]) rowLabels[i].classList.remove('jlens-focus');
        if (colLabels[i]) colLabels[i].classList.remove('jlens-focus');
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
      b.appendChild(patternCanvas(head.pattern, stops, n, 84, 'jlens-thumb-cells'));
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

    var drag = null;
    target.addEventListener('mousemove', function (e) {
      if (drag) return;
      var box = target.getBoundingClientRect(), cell = cellSize();
      var q = Math.min(n - 1, Math.max(0, view.y0 + Math.floor((e.clientY - box.top) / cell)));
      var k = Math.min(n - 1, Math.max(0, view.x0 + Math.floor((e.clientX - box.left) / cell)));
      fig.setAttribute('data-hover-cell', q + ',' + k);
      highlight(q, k);
      info.textContent = '';
      var line = htmlEl('div', 'jlens-attn-cellinfo');
      line.appendChild(document.createTextNode('\u2018' + labelOf(q) + '\u2019 (' + q + ') \u2192 \u2018' + labelOf(k) + '\u2019 (' + k + '): '));
      line.appendChild(htmlEl('span', 'jlens-value', fmt(s.heads[shown].pattern[q][k])));
      info.appendChild(line);
    });
    if (zoomable) {
      // as the heatmaps: the wheel scrolls the page; with Shift it zooms around the pointer, and a drag pans
      target.addEventListener('wheel', function (e) {
        if (!e.shiftKey) return;
        e.preventDefault();
        var d = e.deltaY || e.deltaX, box = target.getBoundingClientRect();
        if (!d) return;
        zoomTo(view.span * (d > 0 ? 1.25 : 0.8), (e.clientX - box.left) / box.width, (e.clientY - box.top) / box.height);
      }, {passive: false});
      // a drag follows the pointer wherever it goes until the button is let go
      var dragMove = function (e) {
        setView(drag.x0 - (e.clientX - drag.x) / cellSize(), drag.y0 - (e.clientY - drag.y) / cellSize(), view.span);
      };
      var dragEnd = function () {
        drag = null;
        target.classList.remove('jlens-dragging');
        document.removeEventListener('mousemove', dragMove);
        document.removeEventListener('mouseup', dragEnd);
      };
      target.addEventListener('mousedown', function (e) {
        if (view.span === n || e.button !== 0) return;
        e.preventDefault();
        drag = {x: e.clientX, y: e.clientY, x0: view.x0, y0: view.y0};
        target.classList.add('jlens-dragging');
        document.addEventListener('mousemove', dragMove);
        document.addEventListener('mouseup', dragEnd);
      });
    }
    cells.addEventListener('mouseleave', function () { if (focus >= 0) focusToken(focus); else clearFocus(); });
    chips.forEach(function (node, i) {
      node.addEventListener('mouseenter', function () { focusToken(i); });
      node.addEventListener('mouseleave', clearFocus);
    });

    thumbs.firstChild.classList.add('jlens-selected');
    thumbs.firstChild.setAttribute('aria-pressed', 'true');
    fig.setAttribute('data-selected-head', s.heads[0].label);
    setView(0, 0, n);
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
    // the two heatmaps of a pair (activation and attribution patching of one kind) zoom and hover together
    var pairs = (root || document).querySelectorAll('.jlens-pair');
    for (var p = 0; p < pairs.length; p++) {
      var charts = Array.prototype.map.call(pairs[p].querySelectorAll('.jlens-chart'), function (c) { return echarts.getInstanceByDom(c); })
        .filter(function (c) { return c; });
      if (charts.length > 1) echarts.connect(charts);
    }
  }

  /** The ECharts instance of a chart figure (for tests and scripting). */
  function chartOf(figureId) {
    var fig = document.getElementById(figureId);
    return fig ? echarts.getInstanceByDom(fig.querySelector('.jlens-chart')) : null;
  }

  globalThis.jlens = {renderAll: renderAll, fmt: fmt, chartOf: chartOf, colorAt: colorAt};
})();
