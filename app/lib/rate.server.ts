// How often one person may do something, counted in this process over a sliding window: a cap on
// what one member can make the server do (and store) by repeating a request in a loop, set far
// above what a person at a keyboard does.

export type RateLimit = {
  /** Whether the person may go on; counts the attempt when they may. */
  take(personId: number): boolean;
  /** Seconds until the oldest counted attempt leaves the window. */
  retryAfter(personId: number): number;
};

/** At most `limit` attempts per person in any `windowMs`. */
export function perPersonRate(limit: number, windowMs: number): RateLimit {
  const attempts = new Map<number, number[]>();
  const recent = (personId: number, now: number) => {
    const kept = (attempts.get(personId) ?? []).filter((at) => at > now - windowMs);
    if (kept.length === 0) attempts.delete(personId);
    else attempts.set(personId, kept);
    return kept;
  };
  // Forgets people who stopped, so the map holds only those active in the last window.
  setInterval(() => {
    const now = Date.now();
    for (const personId of [...attempts.keys()]) recent(personId, now);
  }, windowMs).unref();
  return {
    take(personId) {
      const now = Date.now();
      const kept = recent(personId, now);
      if (kept.length >= limit) return false;
      attempts.set(personId, [...kept, now]);
      return true;
    },
    retryAfter(personId) {
      const now = Date.now();
      const [oldest] = recent(personId, now);
      return oldest === undefined ? 0 : Math.max(1, Math.ceil((oldest + windowMs - now) / 1000));
    },
  };
}
