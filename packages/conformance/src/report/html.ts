import type { JournalEntry } from '@onenet-ota/mock-server';
import { type CaseResult, type RunResult, verdicts } from '../types.ts';
import { escapeMarkup as e } from './escape.ts';
import { outcome } from './outcome.ts';
import { protocolAppendix, refLinks } from './protocol-excerpts.ts';
import { downloadTimeline } from './timeline.ts';

const colors: Record<string, string> = {
  pass: '#1a7f37',
  warn: '#9a6700',
  fail: '#cf222e',
  timeout: '#cf222e',
  error: '#8250df',
  skip: '#6e7781',
  disabled: '#6e7781',
};

// The protocol's quotes are Chinese: fonts that have its glyphs, named before the generic family so a machine
// without them in its default font shows them from one it has (Debian: fonts-noto-cjk) rather than as boxes.
const cjkFonts = '"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei"';

/** One self-contained HTML file: the summary, then each case with its rule, findings, states and transcript. */
export function htmlReport(result: RunResult): string {
  const summary = verdicts
    .filter((v) => result.counts[v] > 0)
    .map((v) => `<span class="badge" style="background:${colors[v]}">${result.counts[v]} ${v}</span>`)
    .join(' ');
  const rows = result.cases
    .map(
      (c) =>
        `<tr><td><a href="#${c.id}">${e(c.id)}</a></td><td>${verdictBadge(c)}</td><td>${e(c.level)}</td><td>${e(c.title)}</td><td>${(c.durationMs / 1000).toFixed(1)} s</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OneNET OTA conformance — ${e(outcome(result).text)}</title>
<style>
body{font:14px/1.45 system-ui,${cjkFonts},sans-serif;margin:2rem auto;max-width:1100px;color:#1f2328;padding:0 1rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border-bottom:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
.badge{color:#fff;border-radius:1em;padding:.05em .6em;font-size:12px;white-space:nowrap}
section{border:1px solid #d0d7de;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
code,pre,.mono{font-family:ui-monospace,"Noto Sans Mono CJK SC",monospace;font-size:12px}pre{white-space:pre-wrap;margin:0}
details summary{cursor:pointer}.finding{color:#cf222e}.muted{color:#6e7781}
td.mono{overflow-wrap:anywhere}figure{margin:.5rem 0}section.protocol h3{font-size:14px;margin:.3rem 0}svg.timeline{max-width:100%;height:auto}tr.faulted{background:#fff8c5}.fault{color:#9a6700;font-weight:600}
</style></head><body>
<h1>OneNET OTA conformance</h1>
<p><b>${outcome(result).conforms ? 'The device conforms.' : result.ok ? `A partial run: ${e(outcome(result).text)}.` : 'The device does not conform.'}</b> ${summary}</p>
<p class="muted">Device: ${e(result.device)} · ${e(profileText(result))} · ${e(result.startedAt)} → ${e(result.finishedAt)}</p>
<p class="muted">Device clock: ${e(result.deviceClock.how)}</p>
<table><tr><th>Rule</th><th>Verdict</th><th>Level</th><th>Title</th><th>Time</th></tr>
${rows}
</table>
${result.cases.map(caseSection).join('\n')}
${protocolAppendix(result.cases.map((c) => c.ref))}
</body></html>
`;
}

function profileText({ profile: p }: RunResult): string {
  return `type ${p.type === 1 ? 'FOTA' : 'SOTA'}, manuf ${p.manuf}, model ${p.model}, ${p.version} → ${p.target}, fragments of ${p.fragmentSize} bytes`;
}

/** Escaped text with its `code` spans set as code. */
function prose(text: string): string {
  return e(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function verdictBadge(c: CaseResult): string {
  return `<span class="badge" style="background:${colors[c.verdict]}">${c.verdict}${c.expected ? ' (expected)' : ''}</span>`;
}

function caseSection(c: CaseResult): string {
  const findings = c.findings.length
    ? `<ul>${c.findings.map((f) => `<li class="${['fail', 'warn', 'timeout', 'error'].includes(c.verdict) ? 'finding' : ''}">${e(f)}</li>`).join('')}</ul>`
    : '<p>No findings.</p>';
  const evidence = c.evidence.length
    ? `<p>Evidence:</p><ul>${c.evidence.map((line) => `<li>${e(line)}</li>`).join('')}</ul>`
    : '';
  const states = c.states.length
    ? `<p>States: ${c.states.map((s) => `<span class="mono">${e(s.state)}</span> <span class="muted">(#${s.seq}, ${e(s.time)})</span>`).join(' → ')}</p>`
    : '';
  const device = c.device
    ? `<details><summary>Device output (exit ${c.device.exitCode ?? c.device.signal ?? 'unknown'}; ${c.device.stdoutBytes} bytes on stdout, ${c.device.stderrBytes} on stderr, the last 64 KiB of each kept)</summary><pre>${e(c.device.stdout)}\n${e(c.device.stderr)}</pre></details>`
    : '';
  return `<section id="${e(c.id)}"><h2>${e(c.id)} ${verdictBadge(c)} <small>${e(c.level)} · protocol ${refLinks(c.ref)}</small></h2>
<p><b>${e(c.title)}.</b> ${prose(c.description)}</p>${c.expected ? `<p>Known gap: ${e(c.expected)}</p>` : ''}
${findings}${evidence}${states}${timeline(c)}${device}
<details${failed(c) ? ' open' : ''}><summary>HTTP transcript (${c.transcript.length} requests, secrets redacted)</summary>${transcript(c.transcript)}</details></section>`;
}

function timeline(c: CaseResult): string {
  const svg = downloadTimeline(c.transcript, c.states);
  return svg
    ? `<figure>${svg}<figcaption class="muted">Bytes served: a bar per download request, from its first byte to the last that went out (hollow: cut short; ⚡ amber: a fault acted on it); dashed: the device's state changes. Hover a bar for its request.</figcaption></figure>`
    : '';
}

/** A case whose transcript the reader needs at once: it opens expanded. */
function failed(c: CaseResult): boolean {
  return c.verdict === 'fail' || c.verdict === 'timeout' || c.verdict === 'error';
}

function transcript(entries: JournalEntry[]): string {
  // The Authorization a device sends rarely changes: shown where it does, not on every row.
  let lastAuth: string | undefined;
  const rows = entries
    .map((entry) => {
      const range = entry.request.headers.range ? ` Range: ${entry.request.headers.range}` : '';
      const sent = entry.request.headers.authorization;
      const auth = sent && sent !== lastAuth ? `<br><span class="muted">Authorization: ${e(sent)}</span>` : '';
      lastAuth = sent ?? lastAuth;
      const fault = entry.faults.length
        ? `<br><span class="fault">fault ${e(entry.faults.join(', '))} acted on this request</span>`
        : '';
      const query = new URLSearchParams(entry.request.query).toString();
      const body = entry.request.body?.json ? ` ${JSON.stringify(entry.request.body.json)}` : '';
      const answer = entry.response.body?.json
        ? JSON.stringify(entry.response.body.json)
        : `${entry.response.bytesSent} bytes${entry.response.aborted ? ', cut' : ''}`;
      return `<tr${entry.faults.length ? ' class="faulted"' : ''}><td>${entry.seq}</td><td class="mono">${e(entry.time.slice(11, 23))}</td><td class="mono">${e(entry.request.method)} ${e(entry.request.path)}${query ? `?${e(query)}` : ''}${e(range)}${e(body)}${auth}</td><td class="mono">${entry.response.status}${entry.errno === undefined ? '' : ` errno ${entry.errno}`}<br>${e(answer.slice(0, 300))}${entry.note ? `<br><span class="muted">${e(entry.note)}</span>` : ''}${fault}</td></tr>`;
    })
    .join('\n');
  return `<table><tr><th>#</th><th>Platform time</th><th>Request</th><th>Answer</th></tr>${rows}</table>`;
}
