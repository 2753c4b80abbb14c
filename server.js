// The HTTP server: Express in front of the Remix request handler.
//   node server.js                     serve the production build (NODE_ENV=production)
//   node server.js --build-if-needed   build first when the build is missing or older than the code
//   node server.js --build-only        build when needed, then stop (the benchmark starts with it)
//   node server.js --dev               Vite dev server with hot reload
// In production it serves from WEB_CONCURRENCY processes on one port (node:cluster), one per core
// unless set; the first process started is the primary, which only starts and watches the others.
import { spawnSync } from "node:child_process";
import cluster from "node:cluster";
import fs from "node:fs";
import path from "node:path";
import { once } from "node:events";
import os from "node:os";
import { createRequestHandler } from "@remix-run/node";
import compression from "compression";
import express from "express";

const args = new Set(process.argv.slice(2));
const dev = args.has("--dev");
process.env.NODE_ENV ??= dev ? "development" : "production";

const PORT = Number(process.env.PORT ?? 3000);
const HOST = process.env.HOST ?? "0.0.0.0";
const BODY_LIMIT = 1024 * 1024;
// A form has a few dozen fields; parsing hundreds of thousands of empty ones costs half a second.
const FIELD_LIMIT = 1000;
// Pages rendered at once: each holds its loaders' data and its HTML in the heap while it renders,
// so the heap cap (npm start's flags) bounds how many may run together. The rest wait their turn.
const RENDERS_AT_ONCE = 2;
// A client that asks and stops reading must not hold the server's memory for long: a response
// whose client has read nothing for SEND_STALL_MS is closed, and any response after
// SEND_DEADLINE_MS. Time the server itself takes to render (on a busy machine, many seconds for
// the largest page) does not count as the client's.
const SEND_STALL_MS = 30_000;
const SEND_DEADLINE_MS = 300_000;
const BUILD = path.resolve("build/server/index.js");
/** The bus messages the primary passes between server processes (app/lib/event-bus-cluster.server.ts). */
const BUS_MESSAGE = "hindsight:live";
/** At most this many server processes, whatever WEB_CONCURRENCY asks. */
const MOST_PROCESSES = 64;
/** A process that dies this soon after it started is restarted after a growing pause, up to the longest. */
const EARLY_DEATH_MS = 10_000;
const LONGEST_RESTART_PAUSE_MS = 30_000;
/** How long the processes are given to finish their requests once told to stop (each takes up to 10 s). */
const STOP_MS = 12_000;
// Request bodies are read whole before a route sees them, outside the heap the flags cap: the
// bytes of all bodies being read or waiting for their answer are bounded, and past the bound a
// new body is refused (503, try again shortly) rather than kept. A request must arrive whole within REQUEST_MS, so a
// body sent a byte at a time does not hold its share for long.
const BODIES_IN_FLIGHT = 32 * 1024 * 1024;
const REQUEST_MS = 30_000;
const HEADERS_MS = 15_000;

// Read before anything is built, so a wrong setting is said at once.
const processes = serverProcesses(process.env.WEB_CONCURRENCY);

