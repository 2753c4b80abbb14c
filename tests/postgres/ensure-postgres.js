// Finds PostgreSQL's server programs for the tests' throw-away clusters and, when run directly,
// makes sure they exist (installing Debian's postgresql via apt-get when root).
//
//   import { findPostgres } from "./tests/postgres/ensure-postgres.js";  // lookup only
//   node tests/postgres/ensure-postgres.js                               // ensure
//   node tests/postgres/ensure-postgres.js --no-apt-update               // ensure, the package lists just updated
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { hasCommand, isExecutable } from "../programs.js";

/** What to do when no server is found, in one line. */
export const POSTGRES_MISSING =
  "No PostgreSQL server found: install Debian's postgresql (sudo apt-get install postgresql) or set PG_BIN to the directory holding initdb, pg_ctl and postgres.";

const PROGRAMS = ["initdb", "pg_ctl", "postgres"];
const DEBIAN_VERSIONS = "/usr/lib/postgresql";

/** @param {string | undefined} dir */
function hasServer(dir) {
  return Boolean(dir) && PROGRAMS.every((program) => isExecutable(join(/** @type {string} */ (dir), program)));
}

/**
 * Directory of a usable initdb, pg_ctl and postgres, or undefined. No side effects.
 * Order: $PG_BIN, then the newest of Debian's /usr/lib/postgresql/<version>/bin.
 * @returns {string | undefined}
 */
export function findPostgres() {
  let versions = [];
  try {
    versions = readdirSync(DEBIAN_VERSIONS)
      .filter((name) => /^\d+(\.\d+)?$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
  } catch {
    // No Debian PostgreSQL installed.
  }
  const candidates = [process.env.PG_BIN, ...versions.map((version) => join(DEBIAN_VERSIONS, version, "bin"))];
  return candidates.find(hasServer);
}

const CREATECLUSTER_CONF = "/etc/postgresql-common/createcluster.conf";
const POLICY_RC_D = "/usr/sbin/policy-rc.d";

/**
 * Installs the server without the system cluster Debian would otherwise make and start: the tests
 * start their own clusters, and a system one would hold port 5432 and run for nothing.
 *
 * Debian's scripts do two things to prevent. The server package's postinst creates a cluster
 * "main" on a first install, unless createcluster.conf (written by postgresql-common) says
 * `create_main_cluster = false`: so postgresql-common is installed first, the setting added, the
 * server installed, and the file put back as it was (upgrades never create the cluster). And both
 * packages' postinsts start the postgresql service, which starts every cluster configured on the
 * machine: a policy-rc.d refusing every start prevents that, and is removed after the install
 * unless it was there before.
 */
function installWithApt(/** @type {boolean} */ updateLists) {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const aptGet = (/** @type {string[]} */ args) => spawnSync("apt-get", args, { stdio: "inherit", env }).status === 0;
  const addedPolicy = !existsSync(POLICY_RC_D);
  // The file's text before the setting was added: null when there was none, undefined when untouched.
  /** @type {string | null | undefined} */
  let createclusterBefore;
  const putBack = () => {
    if (createclusterBefore === null) rmSync(CREATECLUSTER_CONF, { force: true });
    else if (createclusterBefore !== undefined) writeFileSync(CREATECLUSTER_CONF, createclusterBefore);
    createclusterBefore = undefined;
    if (addedPolicy) rmSync(POLICY_RC_D, { force: true });
  };
  // apt-get runs in the foreground, so Ctrl-C reaches it too; the machine is put back before exiting.
  const onSignal = (/** @type {NodeJS.Signals} */ signal) => {
    putBack();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal).once("SIGTERM", onSignal);
  try {
    if (addedPolicy) writeFileSync(POLICY_RC_D, "#!/bin/sh\n# Refuses to start services while the tests install PostgreSQL.\nexit 101\n", { mode: 0o755 });
    const install = ["install", "-y", "--no-install-recommends"];
    if ((updateLists && !aptGet(["update"])) || !aptGet([...install, "postgresql-common"])) return false;
    createclusterBefore = existsSync(CREATECLUSTER_CONF) ? readFileSync(CREATECLUSTER_CONF, "utf8") : null;
    // The last setting in the file wins, so an earlier `create_main_cluster = true` is overruled.
    const kept = createclusterBefore === null ? "" : createclusterBefore.replace(/\n?$/, "\n");
    writeFileSync(CREATECLUSTER_CONF, `${kept}create_main_cluster = false\n`);
    return aptGet([...install, "postgresql"]);
  } finally {
    putBack();
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
  }
}

function ensurePostgres() {
  let found = findPostgres();
  if (!found && process.getuid?.() === 0 && hasCommand("apt-get")) {
    console.log("No PostgreSQL server found; installing Debian's postgresql with apt-get…");
    if (installWithApt(!process.argv.includes("--no-apt-update"))) found = findPostgres();
  }
  if (!found) {
    console.error(POSTGRES_MISSING);
    process.exit(1);
  }
  console.log(`PostgreSQL: ${found}`);
  process.exit(0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensurePostgres();
}
