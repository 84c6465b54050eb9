import type { JournalEntry } from '@onenet-ota/mock-server';
import { downloads } from '../evidence.ts';
import type { StateChange } from '../types.ts';
import { escapeMarkup as e } from './escape.ts';

const width = 760;
const height = 200;
const left = 56;
const right = 12;
const top = 34;
const bottom = 28;

const kib = (bytes: number) => (bytes >= 10_240 ? `${Math.round(bytes / 1024)} KiB` : `${bytes} B`);

/**
 * A case's download as an inline SVG: each fragment served is a bar from the first byte it carried to the last
 * byte that went out, placed at the platform time it was asked for; bars a fault acted on are drawn in the fault
 * colour with a mark, cut-short ones hollow, and the device's state changes are dashed lines. When the platform
 * clock did not move during the case, requests are spread in the order they came (and the axis says so).
 * Empty when the case downloaded nothing.
 */
export function downloadTimeline(entries: JournalEntry[], states: StateChange[]): string {
  // Downloads whose answer says where its bytes sit: a 206's Content-Range, or a 200 of the whole package.
  const bars = downloads(entries).filter((d) => d.packageSize !== undefined);
  if (bars.length === 0) return '';
  const total = Math.max(...bars.map((d) => d.packageSize as number));
  const times = entries.map((entry) => Date.parse(entry.time));
  const first = Math.min(...times);
  const span = Math.max(...times) - first;
  const order = new Map(entries.map((entry, i) => [entry.seq, i]));
  const x = (seq: number, time: number) => {
    const fraction = span > 0 ? (time - first) / span : (order.get(seq) ?? 0) / Math.max(1, entries.length - 1);
    return left + fraction * (width - left - right);
  };
  const y = (byte: number) => top + (1 - byte / total) * (height - top - bottom);
  const barWidth = Math.max(2, Math.min(10, (width - left - right) / (bars.length * 1.5)));
  const rects = bars
    .map((d) => {
      const start = d.served?.start ?? 0;
      const end = start + d.bytesSent;
      const cx = x(d.seq, d.time) - barWidth / 2;
      const faulted = d.faults.length > 0;
      const colour = faulted ? '#bf8700' : '#0969da';
      const fill = d.aborted ? 'none' : colour;
      const title = `#${d.seq} ${new Date(d.time).toISOString().slice(11, 23)} Range ${d.range ?? '(none)'} → ${d.status}, ${d.bytesSent} bytes from ${start}${d.aborted ? ', cut short' : ''}${faulted ? `, fault ${d.faults.join(', ')}` : ''}`;
      const mark = faulted
        ? `<text x="${(cx + barWidth / 2).toFixed(1)}" y="${(y(end) - 4).toFixed(1)}" text-anchor="middle" fill="${colour}" font-size="11">⚡</text>`
        : '';
      return `<rect x="${cx.toFixed(1)}" y="${y(end).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${Math.max(1, y(start) - y(end)).toFixed(1)}" fill="${fill}" stroke="${colour}"><title>${e(title)}</title></rect>${mark}`;
    })
    .join('');
  // Labels alternate between two rows, so states that change in quick succession stay readable.
  const lines = states
    .map((state, i) => {
      const at = x(state.seq, Date.parse(state.time)).toFixed(1);
      const row = top - 14 - (i % 2) * 11;
      return `<line x1="${at}" x2="${at}" y1="${row + 2}" y2="${height - bottom}" stroke="#6e7781" stroke-dasharray="3 3"/><text x="${at}" y="${row}" font-size="10" fill="#6e7781" text-anchor="middle">${e(state.state)}</text>`;
    })
    .join('');
  const axis =
    span > 0 ? `platform time, ${(span / 1000).toFixed(1)} s` : 'requests in order (the platform clock did not move)';
  return `<svg class="timeline" role="img" aria-label="download timeline" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui,sans-serif">
<line x1="${left}" x2="${width - right}" y1="${height - bottom}" y2="${height - bottom}" stroke="#d0d7de"/><line x1="${left}" x2="${left}" y1="${top}" y2="${height - bottom}" stroke="#d0d7de"/>
<text x="${left - 4}" y="${top + 4}" font-size="10" text-anchor="end" fill="#6e7781">${kib(total)}</text><text x="${left - 4}" y="${height - bottom}" font-size="10" text-anchor="end" fill="#6e7781">0</text>
<text x="${(left + width - right) / 2}" y="${height - 8}" font-size="10" text-anchor="middle" fill="#6e7781">${e(axis)}</text>
${lines}${rects}</svg>`;
}
