import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmac } from '../src/crypto/hmac.ts';
import { Md5, md5Hex } from '../src/crypto/md5.ts';

const nodeMd5 = (data: Uint8Array) => createHash('md5').update(data).digest('hex');

describe('Md5', () => {
  it('matches the RFC 1321 test suite', () => {
    const suite: [string, string][] = [
      ['', 'd41d8cd98f00b204e9800998ecf8427e'],
      ['a', '0cc175b9c0f1b6a831c399e269772661'],
      ['abc', '900150983cd24fb0d6963f7d28e17f72'],
      ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
      [
        '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
        '57edf4a22be3c955ac49da2e2107b67a',
      ],
    ];
    for (const [input, want] of suite) expect(md5Hex(new TextEncoder().encode(input)), input).toBe(want);
  });

  it.each([0, 1, 55, 56, 63, 64, 65, 127, 128, 1000, 1 << 20])('matches node:crypto on %i random bytes', (size) => {
    const data = randomBytes(size);
    expect(md5Hex(data)).toBe(nodeMd5(data));
  });

  it('gives the same digest when fed in uneven chunks', () => {
    const data = randomBytes(100_003);
    const md5 = new Md5();
    for (let i = 0; i < data.length; ) {
      const step = 1 + ((i * 7919) % 4093);
      md5.update(data.subarray(i, i + step));
      i += step;
    }
    expect(md5.hex()).toBe(nodeMd5(data));
  });
});

describe('hmac', () => {
  it.each(['md5', 'sha1', 'sha256'] as const)('matches node:crypto for %s with short and long keys', async (method) => {
    for (const keyLength of [16, 32, 64, 100]) {
      const key = randomBytes(keyLength);
      const message = randomBytes(77);
      const want = createHmac(method, key).update(message).digest('hex');
      expect(Buffer.from(await hmac(method, key, message)).toString('hex'), `key ${keyLength}`).toBe(want);
    }
  });
});
