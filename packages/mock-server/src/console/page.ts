import { consoleScript } from './generated/script.ts';

/**
 * The console's page: a static shell the script fills. Everything is inline or from this platform (a bench LAN
 * often has no internet). The script is loaded with the page's own query, so an `access_token` reaches it.
 */
const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ota-mock console</title>
<link rel="icon" href="data:,">
<style>
:root { color-scheme: light dark; --line: #8884; --muted: #888; --accent: #2f6fde; --bad: #c0392b; --good: #2e8540; --warn: #b7791f; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; }
header { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; padding: .6rem 1rem; border-bottom: 1px solid var(--line); position: sticky; top: 0; background: Canvas; z-index: 1; }
header h1 { font-size: 1rem; margin: 0; }
main { padding: 0 1rem 2rem; display: grid; gap: 1rem; }
section h2 { font-size: .95rem; margin: 1rem 0 .4rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: .8rem; }
code, .mono { font-family: ui-monospace, monospace; font-size: .85rem; }
button, select, input { font: inherit; padding: .15rem .5rem; }
.muted { color: var(--muted); }
.state { font-weight: 600; }
.state-failed, .state-canceled, .bad { color: var(--bad); }
.state-succeeded, .good { color: var(--good); }
.warn { color: var(--warn); }
.bar { width: 12rem; height: .8rem; border: 1px solid var(--line); border-radius: .4rem; overflow: hidden; display: inline-block; vertical-align: middle; }
.bar > span { display: block; height: 100%; background: var(--accent); transition: width .2s; }
#journal .row { cursor: pointer; }
#journal .row:hover { background: #8881; }
#journal pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: .3rem 0; max-height: 24rem; overflow: auto; }
#message { min-height: 1.2rem; }
#live[data-live="true"] { color: var(--good); }
</style>
</head>
<body>
<header>
  <h1>ota-mock console</h1>
  <span>platform time <code id="clock">…</code></span>
  <span id="clock-controls">advance
    <button data-advance="60000">+1 min</button>
    <button data-advance="3600000">+1 h</button>
    <button data-advance="172800000">+48 h</button>
  </span>
  <span id="live" data-live="false">connecting…</span>
  <span id="message" role="status"></span>
</header>
<main>
  <section><h2>Tasks</h2><div id="tasks" class="muted">loading…</div></section>
  <section><h2>Devices in tasks</h2><div id="devices" class="muted">loading…</div></section>
  <section><h2>Products, devices and packages</h2><div id="inventory" class="muted">loading…</div></section>
  <section><h2>Journal</h2>
    <p><input id="filter" placeholder="filter: device id, operation, status…" size="40"> <span id="journal-count" class="muted"></span></p>
    <table id="journal"><thead><tr><th>seq</th><th>platform time</th><th>device</th><th>operation</th><th>answer</th><th>detail</th></tr></thead><tbody></tbody></table>
  </section>
</main>
<script type="module">import('./ui/app.js' + location.search);</script>
</body>
</html>
`;

/** `GET /__mock/ui`: the web console. */
export function getConsole(): Response {
  return new Response(page, { headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' } });
}

/** `GET /__mock/ui/app.js`: its script, built with the SDK's management client. */
export function getConsoleScript(): Response {
  return new Response(consoleScript, {
    headers: { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}
