import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const bin = new URL('../bin/ota-mock.ts', import.meta.url).pathname;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

/** Starts `ota-mock` as a real process and collects its output until `until` matches. */
function start(args: string[], until: RegExp): Promise<string> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (until.test(output)) resolve(output);
    });
    child.once('exit', (code) => reject(new Error(`ota-mock exited with ${code}: ${output}`)));
  });
}

describe('ota-mock', () => {
  it('prints its URL and demo credentials, and the curl line it prints works', async () => {
    const output = await start(['--port', '0'], /Ctrl-C stops/);
    const url = output.match(/listening on (http:\/\/\S+)/)?.[1] ?? '';
    const authorization = output.match(/Authorization: ([^']+)'/)?.[1] ?? '';
    const checkUrl = output.match(/'(http:\/\/\S+\/ota\/south\/check\?[^']+)'/)?.[1] ?? '';
    expect(checkUrl.startsWith(url)).toBe(true);
    const answer = await (await fetch(checkUrl, { headers: { Authorization: authorization } })).json();
    expect(answer).toMatchObject({ errno: 0, data: { target: 'V2.0', size: 65536 } });
  }, 20_000);

  it('exits 2 with a reason for a bad flag', async () => {
    const run = promisify(execFile);
    const failure = await run(process.execPath, [bin, '--clock', 'sundial']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining('--clock must be real or virtual') });
  });

  it("serves Prism's stateless mock of the spec with --prism", async () => {
    const output = await start(['--prism', '--port', '0'], /Prism is listening/);
    const url = output.match(/Prism is listening on (http:\/\/[\d.:]+)/)?.[1] ?? '';
    const response = await fetch(`${url}/ota/south/check?dev_id=1&manuf=100&model=10001&type=2&version=V1`, {
      headers: { Authorization: 'version=2018-10-31&res=products%2F1&et=1&method=sha1&sign=x' },
    });
    expect(await response.json()).toMatchObject({ errno: 0, data: { token: 'ota_iF0hnXrq2CxLrP8vZ39l' } });
  }, 30_000);
});
