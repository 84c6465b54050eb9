import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { reportDirProblem } from '../cli-checks.ts';
import { consoleLine, consoleSummary } from '../report/console.ts';
import { rules } from '../rules/index.ts';
import { checkSelection, commaList } from '../select.ts';
import { writeReports } from '../write-reports.ts';
import { CaptureError } from './capture-error.ts';
import { judgeCapture } from './judge-capture.ts';
import { oneDevice } from './one-device.ts';
import { readCapture } from './read-capture.ts';

/** The `--help` text of `ota-conformance judge`. */
export const judgeUsage = `Usage: ota-conformance judge <capture> [options]

Judges a recorded session with every rule that can judge one without steering it, and says for each other rule
why it needs the live platform. The capture is the journal's JSON (a recording of ota-mock --upstream, saved from
GET /__mock/journal) or a HAR file (mitmproxy, Charles, a browser). Writes report.json, junit.xml and
report.html. Exit status 0 when nothing failed, 1 when a rule failed, 2 for a bad command line or capture.

  --cases <globs>       rule ids to judge, comma-separated globs (default *)
  --exclude <globs>     rule ids to leave out
  --device <id>         the device to judge in a capture of several: its dev_id, or pid/name
  --report-dir <dir>    where the reports go (default reports/capture)
  -h, --help            this text
`;

/** Runs `ota-conformance judge`; returns the exit status. */
export async function runJudge(argv: string[], out: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      cases: { type: 'string', default: '*' },
      exclude: { type: 'string', default: '' },
      'report-dir': { type: 'string', default: 'reports/capture' },
      device: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out(judgeUsage);
    return 0;
  }
  const [file, ...rest] = positionals;
  if (!file || rest.length > 0) throw new CaptureError('judge takes one capture file: ota-conformance judge <capture>');
  const cases = commaList(values.cases);
  const exclude = commaList(values.exclude);
  checkSelection(cases, rules, '--cases');
  checkSelection(exclude, rules, '--exclude');
  const dir = resolve(values['report-dir']);
  const problem = await reportDirProblem(dir);
  if (problem) throw new CaptureError(problem);
  // Read and checked whole before anything is written: a broken capture leaves no report behind.
  const capture = oneDevice(await readCapture(file), values.device);
  const result = judgeCapture(capture, { cases, exclude, describe: `capture ${file}` });
  out(`OneNET OTA conformance: ${result.device} (${capture.entries.length} exchanges, ${result.profile.generation})\n`);
  for (const c of result.cases) if (c.verdict !== 'disabled') out(`${consoleLine(c)}\n`);
  await writeReports(result, dir);
  out(`${consoleSummary(result)}\nReports: ${join(dir, 'report.html')} (and report.json, junit.xml)\n`);
  return result.ok ? 0 : 1;
}
