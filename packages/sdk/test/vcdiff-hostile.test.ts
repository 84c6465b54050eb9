import { describe, expect, it } from 'vitest';
import { memorySource, PatchError, restoreVcdiff } from '../src/index.ts';

// Patches built by hand to lie: every length a patch declares is checked before anything is allocated or read,
// so each of these fails fast with a PatchError instead of eating memory or restoring garbage.

/** A VCDIFF integer (RFC 3284 §2). */
function varint(value: number): number[] {
  const digits = [value % 128];
  for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) digits.unshift((v % 128) | 0x80);
  return digits;
}

/** A one-window patch: no source segment, the given lengths and sections as declared. */
function patch(window: { target: number; data: number[]; inst: number[]; addr?: number[]; lengths?: number[] }) {
  const addr = window.addr ?? [];
  const [dataLength, instLength, addrLength] = window.lengths ?? [window.data.length, window.inst.length, addr.length];
  const body = [
    ...varint(window.target),
    0, // no compressed sections
    ...varint(dataLength as number),
    ...varint(instLength as number),
    ...varint(addrLength as number),
    ...window.data,
    ...window.inst,
    ...addr,
  ];
  return new Uint8Array([0xd6, 0xc3, 0xc4, 0, 0, 0 /* window indicator: no source */, ...varint(body.length), ...body]);
}

async function restore(bytes: Uint8Array): Promise<void> {
  for await (const _ of restoreVcdiff(memorySource(new Uint8Array(16)), [bytes]));
}

// Default code table: code 0 is RUN (size follows), 1 + n is ADD of n bytes, 19 is COPY mode 0 (size follows).
const RUN = 0;
const ADD = (n: number) => 1 + n;
const COPY_SELF = 19;
const COPY_SAME_0 = 19 + 16 * 6 + 1; // size 4, mode 6: the first SAME mode, addressed by one byte

describe('a hostile VCDIFF patch', () => {
  it.each([
    ['a window of 2^40 bytes', patch({ target: 2 ** 40, data: [], inst: [] }), /window of 1099511627776 bytes/],
    ['more data than the window has bytes', patch({ target: 4, data: [], inst: [], lengths: [1e9, 0, 0] }), /sections/],
    [
      'an address section too long for the window',
      patch({ target: 1, data: [], inst: [], lengths: [0, 0, 1e6] }),
      /sections/,
    ],
    ['an ADD past its data', patch({ target: 8, data: [1, 2], inst: [ADD(5)] }), /ADD reads past/],
    ['a RUN with no data', patch({ target: 8, data: [], inst: [RUN, ...varint(3)] }), /RUN reads past/],
    [
      'a COPY of bytes not yet written',
      patch({ target: 8, data: [], inst: [COPY_SELF, ...varint(4)], addr: varint(2) }),
      /not yet written/,
    ],
    ['a SAME COPY with no address', patch({ target: 8, data: [], inst: [COPY_SAME_0] }), /past its address section/],
    [
      'sections longer than the patch',
      patch({ target: 8, data: [], inst: [], lengths: [8, 8, 0] }).subarray(0, 16),
      /ends early/,
    ],
    [
      'an instruction writing past the window',
      patch({ target: 2, data: [1, 2], inst: [ADD(1), ADD(1), ADD(1)] }),
      /past the end/,
    ],
  ])('%s is refused', async (_what, bytes, message) => {
    await expect(restore(bytes)).rejects.toThrow(PatchError);
    await expect(restore(bytes)).rejects.toThrow(message);
  });

  it('an application header of a gigabyte is refused before it is read', async () => {
    const bytes = new Uint8Array([0xd6, 0xc3, 0xc4, 0, 0x04, ...varint(2 ** 30)]);
    await expect(restore(bytes)).rejects.toThrow(/application header of 1073741824 bytes/);
  });
});
