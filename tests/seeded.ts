// Seeded choices for tests that sample a large matrix: each run takes a different sample, prints
// its seed, and replays exactly when the seed is given back.

/** A small, well-mixed generator (mulberry32): the same seed gives the same numbers. */
export function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * This run's seed for the matrix `name`: `<NAME>_SEED` from the environment when given (to replay
 * a failure), otherwise a fresh one, kept in the environment so that every process of the run
 * (a test runner's main process and its workers) draws the same sample.
 */
export function runSeed(name: string): { seed: number; replay: string } {
  const variable = `${name.toUpperCase()}_SEED`;
  const given = process.env[variable];
  const seed = given && /^\d+$/.test(given) ? Number(given) : Math.floor(Math.random() * 2 ** 31);
  process.env[variable] = String(seed);
  return { seed, replay: `${variable}=${seed}` };
}

/** `size` items drawn without repeats, in their original order; all of them when size >= length. */
export function sample<T>(items: readonly T[], size: number, seed: number): T[] {
  if (size >= items.length) return [...items];
  const random = generator(seed);
  const indexes = items.map((_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (indexes.length - i));
    [indexes[i], indexes[j]] = [indexes[j], indexes[i]];
  }
  return indexes
    .slice(0, size)
    .sort((a, b) => a - b)
    .map((i) => items[i]);
}
