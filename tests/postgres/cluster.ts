// A throw-away PostgreSQL cluster for the tests: initdb in a temp directory, a server on a free
// loopback port, gone with its files on stop() or when the process ends. Nothing of the machine's
// own PostgreSQL (its service, its clusters, port 5432) is used.
import { execFile, spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { findPostgres, POSTGRES_MISSING } from "./ensure-postgres.js";

export type Cluster = {
  port: number;
  /** The superuser's URL on database `postgres`. */
  adminUrl: string;
  /** The temp directory holding the data, the socket and (unless given elsewhere) the server's log. */
  dir: string;
  url(database: string): string;
  /**
   * Creates a database, copied from `template` when given, and returns its URL. PostgreSQL copies
   * a template only while nobody is connected to it: close every connection to the template first
   * (a connection closing as this runs is waited for briefly).
   */
  createDatabase(name: string, options?: { template?: string }): Promise<string>;
  /** Stops the server at once and removes its directory. */
  stop(): Promise<void>;
};

const SUPERUSER = "hindsight";
const START_ATTEMPTS = 5;

// The data never outlives the run, so durability is traded for speed; a test run opens many
// connections at once (a pool per worker, several workers), hence the raised limit.
const SERVER_SETTINGS = [
  "listen_addresses=127.0.0.1",
  "fsync=off",
  "synchronous_commit=off",
  "full_page_writes=off",
  "max_connections=300",
  "shared_buffers=128MB",
];

const execFileAsync = promisify(execFile);

/** The user the server runs as: initdb, pg_ctl and postgres refuse root, so root hands over to `postgres`. */
type ServerUser = { name: string; uid: number; gid: number } | undefined;

function serverUser(): ServerUser {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  const uid = id("-u");
  const gid = id("-g");
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error("PostgreSQL refuses to run as root and there is no postgres user to run it as: run the tests as another user, or create one (Debian's postgresql package does).");
  }
  return { name: "postgres", uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

/** A program and its arguments, run as the server's user. */
function asServerUser(user: ServerUser, program: string, args: string[]): [string, string[]] {
  return user ? ["runuser", ["-u", user.name, "--", program, ...args]] : [program, args];
}

/**
 * C.UTF-8 where the C library has it: it sorts by code point as C does, but knows which non-ASCII
 * characters are letters and how they change case, which text search and case-insensitive
 * matching rely on. Plain C knows only ASCII letters.
 */
function serverLocale(): string {
  const listed = spawnSync("locale", ["-a"], { encoding: "utf8" });
  const names = (listed.stdout ?? "").split("\n").map((name) => name.trim().toLowerCase());
  return names.includes("c.utf8") || names.includes("c.utf-8") ? "C.UTF-8" : "C";
}

/** A port nothing listens on right now; another process may still take it before the server does. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function logLength(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The last lines written to a log since it was `from` bytes long. */
function tail(file: string, from: number, lines = 30): string {
  let written = "";
  try {
    written = readFileSync(file).subarray(from).toString("utf8").trimEnd();
  } catch {
    // Not written at all.
  }
  return written ? written.split("\n").slice(-lines).join("\n") : "(nothing)";
}

function outputOf(error: unknown): string {
  const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
  return `${stdout}${stderr}`.trim();
}

function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  // pg reads the name back with decodeURI, which leaves some escapes (%23 for #, …) as they are.
  let readBack: string | undefined;
  try {
    readBack = decodeURI(url.pathname.slice(1));
  } catch {
    readBack = undefined;
  }
  if (readBack !== database) throw new Error(`A database named ${JSON.stringify(database)} cannot be reached through a URL: leave out #, ? and %.`);
  return url.toString();
}

const OBJECT_IN_USE = "55006";

async function createDatabaseOn(admin: pg.ClientBase, name: string, template: string | undefined): Promise<void> {
  const statement = `CREATE DATABASE ${pg.escapeIdentifier(name)}${template === undefined ? "" : ` TEMPLATE ${pg.escapeIdentifier(template)}`}`;
  // A backend lives on for a moment after its client has closed, and PostgreSQL refuses to copy a
  // template while one is there; it waits up to five seconds itself, and a busy machine can need
  // longer.
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(statement);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== OBJECT_IN_USE || attempt === 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

/**
 * Creates a database on the cluster whose admin URL is given (from a test worker, which has the
 * URL but not the cluster), copied from `template` when given, and returns its URL. Close every
 * connection to the template first.
 */
export async function createDatabase(adminUrl: string, name: string, options: { template?: string } = {}): Promise<string> {
  const url = databaseUrl(adminUrl, name);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await createDatabaseOn(admin, name, options.template);
  } finally {
    await admin.end();
  }
  return url;
}

type Running = { user: ServerUser; bin: string; data: string; dir: string };

// Clusters still running in this process, stopped synchronously if it exits or is interrupted
// before their stop(): a cancelled run must not leave servers behind.
const running = new Set<Running>();

// An immediate stop, as after a crash: there is nothing to keep.
const stopCommand = (cluster: Running) => asServerUser(cluster.user, join(cluster.bin, "pg_ctl"), ["stop", "-D", cluster.data, "-m", "immediate", "-w", "-s"]);

function stopNow(cluster: Running) {
  running.delete(cluster);
  const [program, args] = stopCommand(cluster);
  spawnSync(program, args, { stdio: "ignore", cwd: cluster.dir });
  rmSync(cluster.dir, { recursive: true, force: true });
}

function stopAllNow() {
  for (const cluster of running) stopNow(cluster);
}

function onSignal(signal: NodeJS.Signals) {
  stopAllNow();
  // Listening for a signal replaces Node's default of ending the process; when nothing else
  // listens, end it as the signal would have.
  if (process.listenerCount(signal) === 1) {
    process.off(signal, onSignal);
    process.kill(process.pid, signal);
  }
}

let exitHooked = false;

function stopOnExit() {
  if (exitHooked) return;
  exitHooked = true;
  // First in line: a listener that calls process.exit() (Vitest's own, on a signal or at exit)
  // ends the process before the listeners after it run.
  process.prependListener("exit", stopAllNow);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.prependListener(signal, onSignal);
}

/**
 * Starts a throw-away cluster. `log` is where the server writes its log; by default a file in the
 * cluster's directory, removed with it.
 */
export async function startCluster(options: { log?: string } = {}): Promise<Cluster> {
  const bin = findPostgres();
  if (!bin) throw new Error(POSTGRES_MISSING);
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), "hindsight-pg-"));
  const data = join(dir, "data");
  const log = options.log ?? join(dir, "server.log");
  if (user) {
    chownSync(dir, user.uid, user.gid);
    if (options.log) {
      writeFileSync(log, "", { flag: "a" });
      chownSync(log, user.uid, user.gid);
    }
  }
  const run = (program: string, args: string[]) => {
    const [file, fileArgs] = asServerUser(user, join(bin, program), args);
    // The server's user may not be able to enter the current directory.
    return execFileAsync(file, fileArgs, { cwd: dir, encoding: "utf8" });
  };
  const cluster: Running = { user, bin, data, dir };
  running.add(cluster);
  stopOnExit();

  let port = 0;
  try {
    try {
      await run("initdb", ["-D", data, "-A", "trust", "-U", SUPERUSER, "-E", "UTF8", `--locale=${serverLocale()}`, "--no-sync", "--no-instructions"]);
    } catch (error) {
      throw new Error(`initdb failed:\n${outputOf(error)}`);
    }
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const serverOptions = [`-p ${port}`, `-k '${dir}'`, ...SERVER_SETTINGS.map((setting) => `-c ${setting}`)].join(" ");
      const logBefore = logLength(log);
      try {
        // -w waits until the server accepts connections; -t lets a busy machine take its time.
        await run("pg_ctl", ["start", "-D", data, "-l", log, "-w", "-t", "300", "-s", "-o", serverOptions]);
        break;
      } catch (error) {
        const serverLog = tail(log, logBefore);
        // The port was free when picked, but another process may have bound it since.
        if (attempt < START_ATTEMPTS && /could not bind|address already in use/i.test(serverLog)) continue;
        throw new Error(`PostgreSQL did not start: ${outputOf(error) || "pg_ctl said nothing"}\nThe server's log ends:\n${serverLog}`);
      }
    }
  } catch (error) {
    stopNow(cluster);
    throw error;
  }

  const adminUrl = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
  let admin: Promise<pg.Client> | undefined;
  const adminClient = () => {
    admin ??= (async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      // A client whose server goes away emits "error"; unheard, that would end the process.
      client.on("error", () => {});
      await client.connect();
      return client;
    })();
    return admin;
  };
  let stopped = false;

  return {
    port,
    adminUrl,
    dir,
    url: (database) => databaseUrl(adminUrl, database),
    async createDatabase(name, { template } = {}) {
      const url = databaseUrl(adminUrl, name);
      await createDatabaseOn(await adminClient(), name, template);
      return url;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (admin) await (await admin.catch(() => undefined))?.end().catch(() => {});
      running.delete(cluster);
      const [file, args] = stopCommand(cluster);
      await execFileAsync(file, args, { cwd: dir }).catch(() => {
        // Already stopped (the server died, or was stopped by hand): only the files are left.
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
