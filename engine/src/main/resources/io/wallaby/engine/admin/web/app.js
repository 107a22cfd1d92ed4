'use strict';
// The web view: polls the engine's /status once a second, draws the pipeline as it is now and keeps ten
// minutes of curves in the page. Reads nothing but /status, so what it shows a script can read too.
(() => {
  const POLL_MILLIS = 1000;
  const TIMEOUT_MILLIS = 3000;
  const KEEP_POINTS = 600; // ten minutes at one point a second
  const {History, Chart, formatNumber, formatBytes} = window.WallabyCharts;

  const $ = id => document.getElementById(id);
  const histories = {
    throughput: new History(KEEP_POINTS), pending: new History(KEEP_POINTS), lag: new History(KEEP_POINTS),
    slot: new History(KEEP_POINTS), checkpointDuration: new History(KEEP_POINTS),
    checkpointSize: new History(KEEP_POINTS),
  };
  const charts = {
    throughput: new Chart($('chart-throughput')), pending: new Chart($('chart-pending')),
    lag: new Chart($('chart-lag')), slot: new Chart($('chart-slot'), formatBytes),
    checkpointDuration: new Chart($('chart-checkpoint-duration')),
    checkpointSize: new Chart($('chart-checkpoint-size'), formatBytes),
  };
  let previous = null; // the last status, for the per-second rates
  let failingSince = null;
  let updates = 0;

  // ---- what went wrong is shown, not hidden in the console ----
  window.addEventListener('error', event => showPageError(event.message));
  window.addEventListener('unhandledrejection', event => showPageError(String(event.reason)));
  function showPageError(message) {
    const banner = $('page-error');
    banner.textContent = 'The page hit an error: ' + message + ' (reload to start again).';
    banner.hidden = false;
  }

  // ---- small DOM helpers: text only through textContent, never markup from the engine ----
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function row(parent, label, value, title) {
    const line = el('div', 'row');
    line.appendChild(el('span', 'label', label));
    const v = el('span', 'value', value);
    if (title) v.title = title;
    line.appendChild(v);
    parent.appendChild(line);
  }
  function clearColumn(id) {
    const column = $(id);
    while (column.children.length > 1) column.removeChild(column.lastChild); // keeps the heading
    return column;
  }
  function ago(since, now) {
    const seconds = Math.max(0, Math.round((now - since) / 1000));
    if (seconds < 60) return seconds + ' s';
    if (seconds < 3600) return Math.floor(seconds / 60) + ' min ' + (seconds % 60) + ' s';
    return Math.floor(seconds / 3600) + ' h ' + Math.floor((seconds % 3600) / 60) + ' min';
  }

  // ---- the picture of the pipeline ----
  function connectorCard(connector, now) {
    const card = el('div', 'card connector');
    card.dataset.name = connector.name;
    card.appendChild(el('div', 'title', connector.program + '/' + connector.instance));
    row(card, 'address', connector.remoteAddress);
    row(card, 'connected', ago(Date.parse(connector.connectedSince), now) + ' ago',
      'since ' + connector.connectedSince);
    return card;
  }

  function stuckLabel(card, stream) {
    if (stream.stuck) {
      card.classList.add('stuck');
      card.querySelector('.title').appendChild(el('span', 'stuck-label',
        'stuck ' + Math.round(stream.secondsWithoutProgress) + ' s'));
    }
  }

  function sourceStreamCard(stream) {
    const card = el('div', 'card stream');
    card.dataset.name = stream.name;
    card.appendChild(el('div', 'title', stream.name));
    row(card, 'in', formatNumber(stream.messagesPerSecond) + ' msg/s');
    row(card, 'acknowledged', stream.acknowledged, 'last message id ' + stream.lastMessageId);
    row(card, 'lag', formatNumber(stream.acknowledgementLag) + ' msg');
    row(card, 'in flight', formatNumber(stream.inFlight));
    row(card, 'dead letters', formatNumber(stream.deadLetters));
    if (stream.stateEntries !== null && stream.stateEntries !== undefined) {
      row(card, 'state entries', formatNumber(stream.stateEntries));
    }
    if (!stream.connection) card.classList.add('detached');
    stuckLabel(card, stream);
    return card;
  }

  function sinkStreamCard(stream) {
    const card = el('div', 'card stream');
    card.dataset.name = stream.name;
    card.appendChild(el('div', 'title', stream.name));
    row(card, 'out', formatNumber(stream.committedPerSecond) + ' msg/s');
    row(card, 'pending', formatNumber(stream.pendingOutputs));
    row(card, 'credits', stream.credits === null ? 'no sink' : formatNumber(stream.credits));
    row(card, 'committed', stream.committed);
    if (!stream.connection) card.classList.add('detached');
    stuckLabel(card, stream);
    return card;
  }

  function engineCard(status) {
    const card = el('div', 'card engine-card');
    card.appendChild(el('div', 'title', status.application.replace(/^.*\./, '')));
    const c = status.counters;
    row(card, 'processed', formatNumber(c.messagesPerSecond) + ' msg/s');
    row(card, 'outputs', formatNumber(c.outputsPerSecond) + ' /s');
    row(card, 'pending', formatNumber(c.outputsPending));
    row(card, 'lanes', String(status.lanes));
    row(card, 'duplicates', formatNumber(c.duplicatesDropped));
    row(card, 'dead letters', formatNumber(status.deadLetters.count), status.deadLetters.file);
    if (status.checkpoints) {
      const k = status.checkpoints;
      row(card, 'checkpoints', formatNumber(k.completed) + (k.failed ? ', ' + k.failed + ' failed' : ''));
      row(card, 'state on disk', formatBytes(k.bytesOnDisk), k.stateDir);
    }
    return card;
  }

  function drawPipeline(status) {
    const now = Date.parse(status.time);
    const sources = clearColumn('source-connectors');
    const sinks = clearColumn('sink-connectors');
    for (const connector of status.connectors) {
      (connector.port === 'source' ? sources : sinks).appendChild(connectorCard(connector, now));
    }
    const sourceStreams = clearColumn('source-streams');
    status.sourceStreams.forEach(s => sourceStreams.appendChild(sourceStreamCard(s)));
    // Sink streams in the order of the source streams that feed them, so each pair sits on one line.
    const order = new Map(status.sourceStreams.map((s, i) => [s.sinkStream, i]));
    const sinkStreams = clearColumn('sink-streams');
    [...status.sinkStreams].sort((a, b) => (order.get(a.name) ?? 1e9) - (order.get(b.name) ?? 1e9))
      .forEach(s => sinkStreams.appendChild(sinkStreamCard(s)));
    clearColumn('engine').appendChild(engineCard(status));
    for (const [id, empty] of [['source-connectors', 'none connected'], ['sink-connectors', 'none connected'],
      ['source-streams', 'none yet'], ['sink-streams', 'none yet']]) {
      if ($(id).children.length === 1) $(id).appendChild(el('div', 'empty', empty));
    }
    requestAnimationFrame(() => drawWires(status));
  }

  /** Lines: connector to its streams, each source stream into the engine and out to its sink stream. */
  function drawWires(status) {
    const svg = $('wires');
    const box = $('pipeline').getBoundingClientRect();
    svg.setAttribute('width', box.width);
    svg.setAttribute('height', box.height);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const card = (column, name) => [...$(column).querySelectorAll('.card')].find(c => c.dataset.name === name);
    const engine = $('engine').querySelector('.card').getBoundingClientRect();
    const clampY = y => Math.min(Math.max(y, engine.top + 12), engine.bottom - 12);
    function wire(x1, y1, x2, y2, className) {
      const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
      const dx = Math.max(20, (x2 - x1) / 2);
      path.setAttribute('d', `M${x1 - box.left},${y1 - box.top} C${x1 - box.left + dx},${y1 - box.top} `
        + `${x2 - box.left - dx},${y2 - box.top} ${x2 - box.left},${y2 - box.top}`);
      path.setAttribute('class', className);
      svg.appendChild(path);
    }
    const mid = r => r.top + Math.min(r.height / 2, 18);
    for (const s of status.sourceStreams) {
      const streamCard = card('source-streams', s.name).getBoundingClientRect();
      const kind = 'wire' + (s.stuck ? ' stuck' : '');
      const from = s.connection && card('source-connectors', s.connection);
      if (from) {
        const r = from.getBoundingClientRect();
        wire(r.right, mid(r), streamCard.left, mid(streamCard), kind);
      }
      wire(streamCard.right, mid(streamCard), engine.left, clampY(mid(streamCard)), kind);
    }
    for (const s of status.sinkStreams) {
      const streamCard = card('sink-streams', s.name).getBoundingClientRect();
      const kind = 'wire' + (s.stuck ? ' stuck' : '');
      wire(engine.right, clampY(mid(streamCard)), streamCard.left, mid(streamCard), kind);
      const to = s.connection && card('sink-connectors', s.connection);
      if (to) {
        const r = to.getBoundingClientRect();
        wire(streamCard.right, mid(streamCard), r.left, mid(r), kind);
      }
    }
  }

  // ---- a cluster: who serves which partition ----
  function drawCluster(cluster) {
    $('cluster').hidden = !cluster;
    if (!cluster) return;
    const owner = new Map();
    cluster.members.forEach((m, i) => m.partitions.forEach(p => owner.set(p, i)));
    $('cluster-summary').textContent = `Cluster ${cluster.name} (Kafka at ${cluster.kafka}): this engine is `
      + `${cluster.self} and serves ${cluster.owned.length} of ${cluster.partitions} partitions; `
      + (cluster.unowned.length === 0 ? 'every partition has an engine.'
        : `${cluster.unowned.length} without one for ${cluster.unownedForSeconds.toFixed(1)} s.`);
    const strip = $('partitions');
    strip.replaceChildren();
    for (let p = 0; p < cluster.partitions; p++) {
      const cell = el('span', 'partition', String(p));
      if (owner.has(p)) {
        cell.style.background = `hsl(${(owner.get(p) * 67) % 360} 60% 75%)`;
        cell.title = 'served by ' + cluster.members[owner.get(p)].address;
      } else {
        cell.classList.add('unowned');
        cell.title = 'no engine serves it';
      }
      if (cluster.owned.includes(p)) cell.classList.add('mine');
      strip.appendChild(cell);
    }
    const body = $('members').querySelector('tbody');
    body.replaceChildren();
    cluster.members.forEach((m, i) => {
      const tr = el('tr');
      const address = el('td', null, m.address + (m.address === cluster.self ? ' (this engine)' : ''));
      address.style.borderLeft = `6px solid hsl(${(i * 67) % 360} 60% 75%)`;
      tr.appendChild(address);
      tr.appendChild(el('td', null, m.sinkPort < 0 ? '?' : String(m.sinkPort)));
      const admin = el('td');
      if (m.adminPort > 0) {
        const link = el('a', null, 'web view');
        link.href = `http://${m.address.replace(/:\d+$/, '')}:${m.adminPort}/`;
        admin.appendChild(link);
      } else {
        admin.textContent = 'none';
      }
      tr.appendChild(admin);
      tr.appendChild(el('td', null, m.partitions.join(', ')));
      body.appendChild(tr);
    });
  }

  // ---- the curves ----
  function perSecond(now, before, seconds) {
    return before === undefined || seconds <= 0 || now < before ? null : (now - before) / seconds;
  }

  function record(status) {
    const time = Date.parse(status.time) / 1000;
    const seconds = previous ? time - Date.parse(previous.time) / 1000 : 0;
    const before = name => previous && previous.sourceStreams.find(s => s.name === name);
    const beforeSink = name => previous && previous.sinkStreams.find(s => s.name === name);
    const throughput = new Map();
    const lag = new Map();
    for (const s of status.sourceStreams) {
      const b = before(s.name);
      throughput.set('in: ' + s.name, perSecond(s.messagesIn, b && b.messagesIn, seconds));
      lag.set(s.name, s.acknowledgementLag);
    }
    const pending = new Map();
    for (const s of status.sinkStreams) {
      const b = beforeSink(s.name);
      throughput.set('out: ' + s.name, perSecond(s.outputsCommitted, b && b.outputsCommitted, seconds));
      pending.set(s.name, s.pendingOutputs);
    }
    histories.throughput.push(time, throughput);
    histories.pending.push(time, pending);
    histories.lag.push(time, lag);
    const slots = new Map();
    for (const admin of status.sourceAdmins || []) {
      for (const s of admin.streams) {
        if (s.slotLagBytes !== null) slots.set(s.stream + (s.slot ? ' (' + s.slot + ')' : ''), s.slotLagBytes);
      }
    }
    histories.slot.push(time, slots);
    const k = status.checkpoints;
    histories.checkpointDuration.push(time, new Map(k ? [['duration', k.lastDurationSeconds * 1000]] : []));
    histories.checkpointSize.push(time, new Map(k ? [['size', k.lastBytes]] : []));
    previous = status;
  }

  function drawCharts(status) {
    const admins = status.sourceAdmins || [];
    $('chart-slot').hidden = admins.length === 0;
    $('chart-checkpoint-duration').hidden = !status.checkpoints;
    $('chart-checkpoint-size').hidden = !status.checkpoints;
    for (const [name, chart] of Object.entries(charts)) {
      if (!chart.figure.hidden) chart.update(histories[name]);
    }
    const note = $('slot-note');
    note.hidden = admins.length === 0;
    note.textContent = admins.map(a => `${a.url}: ` + (a.reachable ? `read ${a.ageSeconds} s ago`
      : `not reachable (${a.error})`)).join(' · ');
  }

  // ---- polling ----
  function show(status) {
    updates++;
    document.body.dataset.updates = String(updates);
    $('application').textContent = status.application;
    $('phase').textContent = status.phase;
    $('phase').className = 'badge ' + status.phase;
    $('updated').textContent = 'updated ' + new Date(status.time).toLocaleTimeString();
    $('stuck-after').textContent = String(status.stuckAfterSeconds);
    $('unreachable').hidden = true;
    failingSince = null;
    record(status);
    drawPipeline(status);
    drawCluster(status.cluster);
    drawCharts(status);
  }

  function unreachable(reason) {
    failingSince = failingSince || new Date();
    const banner = $('unreachable');
    banner.textContent = `Cannot reach the engine since ${failingSince.toLocaleTimeString()} (${reason}); `
      + 'still asking every second.';
    banner.hidden = false;
    $('phase').textContent = 'unreachable';
    $('phase').className = 'badge unreachable';
    previous = null; // a gap in the curves, and no rate across it
  }

  async function poll() {
    const started = Date.now();
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), TIMEOUT_MILLIS);
    let status = null;
    try {
      const response = await fetch('/status', {cache: 'no-store', signal: abort.signal});
      if (!response.ok) {
        throw new Error('/status answered HTTP ' + response.status);
      }
      status = await response.json();
    } catch (e) {
      unreachable(e.name === 'AbortError' ? 'no answer within ' + TIMEOUT_MILLIS / 1000 + ' s' : e.message);
    } finally {
      clearTimeout(timer);
      // Once a second from the start of this poll; never back to back, even after a slow answer.
      setTimeout(poll, Math.max(POLL_MILLIS / 4, POLL_MILLIS - (Date.now() - started)));
    }
    if (status !== null) {
      try {
        show(status);
      } catch (e) {
        showPageError(e.message); // a fault of the page, not of the engine: say so, keep polling
      }
    }
  }

  window.addEventListener('resize', () => {
    Object.values(charts).forEach(chart => chart.resize());
    if (previous) drawWires(previous);
  });
  poll();
})();
