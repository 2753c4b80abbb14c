// What the scripts that install the tests' programs (tests/e2e/ensure-chromium.js,
// tests/postgres/ensure-postgres.js) ask of the machine. Plain JavaScript with no dependencies:
// they run before `npm ci` has installed anything.
import { accessSync, constants, statSync } from "node:fs";
import { spawnSync } from "node:child_process";

/** Whether `file` is a regular file this process may run. */
export function isExecutable(/** @type {string | undefined} */ file) {
  if (!file) return false;
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether the shell finds a command of this name. */
export function hasCommand(/** @type {string} */ name) {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}
