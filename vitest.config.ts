import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// Its own config, so unit tests never load the Remix plugin or the e2e specs.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/unit/**/*.test.tsx"],
    environment: "node",
    pool: "forks",
    // A time limit only ends a hung test; it never decides one. On a busy two-core machine a
    // test that takes a second on a quiet one can take ten, so the default five seconds is too
    // tight. The heaviest tests set their own, larger limits.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