// Only the primary (or the one process) builds: a server process started again later must serve
// the build its siblings serve, never rebuild it under them.
if (cluster.isPrimary && (args.has("--build-if-needed") || args.has("--build-only")) && buildIsStale()) {
  console.log("Building Hindsight…");
  const result = spawnSync("npm", ["run", "build"], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
if (args.has("--build-only")) process.exit(0);

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function buildIsStale() {
  if (!fs.existsSync(BUILD)) return true;
  const built = fs.statSync(BUILD).mtimeMs;
  return ["app", "db", "public"].some((dir) => fs.existsSync(dir) && newestMtime(dir) > built);
}

/**
 * Which hops of X-Forwarded-For to believe. Each proxy appends the address it saw, so only the
 * entries its own proxies added are true; entries further left are whatever the client wrote.
 * TRUST_PROXY: "false" (nothing in front), "true" (one proxy), a number of proxies, or the
 * proxies' addresses and subnets, comma-separated ("loopback, 10.0.0.0/8").
 */
function proxiesToTrust(setting = "false") {
  if (setting === "false") return false;
  if (setting === "true") return 1;
  if (/^\d+$/.test(setting)) return Number(setting);
  return setting.split(",").map((entry) => entry.trim());
}

/**
 * How many server processes to run: WEB_CONCURRENCY, else one per core this process may use (no
 * more than a container's CPU quota allows, nor MOST_PROCESSES); one with the dev server.
 */
function serverProcesses(setting) {
  if (dev) return 1;
  if (setting === undefined || setting === "") return Math.min(os.availableParallelism(), cpuQuota() ?? Infinity, MOST_PROCESSES);
  const count = Number(setting);
  if (!Number.isInteger(count) || count < 1 || count > MOST_PROCESSES) {
    console.error(`WEB_CONCURRENCY must be a whole number from 1 to ${MOST_PROCESSES} (the number of server processes), not ${JSON.stringify(setting)}.`);
    process.exit(1);
  }
  return count;
}

/**
 * The cores a container's CPU quota allows (cgroup v2 `cpu.max`, rounded up), or undefined when
 * there is none: os.availableParallelism() counts the machine's cores, not the container's share.
 */
function cpuQuota() {
  try {
    const [quota, period] = fs.readFileSync("/sys/fs/cgroup/cpu.max", "utf8").trim().split(/\s+/);
    return quota === "max" ? undefined : Math.max(1, Math.ceil(Number(quota) / Number(period)));
  } catch {
    return undefined;
  }
}

/**
 * The primary of several server processes: it starts them, passes live-session announcements
 * between them, starts one again when it dies, and stops them all on SIGTERM or SIGINT. The first
 * process starts alone and the rest once it listens: it migrates the database and writes the
 * generated session secret before any other opens them. When the first cannot start at all (a
 * setting refused, a database out of reach), neither does the primary.
 */
async function supervise(count) {
  let stopping = false;
  let serving = false;
  const started = new Map();
  const pauses = new Map();
  const fork = (index) => {
    const worker = cluster.fork({ HINDSIGHT_PROCESS_INDEX: String(index) });
    started.set(worker, { index, at: Date.now() });
    // A message to a process that has just died fails; its exit is handled below.
    worker.on("error", (error) => console.error(JSON.stringify({ serverProcess: index, pid: worker.process.pid, error: error.message })));
    return worker;
  };
  const stopAll = (signal) => {
    for (const worker of started.keys()) worker.process.kill(signal);
  };
  cluster.on("message", (from, message) => {
    if (message?.type !== BUS_MESSAGE) return;
    for (const worker of Object.values(cluster.workers ?? {})) if (worker && worker !== from && worker.isConnected()) worker.send(message, () => {});
  });
  cluster.on("exit", (worker, code, signal) => {
    const { index, at } = started.get(worker);
    started.delete(worker);
    if (stopping) {
      if (started.size === 0) process.exit(0);
      return;
    }
    // The first process could not start at all: starting it again would fail again.
    if (!serving && index === 0) {
      console.error(`The first server process exited (${signal ?? code}) before it could serve; stopping.`);
      stopAll("SIGTERM");
      process.exit(code || 1);
    }
    const early = Date.now() - at < EARLY_DEATH_MS;
    const pause = early ? Math.min((pauses.get(index) ?? 500) * 2, LONGEST_RESTART_PAUSE_MS) : 1000;
    pauses.set(index, pause);
    console.error(JSON.stringify({ serverProcess: index, pid: worker.process.pid, exited: signal ?? code, restartingInMs: pause }));
    // Not unref'd: with every process dead, this timer is what keeps the primary waiting to start one.
    setTimeout(() => stopping || fork(index), pause);
  });
  // Installed before the first process starts: a stop asked for during a long first migration
  // reaches it too.
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      if (started.size === 0) process.exit(0);
      console.log(`${signal}: stopping the ${started.size} server processes`);
      stopAll(signal);
      setTimeout(() => process.exit(0), STOP_MS).unref();
    });
  }

  const first = fork(0);
  await once(first, "listening");
  serving = true;
  const others = Array.from({ length: count - 1 }, (_, i) => fork(i + 1));
  await Promise.all(others.map((worker) => new Promise((resolve) => worker.once("listening", resolve).once("exit", resolve))));
  if (!stopping) console.log(`Hindsight is serving from ${count} processes`);
}

if (cluster.isPrimary && processes > 1) await supervise(processes);
else await serve();

