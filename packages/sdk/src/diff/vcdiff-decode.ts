import { ADD, COPY, codeTable, NOOP, nearSlots, RUN, sameSlots } from './code-table.ts';
import type { ImageSource } from './image-source.ts';
import { adler32, PatchError, readVarint } from './varint.ts';
import { lzmaSecondaryId } from './xz-format.ts';
import { XzSectionReader } from './xz-section-reader.ts';

const VCD_SOURCE = 0x01;
const VCD_TARGET = 0x02;
/** xdelta3's extension, also read by open-vcdiff: an Adler-32 of the target window follows the lengths. */
const VCD_ADLER32 = 0x04;
const VCD_DECOMPRESS = 0x01;
const VCD_CODETABLE = 0x02;
/** xdelta3's extension: an application header (file names) after the header indicator. */
const VCD_APPHEADER = 0x04;
/**
 * The largest target window restored: xdelta3 writes at most 8 MiB, this kit's encoder 1 MiB. Every length a
 * patch declares is checked against it, or against the window it belongs to, before anything is allocated, so a
 * hostile patch costs a PatchError, not the device's memory.
 */
export const maxWindowBytes = 16 * 1024 * 1024;
/** Bytes of the application header read at most (xdelta3 writes two file names there). */
const maxAppHeaderBytes = 64 * 1024;
/** xdelta3's secondary compressor ids: only LZMA (its default) is read. */
const secondaryNames: Record<number, string> = { 1: 'DJW', 2: 'LZMA', 16: 'FGK' };

/**
 * Applies a VCDIFF (RFC 3284) patch to `source` and yields the restored image one target window at a time. The
 * patch is read as a stream and the source by random access, so memory stays at one window (xdelta3 writes
 * windows of at most 8 MiB; this kit's encoder 1 MiB) whatever the image size. Reads the standard format with the
 * default code table, xdelta3's application header, its LZMA secondary compression (`xdelta3 -e` writes it by
 * default) and its Adler-32 window checksums, which are verified: a patch applied to the wrong image fails with
 * `PatchError` instead of producing a wrong one. DJW/FGK secondary compression and custom code tables are refused
 * with a `PatchError` that says so.
 *
 * @example
 * for await (const window of restoreVcdiff(memorySource(current), patchChunks)) flash.write(window);
 */
export async function* restoreVcdiff(
  source: ImageSource,
  patch: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  const reader = new PatchReader(patch);
  const magic = await reader.bytes(4);
  if (magic[0] !== 0xd6 || magic[1] !== 0xc3 || magic[2] !== 0xc4 || magic[3] !== 0)
    throw new PatchError('not a VCDIFF patch (bad magic)');
  const header = await reader.byte();
  let secondary: XzSectionReader[] | undefined;
  if (header & VCD_DECOMPRESS) {
    const id = await reader.byte();
    if (id !== lzmaSecondaryId)
      throw new PatchError(
        `the patch uses ${secondaryNames[id] ?? `unknown (id ${id})`} secondary compression; make it with xdelta3 -S lzma or -S none`,
      );
    secondary = [new XzSectionReader(), new XzSectionReader(), new XzSectionReader()];
  }
  if (header & VCD_CODETABLE)
    throw new PatchError('the patch uses a custom code table, which this decoder does not read');
  if (header & VCD_APPHEADER) {
    const length = await reader.varint();
    if (length > maxAppHeaderBytes) throw new PatchError(`an application header of ${length} bytes`);
    await reader.bytes(length);
  }
  while (!(await reader.atEnd())) yield await decodeWindow(reader, source, secondary);
}

