import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { htmlReport } from './report/html.ts';
import { junitReport } from './report/junit.ts';
import type { RunResult } from './types.ts';

/** Writes report.json, junit.xml and report.html of a run into `dir`. */
export async function writeReports(result: RunResult, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'report.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(dir, 'junit.xml'), junitReport(result));
  await writeFile(join(dir, 'report.html'), htmlReport(result));
}