/** One server process: Express in front of the Remix request handler, on PORT. */
async function serve() {
  const vite = dev
    ? await import("vite").then((v) => v.createServer({ server: { middlewareMode: true } }))
    : undefined;

  const app = express();
  app.disable("x-powered-by");
  try {
    app.set("trust proxy", proxiesToTrust(process.env.TRUST_PROXY));
  } catch (error) {
    console.error(`TRUST_PROXY: ${error.message}`);
    process.exit(1);
  }
  /** A live event stream (text/event-stream): it stays open, and each event must go out at once. */
  const isEventStream = (res) => String(res.getHeader("Content-Type") ?? "").startsWith("text/event-stream");
  // Compression would hold a stream's events back until a buffer fills.
  app.use(compression({ filter: (req, res) => !isEventStream(res) && compression.filter(req, res) }));

  // Headers for every response, pages and everything else (downloads, feeds, files, refusals): no
  // content sniffing, no framing, the referrer only within the site. The Content-Security-Policy,
  // which carries each page's own nonce, is set where pages are rendered (app/entry.server.tsx).
  app.use((_req, res, next) => {
    res.set({ "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin" });
    next();
  });

  // One line per request. Paths of one-time links carry a secret, so they are cut before logging.
  app.use((req, res, next) => {
    const start = process.hrtime.bigint();
    res.on("finish", () => {
      if (req.path.startsWith("/assets/")) return;
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const logged = req.path.replace(/^\/set-password\/[^/]+/, "/set-password/[token]").replace(/^\/unsubscribe\/[^/]+/, "/unsubscribe/[token]");
      const cache = res.locals.pageCache ? { cache: res.locals.pageCache } : {};
      console.log(JSON.stringify({ method: req.method, path: logged, status: res.statusCode, ms: Math.round(ms * 10) / 10, ...cache }));
    });
    next();
  });

  // Cross-site form posts are refused here, for every route, on top of SameSite cookies. The
  // site's own origin is APP_URL's when it is set. Without it, it is read from the request, whose
  // Host a page on any name that resolves to this server chooses (DNS rebinding).
  const APP_ORIGIN = process.env.APP_URL ? new URL(process.env.APP_URL).origin : undefined;
  app.use((req, res, next) => {
    if (req.method === "GET" || req.method === "HEAD") return next();
    // The digest's one-click unsubscribe (RFC 8058) is posted by mail providers, from anywhere; the
    // signed token in its path is what allows it, and it needs no cookie.
    // Remix would refuse such a POST from a webmail page for its foreign Origin: the route reads
    // no cookie, so the Origin is dropped for it.
    if (/^\/unsubscribe\/[^/]+$/.test(req.path)) {
      delete req.headers.origin;
      delete req.headersDistinct.origin;
      return next();
    }
    const origin = req.get("origin");
    const site = req.get("sec-fetch-site");
    const own = APP_ORIGIN ?? `${req.protocol}://${req.get("host")}`;
    if ((origin && origin !== own) || site === "cross-site") {
      return res.status(403).type("text/plain").send("Cross-site requests are not accepted.");
    }
    next();
  });

  // /incidents/INC-7.md is the incident as Markdown; its route lives at /incidents/INC-7/export.md.
  app.use((req, _res, next) => {
    const match = /^\/incidents\/(INC-\d+)\.md$/i.exec(req.path);
    // The Remix handler below reads originalUrl, so both change.
    if (match) req.url = req.originalUrl = `/incidents/${match[1]}/export.md`;
    next();
  });

  if (vite) {
    app.use(vite.middlewares);
  } else {
    app.use("/assets", express.static("build/client/assets", { immutable: true, maxAge: "1y" }));
    // Files in public/ all have an extension; pages never do, so they skip the file lookup.
    const files = express.static("build/client", { maxAge: "1h" });
    app.use((req, res, next) => (path.extname(req.path) ? files(req, res, next) : next()));
  }

  /** The server build, once its database is open and migrated (app/entry.server.tsx's `ready`). */
  async function opened(serverBuild) {
    await serverBuild.entry.module.ready;
    return serverBuild;
  }

  const build = vite
    ? () => vite.ssrLoadModule("virtual:remix/server-build").then(opened)
    : await opened(await import(BUILD));

  /**
   * Reads the body whole, before Remix sees it, counting the bytes that arrive: a Content-Length
   * can be left out (chunked) or be wrong. Past the limit the answer is 413 and the rest of the
   * body is read and dropped, never kept.
   */
  let bodiesInFlight = 0;

  function readBody(req, res, next) {
    if (req.method === "GET" || req.method === "HEAD") return next();
    const tooLarge = () =>
      req.path.startsWith("/api/")
        ? res.status(413).type("application/problem+json").send(JSON.stringify({ type: "tag:hindsight,2026:too-large", title: "Body too large", status: 413, detail: "A request body may hold at most 1 MB." }))
        : res.status(413).type("text/plain").send("Request too large.");
    if (Number(req.get("content-length") ?? 0) > BODY_LIMIT) return tooLarge();
    const chunks = [];
    let size = 0;
    let held = 0;
    const release = () => {
      bodiesInFlight -= held;
      held = 0;
    };
    // Held until the answer is sent: a body waiting its turn to render still takes its room.
    res.once("close", release);
    const stop = () => {
      chunks.length = 0;
      release();
      req.off("data", onData).off("end", onEnd).resume();
    };
    const onData = (chunk) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        stop();
        return tooLarge();
      }
      if (bodiesInFlight + chunk.length > BODIES_IN_FLIGHT) {
        stop();
        return res.status(503).set("Retry-After", "5").type("text/plain").send("The server is busy receiving other requests. Try again in a few seconds.");
      }
      bodiesInFlight += chunk.length;
      held += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = () => {
      req.body = Buffer.concat(chunks);
      chunks.length = 0;
      if (fieldCount(req.body, req.get("content-type") ?? "") > FIELD_LIMIT) {
        return res.status(413).type("text/plain").send(`A form of more than ${FIELD_LIMIT} fields is not accepted.`);
      }
      next();
    };
    req.on("data", onData).on("end", onEnd).on("error", () => {});
  }

  /** How many fields a form body holds, counted on its bytes before anything parses it. */
  function fieldCount(body, type) {
    // The first parameter named exactly "boundary", as the form parser reads it (WHATWG MIME type
    // parsing: the first of a name wins), not the last text that ends in "boundary=".
    const match = /^\s*multipart\/form-data\s*(?:;[^;]*?)*?;\s*boundary=(?:"([^"]*)"|([^;\s]*))/i.exec(type);
    const boundary = match ? (match[1] ?? match[2]) : undefined;
    const separator = boundary ? Buffer.from(`--${boundary}`) : /x-www-form-urlencoded/i.test(type) ? Buffer.from("&") : undefined;
    if (!separator) return 0;
    let count = 0;
    for (let at = body.indexOf(separator); at !== -1 && count <= FIELD_LIMIT; at = body.indexOf(separator, at + separator.length)) count += 1;
    return count;
  }

  /** At most `limit` calls of `work` run at once; the others wait in the order they came. */
  function limited(limit) {
    let running = 0;
    const waiting = [];
    return async (work) => {
      if (running >= limit) await new Promise((resolve) => waiting.push(resolve));
      running += 1;
      try {
        return await work();
      } finally {
        running -= 1;
        // The next one starts after pending I/O: other requests (the health check) get their turn.
        setImmediate(() => waiting.shift()?.());
      }
    };
  }
  const rendering = limited(RENDERS_AT_ONCE);

  /** Live event streams open now: ended when the server stops, rather than waited for. */
  const openStreams = new Set();

  /**
   * The response body, written as fast as the client reads it and no faster. An event stream has no
   * deadline (it is meant to stay open); a client that stops reading it is closed all the same.
   */
  async function send(body, res) {
    const stream = isEventStream(res);
    if (stream) {
      openStreams.add(res);
      res.once("close", () => openStreams.delete(res));
    }
    const deadline = stream ? undefined : setTimeout(() => res.destroy(), SEND_DEADLINE_MS).unref();
    try {
      for await (const chunk of body) {
        if (res.destroyed) return;
        if (!res.write(chunk)) {
          const stalled = setTimeout(() => res.destroy(), SEND_STALL_MS).unref();
          try {
            await Promise.race([once(res, "drain"), once(res, "close")]);
          } finally {
            clearTimeout(stalled);
          }
        }
      }
      res.end();
    } finally {
      clearTimeout(deadline);
    }
  }

  const handleRequest = createRequestHandler(build, process.env.NODE_ENV);

  // Pages rendered once and served again while nothing they show has changed, ahead of Remix
  // (app/lib/page-cache.server.ts); not in development, where the code itself changes.
  const pageCache = typeof build === "function" ? undefined : build.entry.module.pageCacheOf(build.routes);

  /** A page as the page cache gives it: kept (or just kept) and served with a nonce of its own, or 304. */
  async function sendPage(page, res, how) {
    res.locals.pageCache = how;
    res.status(page.status);
    for (const [name, value] of page.headers) res.setHeader(name, value);
    if (page.body) await send([page.body], res);
    else res.end();
  }

  // Remix is called from here rather than through @remix-run/express, which would hand it the
  // request stream itself to read without a limit. Mounted with `use`, not a "*" route: Express
  // would decode the path as a parameter and answer a malformed one (%E0%A4%A) with its own page.
  app.use(readBody, async (req, res, next) => {
    try {
      // A page kept for this person, if nothing it shows has changed since: no render.
      const slot = pageCache && req.method === "GET" ? await pageCache.slot(req.originalUrl, req.get("cookie")) : undefined;
      const kept = slot && pageCache.kept(slot, req.get("if-none-match"));
      if (kept) return await sendPage(kept, res, "hit");
      const controller = new AbortController();
      res.on("close", () => res.writableFinished || controller.abort());
      const headers = new Headers();
      for (const [name, values] of Object.entries(req.headersDistinct)) for (const value of values ?? []) headers.append(name, value);
      const request = new Request(new URL(req.originalUrl, `${req.protocol}://${req.get("host")}`), {
        method: req.method,
        headers,
        body: req.body,
        signal: controller.signal,
      });
      const handle = () => handleRequest(request, { clientAddress: req.ip ?? "unknown" });
      // The health check answers at once, never queued behind pages waiting to render; so do the
      // identity provider's two steps, which wait on the provider, not on rendering (the app caps
      // how many wait at once), so a slow provider cannot hold every page up.
      const unqueued = req.path === "/healthz" || req.path === "/signin/sso" || req.path === "/signin/sso/callback";
      const response = await (unqueued ? handle() : rendering(handle));
      let body = response.body;
      if (slot && response.headers.has(pageCache.mark)) {
        const rendered = Buffer.from(await response.arrayBuffer());
        const page = pageCache.keep(slot, { status: response.status, headers: [...response.headers], body: rendered }, req.get("if-none-match"));
        if (page) return await sendPage(page, res, "miss");
        // Too large to keep: sent as rendered.
        body = [rendered];
      }
      res.statusMessage = response.statusText;
      res.status(response.status);
      // A header the app sets replaces the default set above; Set-Cookie and the like may repeat.
      const replaced = new Set();
      for (const [name, value] of response.headers) {
        // The mark of a page that may be kept is for the page cache, never sent.
        if (name === pageCache?.mark) continue;
        if (!replaced.has(name)) res.removeHeader(name);
        replaced.add(name);
        res.append(name, value);
      }
      if (body) await send(body, res);
      else res.end();
    } catch (error) {
      next(error);
    }
  });

  const server = app.listen(PORT, HOST, () => {
    console.log(`Hindsight is listening on http://${HOST === "0.0.0.0" ? "localhost" : HOST}:${PORT}`);
  });
  /**
   * Requests Node refuses before the app sees them: headers (or an address) past 16 KB, and
   * requests it cannot parse. An API client is answered as every API error is, in
   * application/problem+json; anyone else in plain text.
   */
  server.on("clientError", (error, socket) => {
    if (!socket.writable || error.code === "ECONNRESET") return socket.destroy();
    const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
    const [status, title] = tooLarge ? [431, "Request Header Fields Too Large"] : [400, "Bad Request"];
    const detail = tooLarge ? "The request's address and headers may hold at most 16 KB." : "The request could not be read as HTTP.";
    const api = /^[A-Z]+ \/api\//.test(error.rawPacket?.subarray(0, 32).toString("latin1") ?? "");
    const [type, body] = api
      ? ["application/problem+json", JSON.stringify({ type: `tag:hindsight,2026:${tooLarge ? "headers-too-large" : "bad-request"}`, title, status, detail })]
      : ["text/plain; charset=utf-8", detail];
    socket.end(`HTTP/1.1 ${status} ${title}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  server.requestTimeout = REQUEST_MS;
  server.headersTimeout = HEADERS_MS;

  let shuttingDown = false;
  function shutdown(signal) {
    if (shuttingDown) return;
    shuttingDown = true;
    console.log(`${signal}: finishing requests in flight, then stopping`);
    // The app lets go of what it holds for this process (the schedule's lease) while requests finish.
    const stopped = Promise.resolve(typeof build === "function" ? undefined : build.entry.module.stopping?.()).catch((error) => console.error("Stopping failed:", error));
    server.close(() => void stopped.finally(() => process.exit(0)));
    // Live streams never finish by themselves: closed, their clients reconnect to another server.
    for (const res of openStreams) res.destroy();
    setTimeout(() => process.exit(0), 10_000).unref();
  }
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  // A process of several whose primary is killed outright exits at once (node:cluster does so
  // when the channel to the primary closes): it cannot be told to stop, nor started again.
}
