import { describe, expect, it } from 'vitest';
import { RawHeaders } from '../src/core/raw-headers.ts';

// RawHeaders reads Node's raw list as the fetch standard's Headers would show it: a device's few headers by a scan,
// a browser's many through a map, with the same answers either way.
describe('RawHeaders', () => {
  const device = ['Host', 'a', 'AUTHORIZATION', 'version=2018-10-31&sign=x', 'X-Trace', '1', 'x-trace', '2'];
  const padding = Array.from({ length: 20 }, (_, i) => [`X-Pad-${i}`, String(i)]).flat();

  it.each([
    ['a few headers (scanned)', device],
    ['many headers (mapped)', [...padding, ...device]],
  ])('reads %s case-insensitively, repeats joined', (_, raw) => {
    const headers = new RawHeaders(raw);
    expect(headers.get('authorization')).toBe('version=2018-10-31&sign=x');
    expect(headers.get('Authorization')).toBe('version=2018-10-31&sign=x');
    expect(headers.get('x-trace')).toBe('1, 2');
    expect(headers.get('range')).toBeNull();
    expect(headers.has('HOST')).toBe(true);
    expect(headers.has('origin')).toBe(false);
    const fetchHeaders = new Headers();
    for (let i = 0; i < raw.length; i += 2) fetchHeaders.append(raw[i] as string, raw[i + 1] as string);
    expect([...headers]).toEqual([...fetchHeaders]);
  });
});
