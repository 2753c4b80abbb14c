/** Who db/seed-limits.ts signs the largest incident's admin in as: the benchmark and the e2e test use it. */
export const LIMITS_ADMIN = { email: "limits-admin@example.com", password: "hindsight-limits" } as const;
