'use strict';
// The web view's curves: a history of named series kept in the page, drawn by uPlot. Plain script, no
// build step: it defines window.WallabyCharts for app.js.
(() => {
  /** Distinct colours, given to series in the order they first appear and kept for the page's life. */
  const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22',
    '#7f7f7f', '#d62728', '#393b79', '#637939'];
  const colours = new Map();
  function colourOf(key) {
    if (!colours.has(key)) {
      colours.set(key, PALETTE[colours.size % PALETTE.length]);
    }
    return colours.get(key);
  }

  /**
   * Points in time (seconds since the epoch) and, for each series, one value per point (null where the
   * series had none: a gap, not a zero). Holds at most `keep` points, oldest dropped first.
   */
  class History {
    constructor(keep) {
      this.keep = keep;
      this.times = [];
      this.series = new Map();
    }

    /** One point: `values` maps series names to numbers; series it does not name get null. */
    push(time, values) {
      this.times.push(time);
      for (const [key, column] of this.series) {
        column.push(values.has(key) ? values.get(key) : null);
      }
      for (const [key, value] of values) {
        if (!this.series.has(key)) {
          const column = new Array(this.times.length - 1).fill(null);
          column.push(value);
          this.series.set(key, column);
        }
      }
      const excess = this.times.length - this.keep;
      if (excess > 0) {
        this.times.splice(0, excess);
        for (const [key, column] of this.series) {
          column.splice(0, excess);
          if (column.every(v => v === null)) {
            this.series.delete(key); // a stream gone for the whole window leaves the chart
          }
        }
      }
    }

    keys() {
      return [...this.series.keys()].sort();
    }

    /** uPlot's data: the times, then one array per series in the order of keys(). */
    data() {
      return [this.times, ...this.keys().map(key => this.series.get(key))];
    }

    /** The last value of each series, for the figure's data-latest attribute. */
    latest() {
      const last = {};
      for (const key of this.keys()) {
        const column = this.series.get(key);
        last[key] = column[column.length - 1];
      }
      return last;
    }
  }

  /** Numbers as people read them: thousands separated, large ones shortened. */
  function formatNumber(value) {
    if (value === null || value === undefined || Number.isNaN(value)) {
      return '–';
    }
    const abs = Math.abs(value);
    if (abs >= 1e9) return (value / 1e9).toFixed(1) + ' G';
    if (abs >= 1e6) return (value / 1e6).toFixed(1) + ' M';
    if (abs >= 1e4) return (value / 1e3).toFixed(1) + ' k';
    return Number.isInteger(value) ? value.toLocaleString('en-US')
      : value.toLocaleString('en-US', {maximumFractionDigits: 1});
  }

  function formatBytes(value) {
    if (value === null || value === undefined || Number.isNaN(value)) {
      return '–';
    }
    // Decimal units, so that the axis ticks uPlot picks (1, 2, 5 times a power of ten) read as round figures.
    const units = ['B', 'kB', 'MB', 'GB', 'TB'];
    let v = value;
    let unit = 0;
    while (Math.abs(v) >= 1000 && unit < units.length - 1) {
      v /= 1000;
      unit++;
    }
    return (unit === 0 ? v.toFixed(0) : v.toFixed(1)) + ' ' + units[unit];
  }

  /**
   * One chart in a <figure>: made again when its set of series changes (a stream appears), otherwise given
   * the new data. The figure carries data-points, data-series and data-latest, what the chart shows, for
   * whoever reads the page without looking at the canvas (the browser test, a screen reader's user).
   */
  class Chart {
    constructor(figure, format) {
      this.figure = figure;
      this.format = format || formatNumber;
      this.plot = null;
      this.keys = '';
      this.holder = document.createElement('div');
      figure.appendChild(this.holder);
    }

    width() {
      return Math.max(260, this.figure.clientWidth - 16);
    }

    update(history) {
      const keys = history.keys();
      const signature = keys.join('\u0000');
      if (this.plot === null || signature !== this.keys) {
        this.create(keys, history.data());
        this.keys = signature;
      } else {
        this.plot.setData(history.data());
      }
      if (!(this.plot.cursor.left >= 0)) {
        // Away from the cursor, the legend shows the newest values rather than dashes.
        this.plot.setLegend({idx: history.times.length - 1});
      }
      this.figure.dataset.points = String(history.times.length);
      this.figure.dataset.series = keys.join('|');
      this.figure.dataset.latest = JSON.stringify(history.latest());
    }

    create(keys, data) {
      if (this.plot !== null) {
        this.plot.destroy();
      }
      const format = this.format;
      const options = {
        width: this.width(),
        height: 200,
        scales: {x: {time: true}, y: {range: (u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1]}},
        // Ticks on whole seconds at least: the points are a second apart.
        axes: [{incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600]},
          {size: 64, values: (u, ticks) => ticks.map(format)}],
        series: [{}].concat(keys.map(key => ({
          label: key, stroke: colourOf(key), width: 2, spanGaps: false,
          value: (u, v) => format(v),
        }))),
        legend: {live: true},
      };
      this.plot = new uPlot(options, data, this.holder);
    }

    resize() {
      if (this.plot !== null) {
        this.plot.setSize({width: this.width(), height: 200});
      }
    }
  }

  window.WallabyCharts = {History, Chart, formatNumber, formatBytes};
})();