async function decodeWindow(
  reader: PatchReader,
  source: ImageSource,
  secondary: XzSectionReader[] | undefined,
): Promise<Uint8Array> {
  const indicator = await reader.byte();
  if (indicator & VCD_TARGET)
    throw new PatchError('the patch copies from earlier target windows (VCD_TARGET), which this decoder does not keep');
  let segmentLength = 0;
  let segmentPosition = 0;
  if (indicator & VCD_SOURCE) {
    segmentLength = await reader.varint();
    segmentPosition = await reader.varint();
    if (segmentPosition + segmentLength > source.size) {
      throw new PatchError(
        `the patch reads bytes ${segmentPosition}-${segmentPosition + segmentLength - 1} of a ${source.size}-byte image: wrong base image`,
      );
    }
  }
  await reader.varint(); // length of the delta encoding: the fields below say the same
  const targetLength = await reader.varint();
  if (targetLength > maxWindowBytes)
    throw new PatchError(
      `a window of ${targetLength} bytes; this decoder restores windows of at most ${maxWindowBytes}`,
    );
  const compressed = await reader.byte(); // VCD_DATACOMP 1, VCD_INSTCOMP 2, VCD_ADDRCOMP 4
  if (compressed & ~7) throw new PatchError('a window sets unknown section-compression bits');
  if (compressed !== 0 && !secondary)
    throw new PatchError('a window compresses its sections, but the patch names no secondary compressor');
  const lengths = [await reader.varint(), await reader.varint(), await reader.varint()];
  // What a window of this size can need: data is at most its bytes; an instruction makes at least one byte and
  // takes at most a code and a 5-byte size; an address at most 5 bytes per COPY. Compressed, a section is smaller.
  const bounds = [targetLength, 6 * targetLength, 5 * targetLength];
  if (lengths.some((length, kind) => length > (bounds[kind] as number)))
    throw new PatchError(`sections of ${lengths.join('/')} bytes for a ${targetLength}-byte window`);
  const checksum = indicator & VCD_ADLER32 ? bigEndian32(await reader.bytes(4)) : undefined;
  const sections: Uint8Array[] = [];
  for (let kind = 0; kind < 3; kind++) {
    const bytes = await reader.bytes(lengths[kind] as number);
    if (!(compressed & (1 << kind)) || !secondary) {
      sections.push(bytes);
      continue;
    }
    const [size, start] = readVarint(bytes, 0);
    if (size > (bounds[kind] as number))
      throw new PatchError(`a compressed section of ${size} bytes for a ${targetLength}-byte window`);
    sections.push((secondary[kind] as XzSectionReader).read(bytes.subarray(start), size));
  }
  const [data, instructions, addresses] = sections as [Uint8Array, Uint8Array, Uint8Array];

  const target = new Uint8Array(targetLength);
  const near = new Array<number>(nearSlots).fill(0);
  const same = new Array<number>(sameSlots * 256).fill(0);
  let nextNear = 0;
  let t = 0;
  let d = 0;
  let i = 0;
  let a = 0;
  while (i < instructions.length) {
    for (const instruction of codeTable[instructions[i++] as number] as (typeof codeTable)[number]) {
      if (instruction.type === NOOP) continue;
      let size = instruction.size;
      if (size === 0) [size, i] = readVarint(instructions, i);
      if (t + size > targetLength) throw new PatchError('an instruction writes past the end of its window');
      if (instruction.type === ADD) {
        if (d + size > data.length) throw new PatchError('an ADD reads past its data section');
        target.set(data.subarray(d, d + size), t);
        d += size;
      } else if (instruction.type === RUN) {
        if (d >= data.length) throw new PatchError('a RUN reads past its data section');
        target.fill(data[d++] as number, t, t + size);
      } else if (instruction.type === COPY) {
        const here = segmentLength + t;
        let address: number;
        const mode = instruction.mode;
        if (mode === 0) [address, a] = readVarint(addresses, a);
        else if (mode === 1) {
          [address, a] = readVarint(addresses, a);
          address = here - address;
        } else if (mode < 2 + nearSlots) {
          [address, a] = readVarint(addresses, a);
          address += near[mode - 2] as number;
        } else {
          if (a >= addresses.length) throw new PatchError('a COPY reads past its address section');
          address = same[(mode - 2 - nearSlots) * 256 + (addresses[a++] as number)] as number;
        }
        if (address < 0 || address >= here) throw new PatchError('a COPY reads bytes not yet written');
        near[nextNear] = address;
        nextNear = (nextNear + 1) % nearSlots;
        same[address % (sameSlots * 256)] = address;
        await copy(target, t, address, size, segmentLength, segmentPosition, source);
      }
      t += size;
    }
  }
  if (t !== targetLength) throw new PatchError(`a window restored ${t} of its ${targetLength} bytes`);
  if (checksum !== undefined && adler32(target) !== checksum) {
    throw new PatchError('a restored window fails its Adler-32 checksum: the patch was made from another base image');
  }
  return target;
}

