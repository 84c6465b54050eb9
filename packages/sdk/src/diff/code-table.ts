/**
 * The default VCDIFF instruction code table (RFC 3284 §5.6), built as the RFC describes it rather than typed out:
 * each of the 256 codes is one or two instructions, each with a size (0: the size follows as an integer) and, for
 * COPY, an address mode.
 */
export const NOOP = 0;
export const ADD = 1;
export const RUN = 2;
export const COPY = 3;

/** One half of a code: instruction type, size (0 = explicit), and COPY mode. */
export interface Instruction {
  type: number;
  size: number;
  mode: number;
}

/** Modes 0 (SELF) and 1 (HERE), then `near` NEAR modes and `same` SAME modes (RFC 3284 §5.3). */
export const nearSlots = 4;
export const sameSlots = 3;

function buildTable(): [Instruction, Instruction][] {
  const none: Instruction = { type: NOOP, size: 0, mode: 0 };
  const table: [Instruction, Instruction][] = [];
  const add = (first: Instruction, second: Instruction = none) => table.push([first, second]);
  add({ type: RUN, size: 0, mode: 0 });
  for (let size = 0; size <= 17; size++) add({ type: ADD, size, mode: 0 });
  for (let mode = 0; mode <= 8; mode++) {
    add({ type: COPY, size: 0, mode });
    for (let size = 4; size <= 18; size++) add({ type: COPY, size, mode });
  }
  for (let mode = 0; mode <= 5; mode++) {
    for (let addSize = 1; addSize <= 4; addSize++) {
      for (let copySize = 4; copySize <= 6; copySize++)
        add({ type: ADD, size: addSize, mode: 0 }, { type: COPY, size: copySize, mode });
    }
  }
  for (let mode = 6; mode <= 8; mode++) {
    for (let addSize = 1; addSize <= 4; addSize++)
      add({ type: ADD, size: addSize, mode: 0 }, { type: COPY, size: 4, mode });
  }
  for (let mode = 0; mode <= 8; mode++) add({ type: COPY, size: 4, mode }, { type: ADD, size: 1, mode: 0 });
  return table;
}

/** Code → its two instructions. */
export const codeTable: readonly [Instruction, Instruction][] = buildTable();
