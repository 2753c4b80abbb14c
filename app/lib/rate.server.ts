// How often one person may do something, counted in this process over a sliding window: a cap on
// what one member can make the server do (and store) by repeating a request in a loop, set far
// above what a person at a keyboard does.

export type RateLimit<K = number> = {
  /** Whether the person (or whoever the key names) may go on; counts the attempt when they may. */
  take(key: K): boolean;
  /** Seconds until the oldest counted attempt leaves the window. */
  retryAfter(key: K): number;
};

/** At most `limit` attempts per person in any `windowMs`. */
export function perPersonRate(limit: number, windowMs: number): RateLimit {
  return perKeyRate<number>(limit, windowMs);
}

/** At most `limit` attempts per key (a person, a client address) in any `windowMs`. */
export function perKeyRate<K>(limit: number, windowMs: number): RateLimit<K> {
  const attempts = new Map<K, number[]>();
  const recent = (key: K, now: number) => {
    const kept = (attempts.get(key) ?? []).filter((at) => at > now - windowMs);
    if (kept.length === 0) attempts.delete(key);
    else attempts.set(key, kept);
    return kept;
  };
  // Forgets people who stopped, so the map holds only those active in the last window.
  setInterval(() => {
    const now = Date.now();
    for (const key of [...attempts.keys()]) recent(key, now);
  }, windowMs).unref();
  return {
    take(key) {
      const now = Date.now();
      const kept = recent(key, now);
      if (kept.length >= limit) return false;
      attempts.set(key, [...kept, now]);
      return true;
    },
    retryAfter(key) {
      const now = Date.now();
      const [oldest] = recent(key, now);
      return oldest === undefined ? 0 : Math.max(1, Math.ceil((oldest + windowMs - now) / 1000));
    },
  };
}
