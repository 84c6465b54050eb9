/**
 * A seeded pseudo-random source (mulberry32): the same seed gives the same fleet, bit for bit. Not for secrets.
 *
 * @example
 * const random = seededRandom('city-1'); random.between(10, 20);
 */
export interface Random {
  /** A number in [0, 1). */
  next(): number;
  /** A number in [low, high). */
  between(low: number, high: number): number;
  /** True with this probability. */
  chance(probability: number): boolean;
  /** One of these, weighted: `[[value, weight], …]`. */
  pick<T>(weighted: readonly (readonly [T, number])[]): T;
  /** An independent source for a part of the simulation (a device), derived from this seed and a name. */
  fork(name: string): Random;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A random source from a seed string. */
export function seededRandom(seed: string): Random {
  let state = hash(seed);
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (low, high) => low + next() * (high - low),
    chance: (probability) => next() < probability,
    pick(weighted) {
      const total = weighted.reduce((sum, [, weight]) => sum + weight, 0);
      let roll = next() * total;
      for (const [value, weight] of weighted) {
        roll -= weight;
        if (roll < 0) return value;
      }
      return (weighted.at(-1) as readonly [never, number])[0];
    },
    fork: (name) => seededRandom(`${seed}/${name}`),
  };
}
