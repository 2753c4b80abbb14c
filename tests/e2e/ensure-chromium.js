// Finds a Chromium for the Playwright tests and, when run directly, makes
// sure one exists (installing Debian's chromium via apt-get when root).
//
//   import { findChromium } from "./tests/e2e/ensure-chromium.js";  // lookup only
//   node tests/e2e/ensure-chromium.js                                // ensure
import { hasCommand, isExecutable } from "../programs.js";
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";

/** @type {{ executablePath(): string } | undefined} */
let playwrightChromium;
try {
  ({ chromium: playwrightChromium } = await import("@playwright/test"));
} catch {
  playwrightChromium = undefined;
}

/** @param {string | undefined} file */
/**
 * Path of a usable Chromium, or undefined. No side effects.
 * Order: $CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser,
 * then Playwright's own downloaded browser.
 * @returns {string | undefined}
 */
export function findChromium() {
  const candidates = [
    process.env.CHROMIUM_PATH,
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
  ];
  try {
    candidates.push(playwrightChromium?.executablePath());
  } catch {
    // Playwright's browser is not installed or not resolvable.
  }
  return candidates.find(isExecutable);
}

function installWithApt() {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["update"],
    ["install", "-y", "--no-install-recommends", "chromium"],
  ]) {
    const result = spawnSync("apt-get", args, { stdio: "inherit", env });
    if (result.status !== 0) return false;
  }
  return true;
}

function ensureChromium() {
  let found = findChromium();
  if (!found && process.getuid?.() === 0 && hasCommand("apt-get")) {
    console.log("No Chromium found; installing Debian's chromium with apt-get…");
    if (installWithApt() && isExecutable("/usr/bin/chromium")) {
      found = "/usr/bin/chromium";
    }
  }
  if (!found) {
    console.error(
      "No Chromium found: install Debian's chromium (sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary.",
    );
    process.exit(1);
  }
  console.log(`Chromium: ${found}`);
  process.exit(0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureChromium();
}
