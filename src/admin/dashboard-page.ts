/**
 * The admin dashboard (`GET /ui`): one self-contained HTML page — inline CSS and script, no CDN,
 * no fonts, no build step — that polls `ui/data` every 2 s and draws what it gets. The page holds
 * no data, so it is served without the token; the token (kept in sessionStorage, sent as
 * `Authorization: Bearer`) guards the data. It runs under the CSP `DASHBOARD_CSP`: no eval, no
 * inline event handlers, no innerHTML — every server string reaches the DOM as text.
 * @module
 */

/**
 * `default-src 'none'` blocks everything the page does not name: its own inline script and style,
 * fetches to its own origin, and the `data:` favicon. `base-uri`/`form-action`/`frame-ancestors`
 * are not covered by default-src, so they are closed explicitly (the token form never submits).
 */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// String.raw: the script's regexes and escapes reach the browser exactly as written here. The page
// must therefore contain no backtick and no dollar-brace sequence.
export const DASHBOARD_PAGE = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Portico dashboard</title>
<style>
:root { color-scheme: light dark; --bg: #f6f7f9; --fg: #1d2330; --muted: #667085; --card: #fff; --line: #e2e5ea;
  --ok: #16794c; --ok-bg: #dcf3e6; --bad: #b42318; --bad-bg: #fde4e1; --warn: #946200; --warn-bg: #fdf0cf; --accent: #2f6fde; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #14171c; --fg: #e6e9ef; --muted: #98a2b3; --card: #1d2128; --line: #2e343d;
    --ok: #5fd49a; --ok-bg: #143827; --bad: #ff8a7a; --bad-bg: #4a1d18; --warn: #f5c451; --warn-bg: #43350f; --accent: #7aa7ff; }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 12px; padding: 12px 20px; border-bottom: 1px solid var(--line); background: var(--card); }
header h1 { font-size: 17px; margin: 0 8px 0 0; }
.muted { color: var(--muted); }
.spacer { flex: 1; }
main { padding: 16px 20px 32px; max-width: 1200px; margin: 0 auto; }
section { margin-bottom: 20px; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 8px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.big { font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; }
.unit { font-size: 13px; font-weight: 400; color: var(--muted); }
svg.chart { display: block; width: 100%; height: 80px; margin-top: 6px; }
svg.chart .area { fill: var(--accent); fill-opacity: .15; stroke: none; }
svg.chart .line { fill: none; stroke: var(--accent); stroke-width: 1.5; vector-effect: non-scaling-stroke; }
svg.chart.errors .area { fill: var(--bad); }
svg.chart.errors .line { stroke: var(--bad); }
svg.chart .axis { stroke: var(--line); stroke-width: 1; vector-effect: non-scaling-stroke; }
.chart-foot { display: flex; justify-content: space-between; font-size: 11px; color: var(--muted); }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
tr:last-child td { border-bottom: none; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-all; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; }
.badge.ok { color: var(--ok); background: var(--ok-bg); }
.badge.bad { color: var(--bad); background: var(--bad-bg); }
.badge.warn { color: var(--warn); background: var(--warn-bg); }
.empty { color: var(--muted); font-style: italic; }
pre { white-space: pre-wrap; word-break: break-word; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 8px; margin: 8px 0 0; }
#login { max-width: 420px; margin: 60px auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 20px; }
#login form { display: flex; gap: 8px; margin-top: 8px; }
input, button { font: inherit; padding: 6px 10px; border-radius: 6px; border: 1px solid var(--line); background: var(--bg); color: var(--fg); }
input { flex: 1; min-width: 0; }
button { cursor: pointer; background: var(--accent); color: #fff; border-color: var(--accent); }
button.link { background: none; color: var(--muted); border-color: var(--line); }
.alert { color: var(--bad); margin: 10px 0 0; }
.status[data-state="ok"]::before { content: "\25CF  "; color: var(--ok); }
.status[data-state="error"]::before, .status[data-state="offline"]::before { content: "\25CF  "; color: var(--bad); }
</style>
</head>
<body>
<header>
  <h1>Portico</h1>
  <span class="muted" data-testid="config-version" id="config-version"></span>
  <span class="spacer"></span>
  <span class="status muted" data-testid="status" id="status" data-state="loading">connecting…</span>
  <button type="button" class="link" id="forget" data-testid="forget-token" hidden>Forget token</button>
</header>
<main>
  <section id="login" data-testid="token-prompt" hidden>
    <h2>Admin token</h2>
    <div class="muted">The admin API needs its bearer token (<code>admin.token</code>). It is kept for this tab only.</div>
    <form id="token-form" data-testid="token-form" autocomplete="off">
      <input id="token-input" data-testid="token-input" type="password" autocomplete="off" spellcheck="false" aria-label="Admin token" required>
      <button type="submit" data-testid="token-submit">Open</button>
    </form>
    <p class="alert" id="auth-error" data-testid="auth-error" role="alert" hidden></p>
  </section>

  <div id="content" data-testid="dashboard" hidden>
    <section class="cards">
      <div class="card">
        <h2>Requests</h2>
        <div class="big"><span id="rps" data-testid="rps">–</span> <span class="unit">req/s</span></div>
        <svg class="chart" id="rps-chart" data-testid="rps-chart" viewBox="0 0 300 80" preserveAspectRatio="none" role="img" aria-label="Requests per second"></svg>
        <div class="chart-foot"><span id="window-label"></span><span>max <span id="rps-max">0</span>/s</span></div>
      </div>
      <div class="card">
        <h2>Errors (5xx)</h2>
        <div class="big"><span id="eps" data-testid="error-rate">–</span> <span class="unit">5xx/s</span> <span class="unit" id="err-pct" data-testid="error-percent"></span></div>
        <svg class="chart errors" id="eps-chart" data-testid="error-chart" viewBox="0 0 300 80" preserveAspectRatio="none" role="img" aria-label="5xx responses per second"></svg>
        <div class="chart-foot"><span id="window-label-2"></span><span>max <span id="eps-max">0</span>/s</span></div>
      </div>
      <div class="card">
        <h2>Since start</h2>
        <div>Requests: <span class="big" id="total-requests" data-testid="total-requests">–</span></div>
        <div>5xx: <span class="big" id="total-errors" data-testid="total-errors">–</span></div>
        <div class="muted" id="totals-note"></div>
      </div>
    </section>

    <section>
      <h2>Routes</h2>
      <table>
        <thead><tr><th>ID</th><th>Path</th><th>Methods</th><th>Domains</th><th>Target</th></tr></thead>
        <tbody id="routes" data-testid="routes"></tbody>
      </table>
    </section>

    <section>
      <h2>Backends</h2>
      <table>
        <thead><tr><th>Pool</th><th>URL</th><th>Health</th><th class="num">Latency (EWMA)</th><th class="num">In flight</th><th class="num">Weight</th></tr></thead>
        <tbody id="backends" data-testid="backends"></tbody>
      </table>
    </section>

    <section>
      <h2>Circuit breakers</h2>
      <table>
        <thead><tr><th>Route</th><th>State</th><th class="num">Retry after</th></tr></thead>
        <tbody id="breakers" data-testid="breakers"></tbody>
      </table>
    </section>

    <section>
      <h2>Last reload</h2>
      <div class="card" id="reload" data-testid="reload"></div>
    </section>
  </div>
</main>
<script>
(function () {
  'use strict';
  var TOKEN_KEY = 'portico.admin.token';
  var POLL_MS = 2000;
  var WINDOW_MS = 5 * 60 * 1000;
  var SVG_NS = 'http://www.w3.org/2000/svg';
  // Relative to wherever the page is served: /ui on the admin listener, <prefix>/ui on Workers.
  var dataUrl = location.pathname.replace(/\/+$/, '') + '/data';

  var samples = []; // { t, requests, errors }: server totals, in server time
  var rates = []; // { t, rps, eps }: per-second deltas between successive samples
  var timer = 0;
  var memoryToken = null;

  function $(id) { return document.getElementById(id); }

  // sessionStorage can be unavailable (privacy modes, sandboxing): fall back to this tab's memory.
  function getToken() {
    try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return memoryToken; }
  }
  function setToken(value) {
    memoryToken = value;
    try {
      if (value === null) sessionStorage.removeItem(TOKEN_KEY); else sessionStorage.setItem(TOKEN_KEY, value);
    } catch (e) { /* memory only */ }
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function badge(text, kind) { return el('span', text, 'badge ' + kind); }
  function cell(content, cls) {
    var td = el('td', null, cls);
    if (content instanceof Node) td.appendChild(content); else td.textContent = content === undefined || content === null ? '' : String(content);
    return td;
  }
  function emptyRow(columns, text) {
    var tr = el('tr');
    var td = cell(text, 'empty');
    td.colSpan = columns;
    tr.appendChild(td);
    return tr;
  }
  function fmtRate(n) {
    if (!isFinite(n) || n <= 0) return '0';
    if (n < 10) return n.toFixed(2);
    if (n < 100) return n.toFixed(1);
    return String(Math.round(n));
  }
  function fmtTime(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
  }

  function setStatus(state, text) {
    var s = $('status');
    s.setAttribute('data-state', state);
    s.textContent = text;
  }

  function askToken(message) {
    clearTimeout(timer);
    $('content').hidden = true;
    $('forget').hidden = true;
    $('login').hidden = false;
    var err = $('auth-error');
    err.textContent = message || '';
    err.hidden = !message;
    setStatus('auth', 'token required');
    var input = $('token-input');
    input.value = '';
    input.focus();
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(poll, POLL_MS);
  }

  async function poll() {
    clearTimeout(timer);
    var token = getToken();
    var headers = new Headers({ accept: 'application/json' });
    if (token) headers.set('authorization', 'Bearer ' + token);
    var res;
    try {
      res = await fetch(dataUrl, { headers: headers, cache: 'no-store', credentials: 'omit' });
    } catch (e) {
      setStatus('offline', 'admin unreachable — retrying');
      schedule();
      return;
    }
    if (res.status === 401) {
      if (token) setToken(null);
      askToken(token ? 'The token was refused.' : '');
      return;
    }
    if (!res.ok) {
      setStatus('error', 'data endpoint answered HTTP ' + res.status + ' — retrying');
      schedule();
      return;
    }
    var data;
    try {
      data = await res.json();
    } catch (e) {
      setStatus('error', 'unreadable answer — retrying');
      schedule();
      return;
    }
    $('login').hidden = true;
    $('content').hidden = false;
    $('forget').hidden = !token;
    try {
      render(data);
      setStatus('ok', 'updated ' + new Date().toLocaleTimeString());
    } catch (e) {
      setStatus('error', 'cannot display: ' + (e && e.message ? e.message : String(e)));
    }
    schedule();
  }

  function render(d) {
    $('config-version').textContent = 'config v' + d.version + ' · loaded ' + fmtTime(d.loaded_at);
    renderTotals(d);
    renderRoutes(d.routes || []);
    renderBackends(d.backends || []);
    renderBreakers(d.circuit_breakers || []);
    renderReload(d.reload, d);
  }

  function renderTotals(d) {
    var totals = d.totals;
    if (!totals) {
      $('totals-note').textContent = 'No metrics registry on this runtime.';
      return;
    }
    var t = Date.parse(d.time);
    var prev = samples.length ? samples[samples.length - 1] : null;
    // A smaller total means the gateway restarted: the old history no longer connects.
    if (prev && (totals.requests < prev.requests || totals.errors_5xx < prev.errors || !(t > prev.t))) {
      samples = [];
      rates = [];
      prev = null;
    }
    samples.push({ t: t, requests: totals.requests, errors: totals.errors_5xx });
    if (prev) {
      var dt = (t - prev.t) / 1000;
      rates.push({ t: t, rps: (totals.requests - prev.requests) / dt, eps: (totals.errors_5xx - prev.errors) / dt });
    }
    while (samples.length > 2 && samples[0].t < t - WINDOW_MS) samples.shift();
    while (rates.length && rates[0].t < t - WINDOW_MS) rates.shift();

    $('total-requests').textContent = String(totals.requests);
    $('total-errors').textContent = String(totals.errors_5xx);
    $('totals-note').textContent = '';
    var last = rates.length ? rates[rates.length - 1] : null;
    var rps = $('rps');
    var eps = $('eps');
    rps.textContent = last ? fmtRate(last.rps) : '–';
    rps.setAttribute('data-value', last ? String(last.rps) : '');
    eps.textContent = last ? fmtRate(last.eps) : '–';
    eps.setAttribute('data-value', last ? String(last.eps) : '');
    $('err-pct').textContent = last && last.rps > 0 ? '(' + ((100 * last.eps) / last.rps).toFixed(1) + '%)' : '';
    // The x axis grows with the history (1 min at least, WINDOW_MS at most), so a fresh page
    // shows a readable line rather than a sliver at the right edge.
    var span = rates.length ? t - rates[0].t + POLL_MS : 0;
    var shown = Math.min(WINDOW_MS, Math.max(60000, span));
    var label = 'last ' + (shown < 120000 ? Math.round(shown / 1000) + ' s' : Math.round(shown / 60000) + ' min');
    $('window-label').textContent = label;
    $('window-label-2').textContent = label;
    $('rps-max').textContent = fmtRate(drawChart($('rps-chart'), 'rps', t, shown));
    $('eps-max').textContent = fmtRate(drawChart($('eps-chart'), 'eps', t, shown));
  }

  // Hand-drawn SVG: x is server time over the shown span, y is scaled to the span's peak.
  function drawChart(svg, key, now, shown) {
    var W = 300;
    var H = 80;
    var max = 0;
    var from = 0;
    while (from < rates.length && rates[from].t < now - shown) from++;
    for (var i = from; i < rates.length; i++) if (rates[i][key] > max) max = rates[i][key];
    var scale = max > 0 ? max : 1;
    var pts = [];
    for (var j = from; j < rates.length; j++) {
      var x = W - ((now - rates[j].t) / shown) * W;
      var y = H - 2 - (rates[j][key] / scale) * (H - 6);
      pts.push(x.toFixed(1) + ',' + y.toFixed(1));
    }
    var axis = document.createElementNS(SVG_NS, 'line');
    axis.setAttribute('class', 'axis');
    axis.setAttribute('x1', '0');
    axis.setAttribute('x2', String(W));
    axis.setAttribute('y1', String(H - 1));
    axis.setAttribute('y2', String(H - 1));
    var nodes = [axis];
    if (pts.length) {
      var first = pts[0].split(',')[0];
      var lastX = pts[pts.length - 1].split(',')[0];
      var area = document.createElementNS(SVG_NS, 'polygon');
      area.setAttribute('class', 'area');
      area.setAttribute('points', first + ',' + H + ' ' + pts.join(' ') + ' ' + lastX + ',' + H);
      var line = document.createElementNS(SVG_NS, 'polyline');
      line.setAttribute('class', 'line');
      line.setAttribute('points', pts.length === 1 ? pts[0] + ' ' + pts[0] : pts.join(' '));
      nodes.push(area, line);
    }
    svg.replaceChildren.apply(svg, nodes);
    svg.setAttribute('data-points', String(rates.length - from));
    svg.setAttribute('data-max', String(max));
    return max;
  }

  function renderRoutes(routes) {
    var body = $('routes');
    if (!routes.length) return body.replaceChildren(emptyRow(5, 'no routes'));
    body.replaceChildren.apply(body, routes.map(function (r) {
      var tr = el('tr');
      tr.setAttribute('data-testid', 'route-row');
      tr.setAttribute('data-route', r.id);
      var path = el('code', r.path + (r.path_prefix ? ' (prefix)' : ''));
      tr.append(
        cell(el('code', r.id)),
        cell(path),
        cell(r.methods && r.methods.length ? r.methods.join(', ') : 'any'),
        cell(r.domains && r.domains.length ? r.domains.join(', ') : 'any'),
        cell(el('code', r.target))
      );
      return tr;
    }));
  }

  function healthOf(b) {
    if (!b.healthy) return 'unhealthy';
    if (b.ejected_until) return 'ejected';
    return 'healthy';
  }

  function renderBackends(backends) {
    var body = $('backends');
    if (!backends.length) return body.replaceChildren(emptyRow(6, 'no proxied backends (echo routes only)'));
    body.replaceChildren.apply(body, backends.map(function (b) {
      var health = healthOf(b);
      var tr = el('tr');
      tr.setAttribute('data-testid', 'backend-row');
      tr.setAttribute('data-url', b.url);
      tr.setAttribute('data-health', health);
      var h = badge(health, health === 'healthy' ? 'ok' : health === 'ejected' ? 'warn' : 'bad');
      h.setAttribute('data-testid', 'backend-health');
      var hc = cell(h);
      if (health === 'ejected') hc.appendChild(el('div', 'until ' + fmtTime(b.ejected_until), 'muted'));
      var pool = b.upstream !== undefined ? b.upstream : b.route !== undefined ? 'route ' + b.route : '';
      var latency = cell(b.ewma_ms > 0 ? b.ewma_ms.toFixed(1) + ' ms' : '–', 'num');
      latency.setAttribute('data-testid', 'backend-latency');
      tr.append(cell(pool), cell(el('code', b.url)), hc, latency, cell(b.inflight, 'num'), cell(b.weight, 'num'));
      return tr;
    }));
  }

  function renderBreakers(breakers) {
    var body = $('breakers');
    if (!breakers.length) return body.replaceChildren(emptyRow(3, 'no route has a circuit breaker'));
    body.replaceChildren.apply(body, breakers.map(function (cb) {
      var tr = el('tr');
      tr.setAttribute('data-testid', 'breaker-row');
      tr.setAttribute('data-route', cb.route);
      tr.setAttribute('data-state', cb.state);
      var kind = cb.state === 'closed' ? 'ok' : cb.state === 'open' ? 'bad' : 'warn';
      tr.append(cell(el('code', cb.route)), cell(badge(cb.state.replace('_', '-'), kind)), cell(cb.retry_after_s > 0 ? cb.retry_after_s + ' s' : '–', 'num'));
      return tr;
    }));
  }

  function renderReload(r, d) {
    var box = $('reload');
    if (!r) {
      box.setAttribute('data-result', 'none');
      box.replaceChildren(el('span', 'No reload since start: config v' + d.version + ' loaded ' + fmtTime(d.loaded_at) + '.', 'muted'));
      return;
    }
    box.setAttribute('data-result', r.ok ? 'ok' : 'failed');
    var head = el('div');
    head.append(
      badge(r.ok ? 'applied' : 'rejected', r.ok ? 'ok' : 'bad'),
      el('span', ' version ' + r.version + ' · ' + fmtTime(r.at) + (r.trigger ? ' · trigger ' + r.trigger : ''))
    );
    var nodes = [head];
    if (!r.ok) {
      nodes.push(el('div', 'The running config was kept.', 'muted'));
      if (r.error) nodes.push(el('pre', r.error));
    }
    box.replaceChildren.apply(box, nodes);
  }

  $('token-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var value = $('token-input').value.trim();
    // A header value carries visible ASCII only; anything else would make fetch throw.
    if (!/^[\x21-\x7e]+$/.test(value)) {
      askToken('A token is visible ASCII characters without spaces.');
      return;
    }
    setToken(value);
    $('auth-error').hidden = true;
    setStatus('loading', 'checking token…');
    poll();
  });
  $('forget').addEventListener('click', function () {
    setToken(null);
    samples = [];
    rates = [];
    askToken('');
  });

  poll();
})();
</script>
</body>
</html>
`
