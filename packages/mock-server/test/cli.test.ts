import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { productResource, signToken } from '@onenet-ota/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { demo } from '../src/index.ts';

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

  it('listening beyond loopback, generates an admin token, prints it, and refuses management calls without it', async () => {
    const output = await start(['--host', '0.0.0.0', '--port', '0'], /Admin token/);
    const port = output.match(/listening on http:\/\/0\.0\.0\.0:(\d+)/)?.[1];
    const token = output.match(/Admin token \(management API and \/__mock\): (\S+) \(generated/)?.[1] ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const products = `http://127.0.0.1:${port}/api/v1/products`;
    const refused = await fetch(products);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="ota-mock"');
    expect((await fetch(`http://127.0.0.1:${port}/__mock/reset`, { method: 'POST' })).status).toBe(401);
    const allowed = await fetch(products, { headers: { Authorization: `Bearer ${token}` } });
    expect(allowed.status).toBe(200);
    // Keys are not listed unless asked for.
    const listed = (await allowed.json()) as { items: Record<string, unknown>[] };
    expect(listed.items[0]).not.toHaveProperty('accessKey');
    // Devices are as on OneNET: their own token, no admin token. The printed curl line still works.
    const authorization = output.match(/Authorization: ([^']+)'/)?.[1] ?? '';
    // The banner shows <this-machine> where a device on the LAN puts this machine's address.
    const checkUrl = (output.match(/'(http:\/\/\S+\/ota\/south\/check\?[^']+)'/)?.[1] ?? '').replace(
      `http://<this-machine>:${port}`,
      `http://127.0.0.1:${port}`,
    );
    expect(await (await fetch(checkUrl, { headers: { Authorization: authorization } })).json()).toMatchObject({
      errno: 0,
    });
    // Its demo keys are its own (issue 29): the published test-vector key signs nothing here.
    const productKey = output.match(/access key (\S+)/)?.[1];
    expect(productKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(productKey).not.toBe(demo.productKey);
    expect(output).not.toContain(demo.deviceKey);
    const published = await signToken({ accessKey: demo.productKey, res: productResource(demo.productId), et: 2e9 });
    expect(await (await fetch(checkUrl, { headers: { Authorization: published } })).json()).toMatchObject({
      errno: 1,
    });
  }, 20_000);

  it('exits 2 with a reason for a bad flag', async () => {
    const run = promisify(execFile);
    for (const [args, reason] of [
      [['--clock', 'sundial'], '--clock must be real or virtual'],
      [['--body-timeout', '0'], '--body-timeout must be a positive integer, got 0'],
      [['--keep-alive', '1.5'], '--keep-alive must be a positive integer, got 1.5'],
    ] as const) {
      const failure = await run(process.execPath, [bin, ...args]).catch(
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining(reason) });
    }
  });

  it('with --body-timeout 1, answers a body shorter than its Content-Length after a second of silence', async () => {
    const output = await start(['--port', '0', '--body-timeout', '1'], /Ctrl-C stops/);
    const { hostname, port } = new URL(output.match(/listening on (http:\/\/\S+)/)?.[1] ?? '');
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (data) => {
      answer += data.toString('latin1');
    });
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write('POST /api/v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n');
    socket.write('Content-Length: 20\r\n\r\n{"name":"a"}');
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('12 of the 20 bytes its Content-Length announced came, then nothing more came for 1 s');
  }, 20_000);

  it('with --data-dir, says what it continues from, and a second server on the directory exits 1 in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ota-cli-data-'));
    try {
      const first = await start(['--port', '0', '--data-dir', dir], /Ctrl-C stops/);
      expect(first).toContain(`Data: ${dir} (new)`);
      const run = promisify(execFile);
      const second = await run(process.execPath, [bin, '--port', '0', '--data-dir', dir]).catch(
        (error: { code: number; stderr: string }) => error,
      );
      expect(second).toMatchObject({ code: 1 });
      const stderr = (second as { stderr: string }).stderr;
      expect(stderr).toMatch(
        /^ota-mock: .* is in use by another ota-mock \(pid \d+\); stop it or choose another --data-dir\n$/,
      );
      for (const child of children.splice(0)) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      const again = await start(['--port', '0', '--data-dir', dir], /Ctrl-C stops/);
      expect(again).toMatch(/Data: .* \(continued: 1 products, 1 devices, 1 packages, 1 tasks\)/);
    } finally {
      for (const child of children.splice(0)) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);

  it("serves Prism's stateless mock of the spec with --prism", async () => {
    const output = await start(['--prism', '--port', '0'], /Prism is listening/);
    const url = output.match(/Prism is listening on (http:\/\/[\d.:]+)/)?.[1] ?? '';
    const response = await fetch(`${url}/ota/south/check?dev_id=1&manuf=100&model=10001&type=2&version=V1`, {
      headers: { Authorization: 'version=2018-10-31&res=products%2F1&et=1&method=sha1&sign=x' },
    });
    expect(await response.json()).toMatchObject({ errno: 0, data: { token: 'ota_iF0hnXrq2CxLrP8vZ39l' } });
  }, 30_000);
});