// A COPY may start in the source segment and run on into the target window, and may overlap what it writes.
async function copy(
  target: Uint8Array,
  t: number,
  address: number,
  size: number,
  segmentLength: number,
  segmentPosition: number,
  source: ImageSource,
) {
  let written = 0;
  if (address < segmentLength) {
    const length = Math.min(size, segmentLength - address);
    const read = source.read(segmentPosition + address, length);
    const bytes = read instanceof Uint8Array ? read : await read;
    if (bytes.length !== length) throw new PatchError('the base image is shorter than the patch expects');
    target.set(bytes, t);
    written = length;
  }
  for (let k = written; k < size; k++) target[t + k] = target[address - segmentLength + k] as number;
}

/** Reads a patch arriving in chunks, keeping only the unread part, and copying only bytes a field spans. */
class PatchReader {
  readonly #source: AsyncIterator<Uint8Array> | Iterator<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #length = 0;
  #done = false;

  constructor(patch: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
    this.#source =
      Symbol.asyncIterator in patch
        ? patch[Symbol.asyncIterator]()
        : (patch as Iterable<Uint8Array>)[Symbol.iterator]();
  }

  async #fill(count: number): Promise<void> {
    while (this.#length < count && !this.#done) {
      const next = await this.#source.next();
      if (next.done) this.#done = true;
      else if (next.value.length > 0) {
        this.#chunks.push(next.value);
        this.#length += next.value.length;
      }
    }
    if (this.#length < count) throw new PatchError('the patch ends early');
  }

  async atEnd(): Promise<boolean> {
    if (this.#length > 0) return false;
    try {
      await this.#fill(1);
      return false;
    } catch {
      return true;
    }
  }

  async byte(): Promise<number> {
    return (await this.bytes(1))[0] as number;
  }

  /** The next `count` bytes: a view when one chunk holds them, else one copy of exactly those bytes. */
  async bytes(count: number): Promise<Uint8Array> {
    await this.#fill(count);
    const first = this.#chunks[0];
    if (first && first.length >= count) {
      this.#take(count);
      return first.subarray(0, count);
    }
    const out = new Uint8Array(count);
    for (let copied = 0; copied < count; ) {
      const chunk = this.#chunks[0] as Uint8Array;
      const n = Math.min(chunk.length, count - copied);
      out.set(chunk.subarray(0, n), copied);
      copied += n;
      this.#take(n);
    }
    return out;
  }

  async varint(): Promise<number> {
    let value = 0;
    for (;;) {
      const byte = await this.byte();
      value = value * 128 + (byte & 0x7f);
      if (value > Number.MAX_SAFE_INTEGER) throw new PatchError('an integer of the patch is too large');
      if ((byte & 0x80) === 0) return value;
    }
  }

  #take(count: number): void {
    const first = this.#chunks[0] as Uint8Array;
    if (count >= first.length) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(count);
    this.#length -= count;
  }
}

// By hand: a Node Buffer's slice() is a view into a shared pool, so DataView over `.buffer` would read elsewhere.
function bigEndian32(b: Uint8Array): number {
  return (((b[0] as number) << 24) | ((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number)) >>> 0;
}
