import { strategyText } from '../strategy-text.ts';
import type { FleetResult } from './run-fleet.ts';

const states = ['pending', 'downloading', 'upgrading', 'paused', 'succeeded', 'failed', 'canceled'] as const;
const colours: Record<(typeof states)[number], string> = {
  pending: '#8c959f',
  downloading: '#0969da',
  upgrading: '#8250df',
  paused: '#bf8700',
  succeeded: '#1a7f37',
  failed: '#cf222e',
  canceled: '#57606a',
};
const escapeMarkup = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** A duration of platform time as people say it: 3 h 12 min, 45 s. */
export function humanDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** The end-of-run summary, a few lines for the terminal. */
export function fleetSummary(result: FleetResult): string {
  const byState = states
    .filter((s) => result.byState[s] > 0)
    .map((s) => `${s} ${result.byState[s]}`)
    .join(', ');
  const codes = Object.entries(result.lastCodes)
    .sort(([, a], [, b]) => b - a)
    .map(([code, n]) => `${code} ×${n}`)
    .join(', ');
  const times = result.upgradeMs
    ? `p50 ${humanDuration(result.upgradeMs.p50)}, p90 ${humanDuration(result.upgradeMs.p90)}, p99 ${humanDuration(result.upgradeMs.p99)}, max ${humanDuration(result.upgradeMs.max)}`
    : 'none upgraded';
  return [
    `${result.devices} devices, seed ${result.seed}, ${result.packageSize} B package: ${byState}`,
    `last codes: ${codes}`,
    `upgrade time (platform, task found → 201): ${times}`,
    `rollout took ${humanDuration(result.platformMs)} of platform time in ${(result.wallMs / 1000).toFixed(1)} s; ${(result.bytesServed / 2 ** 20).toFixed(1)} MiB served, ${result.bytesPerUpgrade.toFixed(3)}× the package per upgrade; ${result.retries} retries, ${result.reboots} reboots`,
  ].join('\n');
}

/** Devices per state over platform time, stacked, as an inline SVG. */
function statesChart(result: FleetResult): string {
  const width = 760;
  const height = 260;
  const pad = { left: 50, right: 10, top: 10, bottom: 30 };
  const span = Math.max(1, result.timeline.at(-1)?.atMs ?? 1);
  const x = (ms: number) => pad.left + (ms / span) * (width - pad.left - pad.right);
  const y = (n: number) => pad.top + (1 - n / result.devices) * (height - pad.top - pad.bottom);
  const layers: string[] = [];
  const below = result.timeline.map(() => 0);
  for (const state of states) {
    const top = result.timeline.map((sample, i) => (below[i] as number) + sample.byState[state]);
    if (top.every((n, i) => n === below[i])) continue;
    const upper = result.timeline.map((s, i) => `${x(s.atMs).toFixed(1)},${y(top[i] as number).toFixed(1)}`);
    const lower = result.timeline
      .map((s, i) => `${x(s.atMs).toFixed(1)},${y(below[i] as number).toFixed(1)}`)
      .reverse();
    layers.push(
      `<polygon points="${[...upper, ...lower].join(' ')}" fill="${colours[state]}" opacity=".85"><title>${state}</title></polygon>`,
    );
    top.forEach((n, i) => {
      below[i] = n;
    });
  }
  const legend = states
    .map(
      (s, i) =>
        `<rect x="${pad.left + i * 100}" y="${height - 12}" width="10" height="10" fill="${colours[s]}"/><text x="${pad.left + i * 100 + 14}" y="${height - 3}" font-size="11">${s}</text>`,
    )
    .join('');
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui,sans-serif" role="img" aria-label="devices per state over platform time">
${layers.join('\n')}
<text x="${pad.left - 4}" y="${pad.top + 10}" font-size="11" text-anchor="end">${result.devices}</text><text x="${pad.left - 4}" y="${height - pad.bottom}" font-size="11" text-anchor="end">0</text>
<text x="${width - pad.right}" y="${height - pad.bottom + 12}" font-size="11" text-anchor="end">${humanDuration(span)}</text>
<text x="${pad.left}" y="${height - pad.bottom + 12}" font-size="11">platform time from the start →</text>
<text x="${pad.left - 4}" y="${pad.top + 24}" font-size="11" text-anchor="end">devices</text>
${legend}</svg>`;
}

/** The last code each device reported, as horizontal bars. */
function codesChart(result: FleetResult): string {
  const entries = Object.entries(result.lastCodes).sort(([, a], [, b]) => b - a);
  const most = Math.max(1, ...entries.map(([, n]) => n));
  const rows = entries
    .map(([code, n], i) => {
      const colour = code === '201' ? colours.succeeded : code === 'none' ? colours.pending : colours.failed;
      return `<text x="40" y="${i * 22 + 15}" font-size="12" text-anchor="end">${escapeMarkup(code)}</text><rect x="46" y="${i * 22 + 3}" width="${((n / most) * 600).toFixed(1)}" height="16" fill="${colour}"/><text x="${52 + (n / most) * 600}" y="${i * 22 + 15}" font-size="12">${n}</text>`;
    })
    .join('');
  return `<svg viewBox="0 0 760 ${entries.length * 22 + 6}" width="760" height="${entries.length * 22 + 6}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui,sans-serif" role="img" aria-label="last reported codes">${rows}</svg>`;
}

/** One self-contained HTML page: the summary, devices per state over platform time, the codes. */
export function fleetReport(result: FleetResult): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ota-fleet: ${result.devices} devices</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:820px;padding:0 1rem}pre{white-space:pre-wrap}</style></head><body>
<h1>OneNET OTA rollout to ${result.devices} simulated devices</h1>
<pre>${escapeMarkup(fleetSummary(result))}</pre>
<p>Strategy: ${escapeMarkup(strategyText(result.strategy))}</p>
<h2>Devices per state over platform time</h2>${statesChart(result)}
<h2>Last code each device reported</h2>${codesChart(result)}
<p>105: battery not above the task's threshold, 106: signal not above it, 207: retries used up, 205: md5, 208: deadline; "none": never reported (still pending when devices stopped polling).</p>
</body></html>
`;
}
