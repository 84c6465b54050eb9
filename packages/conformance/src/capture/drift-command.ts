import { parseArgs } from 'node:util';
import { CaptureError } from './capture-error.ts';
import { drift } from './drift.ts';
import { oneDevice } from './one-device.ts';
import { readCapture } from './read-capture.ts';

/** The `--help` text of `ota-conformance drift`. */
export const driftUsage = `Usage: ota-conformance drift <capture> [--json]

Replays each device call of a recorded session (ota-mock --upstream, a HAR file) against a fresh mock seeded to
what the session shows, and lists where the recorded answer differs from the mock's: status, errno or code, the
envelope's fields, Content-Type, Content-Range, Ota-Errno, the framing and the one-byte error. Each difference
names the DECISIONS record or protocol fact it bears on. Exit status 0 when none differ, 1 when some do, 2 for a
bad command line or capture.

  --json       print the differences as JSON
  --device <id>  the device to replay in a capture of several: its dev_id, or pid/name
  -h, --help   this text
`;

/** Runs `ota-conformance drift`; returns the exit status. */
export async function runDrift(argv: string[], out: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      device: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(driftUsage);
    return 0;
  }
  const [file, ...rest] = positionals;
  if (!file || rest.length > 0) throw new CaptureError('drift takes one capture file: ota-conformance drift <capture>');
  const capture = oneDevice(await readCapture(file), values.device);
  const { generation, drifts } = await drift(capture);
  if (values.json) {
    out(`${JSON.stringify({ generation, drifts }, null, 2)}\n`);
    return drifts.length === 0 ? 0 : 1;
  }
  out(`Drift of ${file} (${capture.entries.length} exchanges, ${generation}) against the mock:\n`);
  for (const d of drifts) {
    const where = [...new Set(d.calls.map((c) => c.operation))].join(', ');
    out(
      `  ${d.aspect}: recorded ${d.recorded}, mock ${d.mock} — ${d.calls.length} call(s) (${where}; first #${d.calls[0]?.seq}) — bears on ${d.bearsOn}\n`,
    );
  }
  out(
    drifts.length === 0
      ? '  none: every recorded answer is what the mock answers\n'
      : `${drifts.length} difference(s)\n`,
  );
  return drifts.length === 0 ? 0 : 1;
}
