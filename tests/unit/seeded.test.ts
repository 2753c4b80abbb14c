import { describe, expect, it } from "vitest";
import { generator, sample } from "../seeded";

describe("seeded samples", () => {
  const items = Array.from({ length: 121 }, (_, i) => `payload ${i}`);

  it("replays the same sample from the same seed, and another from another seed", () => {
    expect(sample(items, 24, 42)).toEqual(sample(items, 24, 42));
    expect(sample(items, 24, 42)).not.toEqual(sample(items, 24, 43));
  });

  it("draws without repeats, keeps the items' order, and takes everything when asked for as many", () => {
    const drawn = sample(items, 24, 7);
    expect(new Set(drawn).size).toBe(24);
    expect(drawn).toEqual([...drawn].sort((a, b) => items.indexOf(a) - items.indexOf(b)));
    expect(sample(items, 500, 7)).toEqual(items);
  });

  it("reaches every item over many runs", () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 200; seed++) for (const item of sample(items, 24, seed)) seen.add(item);
    expect(seen.size).toBe(items.length);
    const random = generator(1);
    const values = Array.from({ length: 1000 }, random);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });
});
