import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// Its own config, so unit tests never load the Remix plugin or the e2e specs.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/unit/**/*.test.tsx"],
    environment: "node",
    pool: "forks",
  },
});
