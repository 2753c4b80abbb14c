// A large, realistic data set for measuring Hindsight: ~200 people in 15 teams, 30 services and
// 10,000 incidents over five years, each with a why tree, actions, a timeline, history and, once
// published, its publication. The same seed gives the same data on the same day (dates count
// back from the start of today, UTC).
//   npm run seed:bench                                  10,000 incidents into ./data/bench.db
//   npm run seed:bench -- --incidents 2000 --db /tmp/small.db --seed 7 --force
// It never writes into a database that already holds data unless --force, which deletes the file.
//
// Rows go in through prepared statements in a few large transactions, not through the models:
// their per-row checks, and a full-text search for every saved why, are far too slow at this
// size. What the models would have stored is built here directly, in the same shape: rendered
// markdown, publication snapshots and what the feed shows of them, similarities between whys,
// acknowledged blame findings.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { openDatabase, sqliteOf } from "~/lib/db.server";
import { renderMarkdown } from "~/lib/markdown.server";
import { hashPassword } from "~/lib/password.server";
import { addDays, formatSpan } from "~/lib/time";
import { ACTION_STATUS_LABELS, DEFAULT_DUE_POLICY, type ActionStatus, type Priority } from "~/models/action";
import { checkWhy, findingsToStore, normalizedMatch, type Check, type WhyField } from "~/models/blame";
import { serverTokenizer } from "~/lib/wording-nlp.server";
import { namesOf } from "~/models/wording";
import { wordingCheck } from "~/models/wording-check";
import { reference, STATUS_LABELS, type Severity, type Status, type Visibility } from "~/models/incident";
import { learningContent } from "~/models/learning.server";
import { buildSnapshot, type Snapshot } from "~/models/publication.server";
import { buildTree } from "~/models/why-tree";
import { SAME_CAUSE } from "~/models/recurrence.server";
import { relevance, RELEVANT } from "~/models/relevance";

const BENCH_PASSWORD = "hindsight-bench";
const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;
const YEARS = 5;
const BATCH = 500;

// --- Options ----------------------------------------------------------------------------------

const USAGE = "Usage: npm run seed:bench -- [--incidents N] [--db PATH | PATH] [--seed S] [--force]";

function readOptions() {
  try {
    return parseArgs({
      options: {
        incidents: { type: "string", default: "10000" },
        db: { type: "string" },
        seed: { type: "string", default: "42" },
        force: { type: "boolean", default: false },
      },
      allowPositionals: true,
    });
  } catch (e) {
    console.error(`${e instanceof Error ? e.message.split(". ")[0] : String(e)}. ${USAGE}`);
    process.exit(1);
  }
}

const { values: options, positionals } = readOptions();
if (positionals.length > 1 || (positionals.length === 1 && options.db)) {
  console.error(`Give one database path. ${USAGE}`);
  process.exit(1);
}

const incidentCount = Number(options.incidents);
if (!Number.isInteger(incidentCount) || incidentCount < 1) {
  console.error(`--incidents must be a positive whole number, not “${options.incidents}”.`);
  process.exit(1);
}
const file = path.resolve(options.db ?? positionals[0] ?? "./data/bench.db");
const seedText = options.seed ?? "42";

/** Why the file must not be written into, or undefined when it is absent or an empty database. */
function reasonToKeep(target: string): string | undefined {
  if (!fs.existsSync(target)) return undefined;
  if (fs.statSync(target).size === 0 && !fs.existsSync(`${target}-wal`)) return undefined;
  try {
    const probe = new Database(target, { readonly: true, fileMustExist: true });
    try {
      const tables = probe.prepare("select name from sqlite_master where type = 'table'").pluck().all() as string[];
      if (tables.length === 0) return undefined;
      if (!tables.includes("users") || !tables.includes("incidents")) return "it is a database of something else";
      const used = probe.prepare("select exists(select 1 from users) or exists(select 1 from incidents)").pluck().get();
      return used ? "it already holds data" : undefined;
    } finally {
      probe.close();
    }
  } catch {
    return "it is not a database this script can read";
  }
}

const reason = reasonToKeep(file);
if (reason) {
  if (!options.force) {
    console.error(`Refusing to write into ${file}: ${reason}. Pass --force to delete it and start again.`);
    process.exit(1);
  }
  for (const suffix of ["", "-wal", "-shm", "-journal"]) fs.rmSync(`${file}${suffix}`, { force: true });
}

// --- Deterministic randomness ------------------------------------------------------------------

function seedNumber(text: string): number {
  if (/^\d+$/.test(text)) return Number(text) >>> 0;
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** mulberry32: small, fast, and the same sequence on every machine. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** An index drawn with the given relative weights. */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((a, b) => a + b, 0);
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffle(items).slice(0, Math.min(k, items.length));
  }
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** Durations and delays: most near the median, a long tail of slow ones. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
}

const rng = new Random(seedNumber(seedText));

/** Zipf-like weights: a few items very common, a long tail of rare ones. */
const zipf = (n: number, s: number) => Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));

// --- Vocabulary --------------------------------------------------------------------------------

type Category = "code" | "testing" | "config" | "capacity" | "dependency" | "architecture" | "observability" | "process" | "knowledge";

/** One level of a why chain: the question asked, ways the answer was put, the remediations and follow-ups. */
type Step = { cat: Category; q?: string; a: string[]; r: string[]; act: string[] };

type SymptomKind = "errors" | "slow" | "down" | "data" | "delayed" | "connect" | "security";

type Theme = {
  slug: string;
  sym: SymptomKind;
  svcs: string[] | "any";
  titles: string[];
  /** The first step answers the symptom's question; the others ask their own. */
  chain: Step[];
  tl: string[];
  sum: string;
  deeper: Category[];
  restricted?: number;
};

const TEAMS = [
  "Platform", "Identity", "Checkout", "Payments", "Billing", "Fulfilment", "Search", "Growth",
  "Messaging", "Web", "Mobile", "Data", "Storage", "Infrastructure", "Developer Experience",
];

const SERVICES: { slug: string; name: string; team: string }[] = [
  ["api-gateway", "API gateway", "Platform"],
  ["auth", "Auth", "Identity"],
  ["sessions", "Sessions", "Identity"],
  ["identity", "Identity", "Identity"],
  ["checkout", "Checkout", "Checkout"],
  ["orders", "Orders", "Checkout"],
  ["payments", "Payments", "Payments"],
  ["billing", "Billing", "Billing"],
  ["ledger", "Ledger", "Billing"],
  ["invoicing", "Invoicing", "Billing"],
  ["inventory", "Inventory", "Fulfilment"],
  ["shipping", "Shipping", "Fulfilment"],
  ["catalog", "Catalog", "Search"],
  ["search", "Search", "Search"],
  ["recommendations", "Recommendations", "Growth"],
  ["notifications", "Notifications", "Messaging"],
  ["email-sender", "Email sender", "Messaging"],
  ["webhooks", "Webhooks", "Messaging"],
  ["web", "Web", "Web"],
  ["image-resizer", "Image resizer", "Web"],
  ["mobile-api", "Mobile API", "Mobile"],
  ["reporting", "Reporting", "Data"],
  ["data-warehouse", "Data warehouse", "Data"],
  ["event-pipeline", "Event pipeline", "Data"],
  ["postgres-main", "Main Postgres cluster", "Storage"],
  ["redis-cache", "Redis cache", "Storage"],
  ["kafka", "Kafka", "Storage"],
  ["k8s-cluster", "Kubernetes cluster", "Infrastructure"],
  ["ci", "CI", "Developer Experience"],
  ["feature-flags", "Feature flags", "Developer Experience"],
].map(([slug, name, team]) => ({ slug, name, team }));

const DEPENDENCIES = [
  "payment provider", "SMS gateway", "email delivery provider", "identity provider", "object store",
  "maps API", "fraud-scoring service", "tax calculation API", "shipping-rates API", "CDN provider",
];
const FLAGS = ["new-checkout-flow", "search-ranking-v2", "batch-invoice-export", "one-click-reorder", "smart-retries", "async-receipts", "grid-layout", "saved-carts"];
const TABLES = ["orders", "line_items", "invoices", "sessions", "events", "payments", "audit_log", "user_devices", "shipments", "price_rules"];
const REGIONS = ["eu-west-1", "us-east-1", "eu-central-1", "us-west-2", "ap-southeast-2"];
const QUEUES = ["order-events", "email-outbound", "webhook-deliveries", "search-updates", "invoice-jobs", "clickstream"];
const JOBS = ["nightly-reconcile", "invoice-run", "search-reindex", "usage-rollup", "dunning-emails", "stock-sync"];
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

const SYMPTOMS: Record<SymptomKind, { q: string[]; lead: string[]; bullets: string[] }> = {
  errors: {
    q: ["Why were {svc} requests failing?", "Why did {svc} return errors?"],
    lead: ["About **{pct}%** of {svc} requests failed for {dur}.", "{Svc} returned errors to customers for **{dur}**."],
    bullets: ["**{big}** failed requests", "Checkout conversion dropped by {pct}% during the incident", "{n} support tickets", "Error rate peaked at {pct}%"],
  },
  slow: {
    q: ["Why was {svc} so slow?", "Why did {svc} requests time out?"],
    lead: ["{Svc} was slow for **{dur}**; p99 latency reached {ms} ms.", "Pages backed by {svc} took seconds to load for {dur}."],
    bullets: ["p99 latency peaked at **{ms} ms**", "{pct}% of requests timed out", "{n} support tickets about slow pages", "Mobile app sessions fell by {pct}%"],
  },
  down: {
    q: ["Why was {svc} unavailable?", "Why did {svc} go down?"],
    lead: ["**{Svc} was unavailable** for {dur}.", "{Svc} was down for **{dur}**, and everything depending on it failed."],
    bullets: ["Status page incident open for {dur}", "**{big}** failed requests", "{n} enterprise customers contacted support", "Estimated revenue impact **{money}**"],
  },
  data: {
    q: ["Why did customers see wrong data in {svc}?", "Why was {svc} data incorrect?"],
    lead: ["**{big} records** in {svc} were wrong for {dur}.", "Customers saw incorrect data from {svc} for **{dur}**."],
    bullets: ["{big} records repaired", "{n} customers contacted individually", "No data was lost", "Refunds issued to **{n}** customers"],
  },
  delayed: {
    q: ["Why were {svc} jobs delayed?", "Why did {svc} fall behind?"],
    lead: ["{Svc} work was delayed by up to **{dur}**.", "**{big} items** waited in {svc} for up to {dur}."],
    bullets: ["Oldest item waited **{dur}**", "{n} customers asked about missing emails", "No items were lost", "Backlog peaked at {big} items"],
  },
  connect: {
    q: ["Why could clients not connect to {svc}?", "Why did connections to {svc} fail?"],
    lead: ["Clients could not connect to {svc} for **{dur}**.", "Connections to {svc} failed for {dur}, affecting about **{pct}%** of traffic."],
    bullets: ["Mobile apps showed a connection error", "{n} partner integrations failed", "**{big}** failed connections", "Status page incident open for {dur}"],
  },
  security: {
    q: ["Why was sensitive data exposed?", "Why did {svc} expose data it should not have?"],
    lead: ["Sensitive data from {svc} was exposed for **{dur}**.", "{Svc} exposed data it should not have for {dur}."],
    bullets: ["No evidence of misuse was found", "{n} credentials rotated", "**{n} customers** notified", "Security review completed"],
  },
};

const THEMES: Theme[] = [
  {
    slug: "config-typo", sym: "errors", svcs: "any",
    titles: ["Typo in {svc} configuration", "{Svc} misconfigured by a config change"],
    chain: [
      { cat: "config", a: ["A configuration change set the {svc} upstream to a host name with a typo, so calls failed to resolve.", "The {svc} config change had a mistyped key, and the service fell back to a default that pointed at staging."], r: ["Revert the configuration change.", "Restore the previous config version from the config store."], act: ["Revert and correct the {svc} configuration", "Add a smoke test after {svc} config changes"] },
      { cat: "testing", q: "Why was the typo not caught before release?", a: ["Configuration is not validated against a schema; any string is accepted.", "Config changes do not go through the test pipeline; they go straight to production."], r: ["Validate configuration against a schema in CI.", "Send config changes through the same pipeline as code."], act: ["Add schema validation for {svc} configuration", "Route config changes through CI"] },
      { cat: "process", q: "Why did the change reach production without a staged rollout?", a: ["Config changes apply to every instance at once, unlike code deploys.", "The config store has no canary; a change is live everywhere within seconds."], r: ["Roll out config changes in stages, like code."], act: ["Add staged rollout for configuration changes"] },
    ],
    tl: ["Config change applied to {svc}.", "Config change reverted; errors stop."],
    sum: "A typo in a {svc} configuration change went live everywhere at once; configuration is not validated or rolled out in stages.",
    deeper: ["testing", "process"],
  },
  {
    slug: "no-canary", sym: "errors", svcs: "any",
    titles: ["Bad release of {svc} {ver} reached all instances", "{Svc} {ver} rollout caused errors"],
    chain: [
      { cat: "code", a: ["Release {ver} of {svc} had a serialization bug that failed on {pct}% of requests.", "The {ver} release of {svc} changed a response field that older clients could not parse."], r: ["Roll back to the previous release.", "Roll back {svc} and pin the version until a fix ships."], act: ["Fix the serialization bug and add a regression test", "Restore the old response field in {svc}"] },
      { cat: "process", q: "Why did the bad release reach every instance?", a: ["The {svc} pipeline deploys to all instances at once; it has no canary stage.", "The canary stage was disabled during a migration and never turned back on."], r: ["Add a canary stage that compares error rates and rolls back automatically.", "Re-enable the canary stage and alert when a pipeline runs without it."], act: ["Add an automatic canary stage to the {svc} pipeline", "Alert when a deploy runs without the canary stage"] },
      { cat: "process", q: "Why was the canary missing for so long?", a: ["Pipelines are copied per service, and changes to the template do not reach existing copies.", "Nothing reports which pipelines lack a canary."], r: ["Use one shared pipeline template that services extend instead of copy.", "Report pipelines without a canary on the platform dashboard."], act: ["Migrate {svc} to the shared pipeline template", "List pipelines without a canary on the platform dashboard"] },
    ],
    tl: ["Deploy of {svc} {ver} completes on all instances.", "Rollback of {svc} complete; error rate back to baseline."],
    sum: "Release {ver} of {svc} broke a share of requests and reached every instance because the pipeline had no canary.",
    deeper: ["process", "testing"],
  },
  {
    slug: "dependency-outage", sym: "errors", svcs: ["payments", "email-sender", "notifications", "auth", "shipping", "checkout"],
    titles: ["Outage at the {depname} broke {svc}", "{Svc} failures during the {depname} outage"],
    chain: [
      { cat: "dependency", a: ["{Dep} returned errors for {dur}, and every {svc} request that needed it failed.", "Calls from {svc} to {dep} timed out for the length of the provider's outage."], r: ["Switch to the secondary provider.", "Queue requests for {dep} and retry them after recovery."], act: ["Document the switch to the secondary provider"] },
      { cat: "architecture", q: "Why did one provider's outage stop {svc}?", a: ["{Svc} has no fallback when {dep} is down; every request waits for it.", "The secondary provider was configured, but switching to it needs a deploy."], r: ["Add a fallback that queues work while {dep} is down.", "Make the provider switch a runtime flag."], act: ["Make the provider switch a runtime flag in {svc}", "Queue work for {dep} while it is down"] },
      { cat: "process", q: "Why was there no tested fallback?", a: ["The fallback path was built two years ago and has not been exercised since.", "Provider failover is not part of any game day."], r: ["Exercise the provider fallback in a quarterly game day."], act: ["Add the {depname} fallback to the game-day plan"] },
    ],
    tl: ["{Dep} status page reports degraded service.", "{Dep} recovers; queued requests replayed."],
    sum: "{Dep} had an outage and {svc} had no working fallback, so requests that needed it failed.",
    deeper: ["architecture", "process"],
  },
  {
    slug: "pool-exhaustion", sym: "errors", svcs: ["orders", "payments", "checkout", "billing", "ledger", "invoicing", "inventory"],
    titles: ["{Svc} errors: database connection pool exhausted", "{Svc} timeouts as database connections ran out"],
    chain: [
      { cat: "capacity", a: ["Requests to {svc} timed out waiting for a database connection; all {pool} connections in the pool were in use.", "The {svc} connection pool ({pool} connections) was exhausted, so new requests queued and then timed out after {ms} ms."], r: ["Restart {svc} with a larger pool and shed load at the gateway until the queue drains.", "Raise the pool size for the duration of the incident and restart the stuck instances."], act: ["Set a pool wait timeout and alert on pool saturation for {svc}"] },
      { cat: "code", q: "Why did the pool run out of connections?", a: ["Each request held its connection while calling {dep}, which slowed to {ms} ms.", "Connections were held open across a slow call to {dep}, so they went back to the pool far too late."], r: ["Release the connection before calling other services.", "Move the call to {dep} outside the database transaction."], act: ["Move remote calls out of database transactions in {svc}", "Release database connections before calling {dep}"] },
      { cat: "architecture", q: "Why could a slow dependency hold database connections?", a: ["The data-access layer opens a transaction per request by default, so every call in the handler runs inside it.", "The request framework wraps each handler in a transaction, which keeps a connection for the whole request."], r: ["Make transactions explicit and short, and add a lint rule against remote calls inside them."], act: ["Add a lint rule for remote calls inside transactions"] },
    ],
    tl: ["Alert: {svc} p99 latency above {ms} ms.", "Pool metrics show {pool}/{pool} connections in use on every {svc} instance."],
    sum: "Requests to {svc} timed out because its database connection pool was exhausted: connections were held across a slow call to {dep}.",
    deeper: ["testing", "architecture", "observability"],
  },
  {
    slug: "missing-alert", sym: "delayed", svcs: ["event-pipeline", "reporting", "email-sender", "webhooks", "invoicing", "data-warehouse"],
    titles: ["{Svc} silently stopped for {dur}", "Nothing alerted when {svc} stopped processing"],
    chain: [
      { cat: "code", a: ["The {svc} worker stopped processing after a crash loop, and {big} items piled up.", "{Svc} consumers hung on a lock and processed nothing for {dur}."], r: ["Restart the workers and drain the backlog.", "Clear the lock and restart the consumers."], act: ["Fix the crash loop in the {svc} worker"] },
      { cat: "observability", q: "Why did it take so long to notice?", a: ["{Svc} has alerts on errors, but a stopped worker produces no errors.", "There is no alert on queue age or throughput for {svc}."], r: ["Alert on backlog age and on throughput dropping to zero."], act: ["Add backlog-age and zero-throughput alerts for {svc}"] },
      { cat: "process", q: "Why was the missing alert not found in review?", a: ["The production-readiness review checks for error alerts only.", "The service has not been through a production-readiness review since {year}."], r: ["Add saturation and throughput alerts to the production-readiness checklist.", "Review tier-1 services' alerts every year."], act: ["Update the production-readiness checklist"] },
    ],
    tl: ["Customer support reports missing {svc} output.", "Workers restarted; backlog draining."],
    sum: "{Svc} stopped processing and nothing alerted, because its alerts only watched for errors.",
    deeper: ["observability", "process"],
  },
  {
    slug: "bad-flag", sym: "errors", svcs: ["checkout", "search", "web", "recommendations", "mobile-api", "notifications"],
    titles: ["{Svc} broken by feature flag {flag}", "Errors after enabling {flag} for all customers"],
    chain: [
      { cat: "config", a: ["Turning on the {flag} flag for 100% of traffic sent every request down a code path that failed on missing data.", "The {flag} flag was enabled for all customers at once, and the new path threw errors for accounts without a default address."], r: ["Turn the {flag} flag off.", "Switch {flag} back to the previous rollout percentage."], act: ["Remove the failing code path behind {flag}"] },
      { cat: "process", q: "Why did the flag go to every customer at once?", a: ["The flag tool allows a jump from 0% to 100% in one step, with no staged rollout.", "Staged rollouts are optional in the flag tool, and the default is all customers."], r: ["Make staged rollout (1%, 10%, 50%, 100%) the default in the flag tool.", "Require a staged rollout for flags on tier-1 services."], act: ["Make staged rollout the default in the feature-flag tool"] },
      { cat: "testing", q: "Why was the failing path not tested?", a: ["Tests run with the flag's default value, so the new path had never run in CI.", "The test fixtures all have a default address, so the missing-data case was never exercised."], r: ["Run the test suite with each flag on and off.", "Add fixtures for accounts with incomplete data."], act: ["Run CI with feature flags in both states", "Add fixtures for incomplete accounts"] },
    ],
    tl: ["{flag} enabled for 100% of customers.", "{flag} turned off; errors stop within a minute."],
    sum: "Enabling {flag} for every customer at once sent all traffic down an untested path that failed on incomplete accounts.",
    deeper: ["testing", "process"],
  },
  {
    slug: "missing-index", sym: "slow", svcs: ["orders", "search", "reporting", "catalog", "invoicing", "billing"],
    titles: ["{Svc} slow: full table scans on {table}", "Slow queries on {table} after the {ver} release"],
    chain: [
      { cat: "capacity", a: ["The primary database CPU reached {pct}% because a query on {table} scanned the whole table on every request.", "Queries on the {table} table took over {ms} ms and saturated the database."], r: ["Add the missing index concurrently and stop the long-running queries.", "Route the query to a replica until the index is built."], act: ["Add an index on {table} for the new query"] },
      { cat: "code", q: "Why did the query scan the whole table?", a: ["The {ver} release added a filter on a column of {table} that has no index.", "A new filter on {table} used a column without an index, and at {big} rows the planner chose a sequential scan."], r: ["Check new queries' plans against production-sized data before release."], act: ["Add a query-plan check for new queries on {table}"] },
      { cat: "testing", q: "Why was the slow plan not seen before release?", a: ["The test database has a few hundred rows in {table}, where a full scan is fast.", "Query plans are never checked in CI, and staging data is too small to show the difference."], r: ["Run new queries against a production-sized snapshot in CI and fail on sequential scans of large tables."], act: ["Add a CI check for sequential scans on large tables"] },
    ],
    tl: ["Alert: database CPU above {pct}%.", "Slow query log shows full scans of {table}."],
    sum: "A new query on {table} had no supporting index; at production size it scanned {big} rows per request and saturated the database.",
    deeper: ["testing", "observability"],
  },
  {
    slug: "retry-storm", sym: "down", svcs: ["api-gateway", "auth", "payments", "search", "mobile-api", "notifications"],
    titles: ["Retry storm overwhelmed {svc}", "{Svc} outage amplified by client retries"],
    chain: [
      { cat: "capacity", a: ["A short slowdown in {svc} triggered retries from every client, and traffic rose to {n} times normal.", "Clients retried timed-out calls to {svc} immediately, so load tripled just as it was struggling."], r: ["Shed load at the gateway and scale {svc} out.", "Block retries at the gateway until {svc} recovers."], act: ["Add load shedding to {svc}"] },
      { cat: "architecture", q: "Why did clients retry so aggressively?", a: ["The shared HTTP client retries three times at once with no backoff.", "Retries are configured per caller, and several callers retry five times without backoff."], r: ["Use exponential backoff with jitter and a retry budget in the shared client."], act: ["Add backoff with jitter to the shared HTTP client", "Add a retry budget to the shared HTTP client"] },
      { cat: "architecture", q: "Why could the retries not be stopped quickly?", a: ["There is no circuit breaker between services, so callers keep sending work to a failing dependency.", "Nothing on the server side tells callers to back off; {svc} returns timeouts rather than 429 or 503."], r: ["Add circuit breakers to service-to-service calls.", "Return 503 with Retry-After when {svc} is overloaded."], act: ["Add circuit breakers for calls to {svc}"] },
    ],
    tl: ["Traffic to {svc} at {n}x normal.", "Gateway starts shedding retried requests."],
    sum: "A brief slowdown in {svc} turned into an outage when every client retried at once without backoff.",
    deeper: ["architecture"],
  },
  {
    slug: "memory-leak", sym: "down", svcs: ["search", "recommendations", "image-resizer", "mobile-api", "webhooks", "event-pipeline"],
    titles: ["Memory leak in {svc}", "{Svc} pods restarting with out-of-memory errors"],
    chain: [
      { cat: "capacity", a: ["{Svc} instances ran out of memory every few hours and restarted, dropping in-flight requests.", "Memory on {svc} grew steadily until the container was killed at its {mem} GB limit."], r: ["Restart instances on a schedule until the leak is fixed.", "Roll back to the release before {ver}."], act: ["Fix the memory leak in {svc}"] },
      { cat: "code", q: "Why did memory keep growing?", a: ["A cache added in {ver} has no size limit, so it grows with every new key.", "Listeners are registered per request and never removed."], r: ["Bound the cache size and evict least-recently-used entries.", "Remove listeners when the request ends."], act: ["Bound the in-process cache in {svc}"] },
      { cat: "observability", q: "Why did the leak reach production unnoticed?", a: ["Load tests run for ten minutes, too short for a slow leak to show.", "Memory per instance is not on any dashboard; restarts looked like normal churn."], r: ["Run a soak test for several hours before releasing tier-1 services.", "Alert on container restarts caused by memory limits."], act: ["Add a soak test stage for {svc}", "Alert on out-of-memory restarts"] },
    ],
    tl: ["{Svc} pods restarting with OOMKilled.", "Rolled back {svc}; memory flat."],
    sum: "{Svc} leaked memory after {ver} and restarted every few hours, dropping in-flight requests.",
    deeper: ["testing", "observability"],
  },
  {
    slug: "expired-certificate", sym: "connect", svcs: ["api-gateway", "auth", "webhooks", "mobile-api", "web", "payments"],
    titles: ["Expired TLS certificate on {svc}", "Clients rejected by {svc} after its certificate expired"],
    chain: [
      { cat: "config", a: ["The TLS certificate served by {svc} had expired at {time} UTC, so clients refused the handshake.", "Clients rejected the {svc} certificate because it had passed its expiry date."], r: ["Issue and deploy a new certificate for {svc}.", "Replace the expired certificate and restart the edge proxies."], act: ["Renew the {svc} certificate and check every endpoint that serves it"] },
      { cat: "process", q: "Why was the certificate not renewed in time?", a: ["The certificate was renewed by hand once a year, and the renewal task was tracked in a calendar that was retired.", "Renewal for this certificate was manual because it predates the automated issuer, and the expiry warning went to an unmonitored mailbox."], r: ["Move the certificate to automated issuance and renewal.", "Send expiry warnings to the owning rotation's alert channel, not a mailbox."], act: ["Move {svc} certificates to automated renewal", "Route certificate expiry warnings to the {team} alert channel"] },
      { cat: "observability", q: "Why was there no warning before expiry?", a: ["There is no monitoring of certificate expiry dates for endpoints outside the automated issuer.", "The expiry check covers only certificates on the main load balancer, not the {svc} endpoint."], r: ["Alert on every public certificate that expires within {days} days."], act: ["Add certificate expiry monitoring for all public endpoints"] },
    ],
    tl: ["Mobile clients start failing with certificate errors.", "Certificate on {svc} confirmed expired at {time} UTC."],
    sum: "{Svc} served an expired TLS certificate and clients refused to connect; renewal was manual and its warning went to a mailbox.",
    deeper: ["process", "observability"],
  },
  {
    slug: "cache-stampede", sym: "down", svcs: ["catalog", "recommendations", "search", "web", "sessions"],
    titles: ["Cache stampede took down {svc}", "{Svc} overloaded after cache keys expired together"],
    chain: [
      { cat: "capacity", a: ["Thousands of cache keys for {svc} expired at the same moment and every request went to the database at once.", "When the {svc} cache entries expired together, the database received {big} identical queries within a minute."], r: ["Warm the cache from a replica and rate-limit cache misses.", "Serve stale cache entries while the database recovers."], act: ["Serve stale entries while refreshing in {svc}"] },
      { cat: "code", q: "Why did so many keys expire together?", a: ["All entries are written with the same fixed TTL of {n} minutes after the nightly rebuild.", "The nightly job rebuilds the whole cache at once with an identical expiry."], r: ["Add random jitter to cache expiry times.", "Refresh popular keys ahead of expiry."], act: ["Add jitter to cache TTLs in {svc}"] },
      { cat: "architecture", q: "Why did cache misses overload the database?", a: ["Every miss goes straight to the database; there is no request coalescing for identical keys.", "Concurrent misses on one key each run the full query; nothing collapses them into one."], r: ["Coalesce concurrent misses for the same key into one database query."], act: ["Add request coalescing to the shared cache client"] },
    ],
    tl: ["Cache hit rate on {svc} drops from {pct}% to near zero.", "Database connections maxed out on {host}."],
    sum: "Cache entries for {svc} expired together and the flood of misses overloaded the database.",
    deeper: ["architecture", "capacity"],
  },
  {
    slug: "disk-full", sym: "down", svcs: ["postgres-main", "kafka", "reporting", "data-warehouse", "event-pipeline", "ci"],
    titles: ["Disk full on {host}", "{Svc} stopped when its disk filled up"],
    chain: [
      { cat: "capacity", a: ["The data volume on {host} reached 100%, and {svc} stopped accepting writes.", "{Svc} ran out of disk space at {gb} GB and the database went read-only."], r: ["Free space by removing old WAL segments and expand the volume.", "Expand the volume and move old logs to object storage."], act: ["Expand the {svc} volume and set an autoscaling policy"] },
      { cat: "code", q: "Why did the disk fill up?", a: ["Log rotation for {svc} stopped after a base-image change, and logs grew by {gb} GB a day.", "A replication slot for a retired consumer kept every WAL segment."], r: ["Restore log rotation and add a test for it in the base image.", "Drop unused replication slots and alert on slot lag."], act: ["Alert on inactive replication slots", "Add a base-image test for log rotation"] },
      { cat: "observability", q: "Why did the alert not fire before the disk was full?", a: ["The disk alert fires at 95%, and at that growth rate that left {n} minutes.", "Disk alerts look at the percentage used, not at how fast it grows."], r: ["Alert on predicted time to full, not on a fixed percentage."], act: ["Add time-to-full alerts for database volumes"] },
    ],
    tl: ["Alert: disk usage on {host} at 95%.", "{Svc} switched to read-only."],
    sum: "The disk under {svc} filled up and writes stopped; the alert fired only minutes before the disk was full.",
    deeper: ["observability", "capacity"],
  },
  {
    slug: "stale-dns", sym: "connect", svcs: ["api-gateway", "payments", "postgres-main", "kafka", "webhooks", "email-sender"],
    titles: ["{Svc} kept using the old address after failover", "Stale DNS after the {svc} failover"],
    chain: [
      { cat: "dependency", a: ["Clients of {svc} kept connecting to the old address for {n} minutes after the failover.", "After the failover, {svc} clients still resolved the retired host {host}."], r: ["Restart the clients to force a fresh DNS lookup.", "Point the old address at the new primary until clients catch up."], act: ["Add the client restart step to the failover runbook"] },
      { cat: "config", q: "Why did clients keep the old address?", a: ["The DNS record had a TTL of {n} hours, set years ago to reduce lookups.", "The JVM clients cache DNS lookups indefinitely by default."], r: ["Lower the TTL on failover records to 60 seconds.", "Set a finite DNS cache time in the client runtime."], act: ["Lower TTLs on failover DNS records", "Set the JVM DNS cache TTL in the {svc} client base image"] },
      { cat: "testing", q: "Why was the long TTL not noticed?", a: ["Failover is rehearsed only in staging, where clients restart on every deploy.", "The failover runbook has never been tried with live clients."], r: ["Rehearse failover in production twice a year, with clients running."], act: ["Schedule a production failover rehearsal for {svc}"] },
    ],
    tl: ["Failover of {svc} to {region} complete.", "Clients still connecting to {host}."],
    sum: "After a failover, {svc} clients kept the old address because of a long DNS TTL and client-side caching.",
    deeper: ["testing", "knowledge"],
  },
  {
    slug: "flaky-test", sym: "errors", svcs: "any",
    titles: ["Bug shipped behind a flaky test in {svc}", "{Svc} regression missed by a quarantined test"],
    chain: [
      { cat: "code", a: ["A race condition in {svc} dropped updates when two requests for the same record arrived together.", "A change in {ver} broke the retry path in {svc}, and failed jobs were lost."], r: ["Roll back and replay the lost updates from the event log."], act: ["Fix the race in {svc} and replay lost updates"] },
      { cat: "testing", q: "Why did the tests not catch the bug?", a: ["The test that covers this path failed intermittently and had been quarantined for {n} weeks.", "The one test for this path is flaky, and CI retries it until it passes."], r: ["Fix or delete quarantined tests within a week; report the count per team.", "Stop automatic retries of failing tests; mark flaky ones explicitly."], act: ["Fix the quarantined tests in {svc}", "Turn off automatic test retries in CI"] },
      { cat: "process", q: "Why was the test left in quarantine?", a: ["Quarantined tests have no owner and do not show up in any backlog.", "Flaky tests never reach planning; they are invisible once quarantined."], r: ["Give each quarantined test an owner and a deadline."], act: ["Assign owners to quarantined tests"] },
    ],
    tl: ["Reports of lost updates in {svc}.", "Race condition reproduced in staging."],
    sum: "A bug in {svc} shipped because the test that should have caught it was quarantined as flaky.",
    deeper: ["testing", "process"],
  },
  {
    slug: "alert-fatigue", sym: "slow", svcs: "any",
    titles: ["Real alert for {svc} lost among noisy pages", "{Svc} degradation paged but not acted on"],
    chain: [
      { cat: "observability", a: ["The alert for {svc} fired at {time} UTC but was acknowledged as noise, and the degradation went on for {dur}.", "The page for {svc} arrived among {n} other pages that night, most of them false alarms."], r: ["Escalate to the service owners and mitigate.", "Page the secondary and start the incident process."], act: ["Tune the {svc} alert thresholds"] },
      { cat: "observability", q: "Why did the real alert look like noise?", a: ["Most {svc} alerts in the last month were false alarms from a threshold set too low.", "The same alert fired {n} times the previous week without customer impact."], r: ["Delete or fix alerts that fired without impact in the last month.", "Page only on symptoms customers see; send the rest to a ticket queue."], act: ["Review and prune noisy alerts for {svc}", "Move non-urgent alerts to a ticket queue"] },
      { cat: "process", q: "Why were noisy alerts not cleaned up?", a: ["Alert quality is not reviewed anywhere; pages per shift are not measured.", "Shift handovers cover open incidents but not noisy alerts."], r: ["Track pages per shift and review the noisiest alerts weekly."], act: ["Report pages per shift for each rotation"] },
    ],
    tl: ["Alert for {svc} acknowledged; treated as a known false alarm.", "Second alert for {svc}; escalated to the service owners."],
    sum: "An alert for {svc} fired but was taken for noise among many false alarms, so the degradation lasted {dur}.",
    deeper: ["observability", "process"],
  },
  {
    slug: "outdated-runbook", sym: "down", svcs: ["postgres-main", "kafka", "redis-cache", "k8s-cluster", "search"],
    titles: ["Slow recovery of {svc}: runbook out of date", "{Svc} outage prolonged by an outdated runbook"],
    chain: [
      { cat: "dependency", a: ["{Svc} lost its primary node and did not fail over on its own.", "A node of {svc} failed and the cluster needed a manual failover."], r: ["Fail over by hand to the standby."], act: ["Make failover automatic for {svc}"] },
      { cat: "knowledge", q: "Why did the manual failover take {dur}?", a: ["The runbook described the commands for the version before the {year} upgrade, and they failed.", "The runbook pointed at a dashboard and scripts that no longer exist."], r: ["Update the runbook and test each step.", "Keep runbooks next to the code and check their links in CI."], act: ["Rewrite the {svc} failover runbook", "Check runbook links in CI"] },
      { cat: "process", q: "Why was the runbook not updated after the upgrade?", a: ["Upgrades have no step for updating runbooks.", "Runbooks have no owner or review date."], r: ["Add a runbook review to the upgrade checklist.", "Give every runbook an owner and a review date."], act: ["Add runbook review to the upgrade checklist"] },
    ],
    tl: ["Failover commands from the runbook fail.", "Failover completed by hand with help from the {team} team."],
    sum: "Recovery of {svc} took {dur} because its failover runbook described commands from before the last upgrade.",
    deeper: ["knowledge", "process"],
  },
  {
    slug: "locking-migration", sym: "down", svcs: ["orders", "billing", "ledger", "auth", "catalog", "invoicing"],
    titles: ["Schema migration locked {table}", "{Svc} writes blocked by a migration"],
    chain: [
      { cat: "code", a: ["A migration added a column with a default to {table}, which locked the table for {dur}.", "The {ver} migration rewrote {table} ({big} rows) under an exclusive lock."], r: ["Cancel the migration and retry it in batches.", "Stop the migration and restore writes."], act: ["Rewrite the {table} migration to run in batches"] },
      { cat: "testing", q: "Why was the lock not expected?", a: ["Migrations are tested on an empty database, where the rewrite takes milliseconds.", "The migration tool does not show which statements take exclusive locks."], r: ["Lint migrations for locking operations on large tables.", "Test migrations on a production-sized copy."], act: ["Add a migration linter for locking operations"] },
      { cat: "process", q: "Why did the migration run at peak time?", a: ["Migrations run automatically with the deploy, whenever it happens.", "There is no separate step for risky migrations; they ship with the code."], r: ["Run migrations on large tables as a separate, scheduled step."], act: ["Split risky migrations from code deploys"] },
    ],
    tl: ["Deploy of {svc} {ver} starts; migration running.", "Writes to {table} blocked; lock waits climbing."],
    sum: "A migration on {table} took an exclusive lock for {dur} and blocked writes to {svc}.",
    deeper: ["testing", "process"],
  },
  {
    slug: "rotated-credential", sym: "errors", svcs: ["payments", "email-sender", "data-warehouse", "webhooks", "shipping", "auth"],
    titles: ["{Svc} lost access after a credential rotation", "Expired API key broke {svc}"],
    chain: [
      { cat: "config", a: ["The API key {svc} uses for {dep} was rotated, and {svc} still had the old one.", "The credential for {dep} expired after {days} days and every call from {svc} was rejected."], r: ["Load the new key into the secret store and restart {svc}."], act: ["Load credentials from the secret store at runtime in {svc}"] },
      { cat: "architecture", q: "Why did {svc} keep the old key?", a: ["{Svc} reads secrets only at start-up, and its instances had been running for weeks.", "The key was baked into the deployment config instead of read from the secret store."], r: ["Reload secrets without a restart.", "Read the key from the secret store."], act: ["Add secret reloading to {svc}"] },
      { cat: "process", q: "Why was the rotation not coordinated?", a: ["Rotations are announced in a channel, and the list of consumers of each key is not kept anywhere.", "Keys are rotated by a scheduled job that does not know which services use them."], r: ["Record each secret's consumers and notify them before rotation.", "Rotate with overlapping validity so old and new keys both work for a day."], act: ["Rotate keys with an overlap window"] },
    ],
    tl: ["Calls from {svc} to {dep} fail with 401.", "New key loaded; {svc} restarted."],
    sum: "A credential {svc} needed for {dep} was rotated without overlap, and {svc} kept using the old one.",
    deeper: ["process", "knowledge"],
  },
  {
    slug: "quota-reached", sym: "errors", svcs: ["image-resizer", "notifications", "email-sender", "k8s-cluster", "data-warehouse"],
    titles: ["{Svc} hit a provider quota", "Rate limit from the {depname} throttled {svc}"],
    chain: [
      { cat: "capacity", a: ["{Svc} reached its quota with {dep} and further calls were rejected with 429.", "The account limit of {big} requests a day was reached by {time} UTC."], r: ["Request a quota increase and queue the rejected work."], act: ["Raise the {depname} quota and document the limit"] },
      { cat: "capacity", q: "Why did usage reach the quota?", a: ["A marketing campaign tripled traffic, and quotas were sized for normal days.", "A new batch job shares the same account and used {pct}% of the quota."], r: ["Give batch jobs their own account.", "Size quotas for peak days and review them before campaigns."], act: ["Move batch jobs to a separate account"] },
      { cat: "observability", q: "Why was there no warning before the limit?", a: ["Quota usage is visible only in the provider's console; nothing alerts on it.", "No metric tracks usage against the quota."], r: ["Export quota usage and alert at 70%."], act: ["Alert on quota usage for the {depname}"] },
    ],
    tl: ["{Dep} starts returning 429 to {svc}.", "Quota increase granted."],
    sum: "{Svc} hit its quota with {dep}; usage had grown and nothing tracked it against the limit.",
    deeper: ["capacity", "observability"],
  },
  {
    slug: "daylight-saving", sym: "data", svcs: ["billing", "invoicing", "reporting", "shipping", "notifications"],
    titles: ["Daylight-saving bug in {svc}", "{Svc} double-ran jobs at the clock change"],
    chain: [
      { cat: "code", a: ["At the daylight-saving change, the scheduler ran the {job} job twice and customers were charged twice.", "Timestamps in {svc} were stored in local time, and an hour of records was misordered at the clock change."], r: ["Refund duplicate charges and pause the job.", "Correct the affected records."], act: ["Refund and reconcile the duplicate {job} run"] },
      { cat: "code", q: "Why did the clock change affect the job?", a: ["The scheduler uses the server's local time zone instead of UTC.", "The code converts between time zones in three places, each slightly differently."], r: ["Run schedulers in UTC.", "Use one time library and store times in UTC."], act: ["Switch the {svc} scheduler to UTC"] },
      { cat: "testing", q: "Why was this not caught in testing?", a: ["No test runs across a daylight-saving transition.", "The test environment runs in UTC, where the problem cannot happen."], r: ["Add tests that run across clock changes in several time zones."], act: ["Add daylight-saving tests for {svc}"] },
    ],
    tl: ["{job} starts a second run.", "Duplicate charges reported by customers."],
    sum: "At the daylight-saving change, {svc} ran {job} twice because the scheduler used local time.",
    deeper: ["testing"],
  },
  {
    slug: "consumer-lag", sym: "delayed", svcs: ["kafka", "event-pipeline", "notifications", "webhooks", "email-sender", "reporting"],
    titles: ["{Svc} consumer lag reached {big} messages", "{Svc} backlog delayed {queue}"],
    chain: [
      { cat: "capacity", a: ["Consumers of the {queue} topic fell behind by {big} messages, so events arrived hours late.", "The {queue} queue grew faster than {svc} could process it."], r: ["Add consumers and skip non-critical events until the lag clears."], act: ["Raise partitions and consumers for {queue}"] },
      { cat: "code", q: "Why did the consumers fall behind?", a: ["Each message made a synchronous call to {svc2}, which had slowed down.", "A producer began sending {n} times more events after a change in {svc2}."], r: ["Batch calls to {svc2} and process messages in parallel.", "Agree event volumes with producers and rate-limit them."], act: ["Batch calls from the {queue} consumer"] },
      { cat: "capacity", q: "Why was there no headroom?", a: ["The topic has {n} partitions, which caps the number of consumers.", "Consumer capacity is sized for average load, not for peaks."], r: ["Size partitions for twice the peak."], act: ["Repartition {queue}"] },
    ],
    tl: ["Alert: {queue} consumer lag above {big}.", "Extra consumers started; lag falling."],
    sum: "Consumers of {queue} fell behind by {big} messages and events arrived hours late.",
    deeper: ["capacity", "observability"],
  },
  {
    slug: "deadlocks", sym: "errors", svcs: ["orders", "inventory", "ledger", "payments", "billing"],
    titles: ["Deadlocks in {svc} under load", "{Svc} transactions failing with deadlocks"],
    chain: [
      { cat: "code", a: ["Concurrent updates to {table} deadlocked, and {pct}% of {svc} transactions were aborted.", "Two code paths locked rows of {table} in opposite order."], r: ["Reduce concurrency and retry aborted transactions."], act: ["Lock {table} rows in a consistent order"] },
      { cat: "code", q: "Why do two paths lock rows in opposite order?", a: ["The bulk update sorts by date while the API path sorts by id.", "A new endpoint in {ver} updates the parent row after the children."], r: ["Lock rows in primary-key order everywhere."], act: ["Add a helper that locks rows in key order"] },
      { cat: "testing", q: "Why was the deadlock not found before release?", a: ["Tests run one request at a time; no test runs the two paths concurrently.", "The load test covers only the read paths."], r: ["Add a concurrency test for write paths."], act: ["Add concurrent write tests for {svc}"] },
    ],
    tl: ["Deadlock errors in {svc} logs.", "Batch job paused; deadlocks stop."],
    sum: "Two code paths in {svc} locked {table} rows in opposite order, and under load transactions deadlocked.",
    deeper: ["testing"],
  },
  {
    slug: "n-plus-one", sym: "slow", svcs: ["catalog", "search", "orders", "web", "mobile-api", "reporting"],
    titles: ["N+1 queries slowed {svc}", "{Svc} pages slow after an ORM change"],
    chain: [
      { cat: "code", a: ["The {ver} release made the {svc} list endpoint run one query per item, hundreds per page.", "A refactor removed eager loading and each page load ran hundreds of queries."], r: ["Roll back the refactor."], act: ["Restore eager loading in {svc}"] },
      { cat: "testing", q: "Why was the extra query load not noticed in review?", a: ["The ORM hides queries behind property access, so the diff looked harmless.", "Nothing counts queries per request in tests."], r: ["Fail tests that exceed a query budget per request."], act: ["Add query-count assertions to {svc} tests"] },
      { cat: "observability", q: "Why did monitoring not flag it earlier?", a: ["Query counts per request are not measured in production.", "Database load rose gradually over a week, below any alert threshold."], r: ["Track queries per request and alert on jumps after a deploy."], act: ["Add queries-per-request metrics to {svc}"] },
    ],
    tl: ["Database queries per second up {n}x since the deploy.", "Refactor rolled back; query rate normal."],
    sum: "A refactor in {svc} turned one query into hundreds per page, and the database slowed down.",
    deeper: ["testing", "observability"],
  },
  {
    slug: "autoscaling-limit", sym: "slow", svcs: ["web", "api-gateway", "mobile-api", "checkout", "search", "image-resizer"],
    titles: ["{Svc} did not scale up for peak traffic", "Autoscaling limit capped {svc}"],
    chain: [
      { cat: "capacity", a: ["Traffic doubled at {time} UTC and {svc} stayed at {n} instances, well below need.", "{Svc} reached its autoscaling maximum of {n} instances and latency climbed."], r: ["Raise the maximum and scale out by hand."], act: ["Raise the autoscaling maximum for {svc}"] },
      { cat: "config", q: "Why did autoscaling not add instances?", a: ["The autoscaling maximum was set during a cost review and never revisited.", "Scaling follows CPU, but {svc} was waiting on I/O and CPU stayed low."], r: ["Scale on request latency or concurrency instead of CPU.", "Review scaling limits against peak traffic each quarter."], act: ["Scale {svc} on concurrency instead of CPU"] },
      { cat: "capacity", q: "Why was the peak not planned for?", a: ["The campaign calendar is not shared with the teams running the services.", "Peak traffic forecasts are made for the web tier only."], r: ["Share the campaign calendar with service owners and review capacity before each launch."], act: ["Add a capacity check to the launch checklist"] },
    ],
    tl: ["Traffic to {svc} doubles after the campaign email.", "{Svc} scaled out by hand."],
    sum: "{Svc} did not scale up for peak traffic because of a stale autoscaling limit.",
    deeper: ["capacity", "process"],
  },
  {
    slug: "resource-limits", sym: "down", svcs: ["search", "recommendations", "api-gateway", "image-resizer", "reporting"],
    titles: ["{Svc} pods killed at their memory limit", "CPU throttling slowed {svc}"],
    chain: [
      { cat: "config", a: ["The {svc} containers were killed at their {mem} GB memory limit during the nightly batch.", "{Svc} was throttled to its CPU limit and requests queued."], r: ["Raise the limits and restart the failing pods."], act: ["Set {svc} resource limits from measured usage"] },
      { cat: "config", q: "Why were the limits too low?", a: ["The limits were copied from another service's manifest when {svc} was created.", "Usage grew {pct}% since the limits were set."], r: ["Set limits from measured usage and review them quarterly."], act: ["Add a resource-usage review for {svc}"] },
      { cat: "observability", q: "Why was throttling not visible?", a: ["CPU throttling is not on the service dashboards.", "Dashboards show usage against requests, not against limits."], r: ["Add throttling and limit usage to the standard dashboard."], act: ["Add throttling panels to the standard dashboard"] },
    ],
    tl: ["{Svc} pods restarting.", "Limits raised; pods stable."],
    sum: "{Svc} ran into its container limits, which were copied from another service and never adjusted.",
    deeper: ["observability", "capacity"],
  },
  {
    slug: "replica-lag", sym: "data", svcs: ["orders", "catalog", "billing", "sessions", "reporting"],
    titles: ["Stale reads from a lagging replica in {svc}", "{Svc} showed outdated data"],
    chain: [
      { cat: "architecture", a: ["A read replica lagged {n} minutes behind, and {svc} served outdated order states.", "{Svc} read from a replica that was {n} minutes behind the primary."], r: ["Route reads to the primary until the replica catches up."], act: ["Route read-after-write paths in {svc} to the primary"] },
      { cat: "capacity", q: "Why did the replica fall behind?", a: ["A long analytics query on the replica blocked replay.", "The replica runs on smaller hardware than the primary and could not keep up with the write load."], r: ["Move analytics to a separate replica.", "Match replica hardware to the primary."], act: ["Move analytics queries to a dedicated replica"] },
      { cat: "architecture", q: "Why did {svc} not detect the lag?", a: ["The replica router does not check lag before sending reads.", "There is no maximum staleness setting in the database client."], r: ["Stop routing reads to replicas that lag more than {n} seconds."], act: ["Add a lag check to the replica router"] },
    ],
    tl: ["Customers report orders stuck in an old state.", "Reads moved to the primary."],
    sum: "{Svc} served outdated data from a read replica that had fallen {n} minutes behind.",
    deeper: ["architecture", "observability"],
  },
  {
    slug: "untested-failover", sym: "down", svcs: ["postgres-main", "redis-cache", "kafka", "api-gateway", "sessions"],
    titles: ["Failover of {svc} did not work", "{Svc} standby failed to take over"],
    chain: [
      { cat: "dependency", a: ["The primary for {svc} in {region} failed and the standby did not take over.", "Failover to the {svc} standby stalled because the standby was out of sync."], r: ["Promote the standby by hand and rebuild the old primary."], act: ["Rebuild the {svc} standby"] },
      { cat: "testing", q: "Why did the failover not work?", a: ["The standby's replication had been broken for {days} days without an alert.", "The failover script depends on a host that was decommissioned."], r: ["Alert when replication to the standby stops.", "Test failover monthly in production."], act: ["Alert on standby replication for {svc}", "Run a monthly failover test for {svc}"] },
      { cat: "process", q: "Why had failover not been tested?", a: ["Failover tests were dropped from the schedule after a test caused a short outage in {year}.", "There is no owner for disaster-recovery testing."], r: ["Schedule failover tests with a rollback plan and an owner."], act: ["Set up a quarterly disaster-recovery test schedule"] },
    ],
    tl: ["Primary {host} unreachable.", "Standby promoted by hand."],
    sum: "The {svc} primary failed and the standby could not take over: replication had been broken for days.",
    deeper: ["testing", "process"],
  },
  {
    slug: "unverified-backups", sym: "data", svcs: ["postgres-main", "data-warehouse", "ledger", "billing", "identity"],
    titles: ["Restore of {svc} data failed", "{Svc} backups could not be restored"],
    chain: [
      { cat: "dependency", a: ["A bad batch update needed a restore of {table}, and the most recent backup could not be read.", "Restoring {svc} took {dur} because the latest backups were incomplete."], r: ["Restore from an older backup and replay changes from the audit log."], act: ["Replay changes to {table} from the audit log"] },
      { cat: "process", q: "Why were the backups unusable?", a: ["The backup job had been writing truncated files since a storage change in {year}.", "Backups were taken but never restored, so the broken format went unnoticed."], r: ["Restore a backup automatically every week and check it."], act: ["Add automated restore tests for {svc}"] },
      { cat: "observability", q: "Why did nothing report the broken backups?", a: ["The backup job reports success when it starts, not when the file is verified.", "Backup monitoring checks that a file exists, not that it is complete."], r: ["Verify each backup's checksum and size and alert on failure."], act: ["Alert on backup verification failures"] },
    ],
    tl: ["Restore from the latest backup fails.", "Restore from the previous week's backup succeeds."],
    sum: "A restore of {svc} data was needed and the recent backups turned out to be unreadable.",
    deeper: ["process", "observability"],
  },
  {
    slug: "overlapping-cron", sym: "data", svcs: ["reporting", "invoicing", "billing", "data-warehouse", "notifications", "email-sender"],
    titles: ["Overlapping {job} runs in {svc}", "{Svc} sent duplicate messages"],
    chain: [
      { cat: "code", a: ["The {job} job took longer than its {n}-minute interval, and two runs processed the same records.", "Two instances of {job} ran at once after a deploy and sent every message twice."], r: ["Stop the job and remove duplicates."], act: ["Clean up duplicates from the overlapping {job} runs"] },
      { cat: "code", q: "Why could two runs overlap?", a: ["The job has no lock; the scheduler starts a new run whether or not the last one finished.", "Each replica runs its own scheduler."], r: ["Take a lock for the job's duration.", "Run the scheduler on one leader only."], act: ["Add a run lock to {job}"] },
      { cat: "architecture", q: "Why does the job not tolerate a second run?", a: ["The job is not idempotent; it marks records as done only at the end.", "Records are not claimed before processing."], r: ["Make the job idempotent: claim records before processing them."], act: ["Make {job} idempotent"] },
    ],
    tl: ["Second {job} run starts while the first is still going.", "Job stopped; duplicates being removed."],
    sum: "Two runs of {job} overlapped and processed the same records twice.",
    deeper: ["architecture", "testing"],
  },
  {
    slug: "cdn-private-pages", sym: "data", svcs: ["web", "image-resizer", "catalog", "mobile-api"], restricted: 0.4,
    titles: ["CDN served wrong content for {svc}", "{Svc} private pages cached at the CDN"],
    chain: [
      { cat: "config", a: ["The CDN cached pages of {svc} that include customer-specific data and served them to other visitors.", "A cache rule change made the CDN ignore the session cookie for {svc}."], r: ["Purge the CDN cache and revert the rule."], act: ["Revert the CDN rule and purge caches for {svc}"] },
      { cat: "config", q: "Why did the CDN cache private pages?", a: ["The new rule cached every path under the prefix, including account pages.", "{Svc} sets no Cache-Control header on private pages, so the CDN default applied."], r: ["Set Cache-Control: private on every authenticated response.", "Cache only allow-listed paths."], act: ["Set Cache-Control headers on authenticated {svc} responses"] },
      { cat: "testing", q: "Why was the rule change not tested?", a: ["CDN rules are edited in the provider's console and have no staging copy.", "CDN configuration is not in version control."], r: ["Manage CDN rules as code with review and a staging distribution."], act: ["Move CDN rules into version control"] },
    ],
    tl: ["Customer reports seeing another customer's account page.", "CDN cache purged; rule reverted."],
    sum: "A CDN rule change cached private {svc} pages and served them to other visitors.",
    deeper: ["testing", "process"],
  },
  {
    slug: "library-upgrade", sym: "errors", svcs: "any",
    titles: ["Library upgrade changed {svc} behaviour", "{Svc} broke after a dependency upgrade"],
    chain: [
      { cat: "dependency", a: ["An automated dependency upgrade changed the JSON library's handling of null fields, and {svc} rejected valid requests.", "The HTTP client upgrade in {ver} changed the default timeout from {n} seconds to none."], r: ["Pin the previous version and redeploy."], act: ["Pin the library version in {svc} until the fix ships"] },
      { cat: "testing", q: "Why did tests pass with the new version?", a: ["The contract tests do not include requests with null fields.", "No test checks the client's timeout."], r: ["Add contract tests with real payloads from production samples."], act: ["Add contract tests built from production samples"] },
      { cat: "process", q: "Why did the upgrade go in without a look at the changelog?", a: ["Automated upgrade pull requests are merged when CI passes, and minor versions are treated as safe.", "Upgrades are batched weekly, so a single change is hard to spot in the changelogs."], r: ["Hold minor upgrades of core libraries for review of the changelog.", "Upgrade core libraries one at a time."], act: ["Separate core library upgrades from the weekly batch"] },
    ],
    tl: ["Weekly dependency upgrade deployed to {svc}.", "Library pinned to the previous version."],
    sum: "An automated library upgrade changed behaviour that {svc} relied on, and the tests did not cover it.",
    deeper: ["testing", "process"],
  },
  {
    slug: "breaking-api-change", sym: "errors", svcs: ["mobile-api", "api-gateway", "webhooks", "orders", "auth"],
    titles: ["Breaking API change in {svc}", "{Svc} change broke {svc2}"],
    chain: [
      { cat: "code", a: ["{Svc} renamed a response field in {ver}, and {svc2} could not parse the response.", "An enum value added to the {svc} API made {svc2} throw on unknown values."], r: ["Restore the old field alongside the new one."], act: ["Restore the old field in the {svc} API"] },
      { cat: "process", q: "Why was the breaking change not spotted?", a: ["There is no check for backwards compatibility of the API schema.", "{Svc} has no list of the services that consume its API."], r: ["Check API schema changes for compatibility in CI.", "Publish a consumer list per API."], act: ["Add a schema compatibility check to the {svc} pipeline"] },
      { cat: "architecture", q: "Why did an unknown value break the consumer?", a: ["Generated clients reject unknown enum values by default.", "Consumers deserialise strictly and fail on fields they do not know."], r: ["Make generated clients tolerant of unknown values and fields."], act: ["Make the generated clients tolerant of unknown values"] },
    ],
    tl: ["{Svc2} error rate jumps after the {svc} deploy.", "Old field restored in {svc}."],
    sum: "A change to the {svc} API broke {svc2}; there is no compatibility check on API changes.",
    deeper: ["process", "testing"],
  },
  {
    slug: "bad-backfill", sym: "data", svcs: ["billing", "ledger", "orders", "identity", "catalog"],
    titles: ["Backfill corrupted {table} in {svc}", "{Svc} data damaged by a backfill script"],
    chain: [
      { cat: "code", a: ["A backfill script overwrote {big} rows of {table} with default values.", "The backfill for {table} ran against all rows instead of the affected batch."], r: ["Stop the script and restore the rows from the backup and audit log."], act: ["Restore the overwritten rows in {table}"] },
      { cat: "process", q: "Why could the script change all rows?", a: ["Backfill scripts run by hand against production with full write access.", "The script's filter matched every row, and there is no dry-run mode."], r: ["Run backfills through a framework with dry-run, batching and row limits."], act: ["Build a backfill runner with dry-run and limits"] },
      { cat: "testing", q: "Why was the script not tested?", a: ["There is no copy of production data to rehearse scripts against.", "Scripts are reviewed as text but never run before production."], r: ["Provide a masked production snapshot for rehearsing scripts."], act: ["Provide a masked production snapshot for rehearsals"] },
    ],
    tl: ["Backfill script started on {table}.", "Script stopped; {big} rows affected."],
    sum: "A backfill script overwrote {big} rows in {table}; scripts run by hand with no dry run.",
    deeper: ["process", "testing"],
  },
  {
    slug: "runaway-client", sym: "slow", svcs: ["api-gateway", "search", "auth", "webhooks", "mobile-api"],
    titles: ["One client overloaded {svc}", "{Svc} slowed by a runaway integration"],
    chain: [
      { cat: "capacity", a: ["One API client sent {big} requests a minute to {svc}, ten times its usual rate.", "A customer's integration looped on an error and flooded {svc}."], r: ["Block the client temporarily and contact the customer."], act: ["Contact the customer about the runaway integration"] },
      { cat: "architecture", q: "Why could one client take so much capacity?", a: ["{Svc} has no per-client rate limit.", "The rate limit is global, so one client used up everyone's share."], r: ["Add per-client rate limits at the gateway."], act: ["Add per-client rate limits for {svc}"] },
      { cat: "observability", q: "Why did it take long to find the client?", a: ["Request logs do not include the client ID.", "Traffic dashboards show totals, not top clients."], r: ["Add a top-clients view to the gateway dashboard."], act: ["Add a top-clients dashboard for {svc}"] },
    ],
    tl: ["Requests per minute to {svc} at {n}x normal.", "Client blocked at the gateway."],
    sum: "One client's runaway integration flooded {svc}, which had no per-client rate limit.",
    deeper: ["architecture", "observability"],
  },
  {
    slug: "health-check", sym: "down", svcs: ["web", "api-gateway", "checkout", "search", "auth"],
    titles: ["Health checks removed healthy {svc} instances", "{Svc} taken out of the load balancer"],
    chain: [
      { cat: "config", a: ["The load balancer marked every {svc} instance unhealthy and stopped sending traffic.", "The {svc} health check timed out under load, and instances were removed one after another."], r: ["Relax the health check and restore traffic."], act: ["Fix the {svc} health check"] },
      { cat: "config", q: "Why did the health check fail?", a: ["The health check calls the database, so a slow database made every instance look dead.", "The health check timeout is {n} seconds, shorter than a garbage-collection pause."], r: ["Check only the process itself in the liveness check.", "Raise the timeout and require several failures before removal."], act: ["Separate liveness and readiness checks in {svc}"] },
      { cat: "architecture", q: "Why did the load balancer remove all instances?", a: ["The load balancer has no minimum; it will remove every instance.", "There is no fail-open setting when all checks fail."], r: ["Fail open when all instances look unhealthy."], act: ["Enable fail-open on the {svc} load balancer"] },
    ],
    tl: ["Load balancer reports 0 healthy {svc} targets.", "Health check relaxed; traffic restored."],
    sum: "The {svc} health check depended on the database, and under load every instance was taken out.",
    deeper: ["architecture", "testing"],
  },
  {
    slug: "gc-pauses", sym: "slow", svcs: ["search", "recommendations", "reporting", "kafka"],
    titles: ["Long GC pauses in {svc}", "{Svc} stalls from garbage collection"],
    chain: [
      { cat: "capacity", a: ["{Svc} paused for up to {n} seconds in garbage collection, and requests timed out.", "Heap use on {svc} stayed near its limit and the collector ran almost constantly."], r: ["Restart instances and reduce heap pressure by lowering the batch size."], act: ["Tune the {svc} collector settings"] },
      { cat: "code", q: "Why was the heap so full?", a: ["A new feature loads whole result sets into memory instead of streaming them.", "Each request builds a {mem} GB in-memory copy of the index."], r: ["Stream results instead of loading them whole."], act: ["Stream result sets in {svc}"] },
      { cat: "testing", q: "Why did load tests not show the pauses?", a: ["Load tests use small result sets.", "Load tests measure average latency, which hides pauses."], r: ["Measure p99 and max latency in load tests with realistic data."], act: ["Report p99 in {svc} load tests"] },
    ],
    tl: ["GC pause of {n} s logged on {host}.", "Batch size lowered; pauses shorter."],
    sum: "Garbage-collection pauses in {svc} grew to {n} seconds after a feature began loading whole result sets into memory.",
    deeper: ["testing", "capacity"],
  },
  {
    slug: "debug-logging", sym: "slow", svcs: "any",
    titles: ["Debug logging overloaded {svc}", "Log volume from {svc} filled the logging pipeline"],
    chain: [
      { cat: "config", a: ["Debug logging was left on in {svc} after an investigation and produced {gb} GB of logs an hour.", "Log volume from {svc} rose {n} times and the logging pipeline dropped everything else."], r: ["Set the log level back to info."], act: ["Reset the {svc} log level and cap its volume"] },
      { cat: "config", q: "Why did the debug level stay on?", a: ["Log levels are changed at runtime with no expiry.", "The debug switch is a permanent setting, not a temporary one."], r: ["Make runtime debug logging expire after an hour."], act: ["Add an expiry to runtime log-level changes"] },
      { cat: "architecture", q: "Why could one service starve the logging pipeline?", a: ["The pipeline has no per-service quota.", "All services share one ingestion queue."], r: ["Add per-service quotas to log ingestion."], act: ["Add per-service log quotas"] },
    ],
    tl: ["Logging pipeline ingestion lag at {n} minutes.", "{Svc} log level reset to info."],
    sum: "Debug logging left on in {svc} flooded the logging pipeline, which has no per-service quota.",
    deeper: ["observability", "architecture"],
  },
  {
    slug: "secrets-in-logs", sym: "security", svcs: ["auth", "payments", "identity", "webhooks", "data-warehouse"], restricted: 0.7,
    titles: ["Credentials written to {svc} logs", "Secrets exposed in {svc} logs"],
    chain: [
      { cat: "code", a: ["{Svc} logged full request headers, including bearer tokens, at the error level.", "An error handler in {svc} wrote the database password to the logs."], r: ["Rotate the exposed credentials and purge the logs."], act: ["Rotate exposed credentials for {svc}"] },
      { cat: "code", q: "Why did secrets reach the logs?", a: ["The logging library has no redaction for headers.", "The error handler serialises whole config objects."], r: ["Redact known secret fields in the shared logger."], act: ["Add redaction to the shared logger"] },
      { cat: "testing", q: "Why was the logging not caught in review?", a: ["There is no automated scan for secrets in log output.", "Log output is not part of any test."], r: ["Scan logs for secret patterns and alert."], act: ["Add secret scanning to the log pipeline"] },
    ],
    tl: ["Security scanner flags tokens in {svc} logs.", "Credentials rotated; logs purged."],
    sum: "{Svc} wrote credentials to its logs; the shared logger has no redaction.",
    deeper: ["testing", "process"],
  },
  {
    slug: "broad-deletion", sym: "data", svcs: ["identity", "data-warehouse", "catalog", "billing"], restricted: 0.4,
    titles: ["Maintenance job deleted {svc} records", "{Svc} data removed by a cleanup job"],
    chain: [
      { cat: "code", a: ["A cleanup job deleted {big} active records from {table} because its age filter used the wrong column.", "A maintenance script aimed at staging ran against production and removed rows from {table}."], r: ["Restore the records from the backup."], act: ["Restore the deleted {table} records"] },
      { cat: "architecture", q: "Why was the deletion possible?", a: ["The job's credentials can delete from any table.", "Production and staging use the same credentials, and their host names differ by one word."], r: ["Give maintenance jobs least-privilege credentials.", "Use separate credentials and a confirmation prompt for production."], act: ["Scope maintenance credentials per job"] },
      { cat: "architecture", q: "Why could deleted data not be recovered at once?", a: ["Deletes are hard deletes; there is no soft-delete or retention window.", "Point-in-time recovery was not enabled for {svc}."], r: ["Use soft deletes with a retention window for customer data.", "Enable point-in-time recovery."], act: ["Enable point-in-time recovery for {svc}"] },
    ],
    tl: ["Row count of {table} drops by {big}.", "Restore from backup started."],
    sum: "A maintenance job deleted active {svc} records; its credentials could delete anything and deletes could not be undone.",
    deeper: ["architecture", "process"],
  },
  {
    slug: "single-zone", sym: "down", svcs: "any",
    titles: ["Zone outage in {region} took down {svc}", "{Svc} unavailable during the {region} zone failure"],
    chain: [
      { cat: "dependency", a: ["An availability-zone failure in {region} took out every {svc} instance.", "The cloud provider lost a zone in {region}, where all of {svc} ran."], r: ["Redeploy {svc} in another zone."], act: ["Spread {svc} across three zones"] },
      { cat: "architecture", q: "Why did all instances run in one zone?", a: ["The scheduler placed every instance in one zone because no spread constraint was set.", "The {svc} database only exists in one zone."], r: ["Add zone spread constraints to the deployment."], act: ["Add zone spread constraints for {svc}"] },
      { cat: "testing", q: "Why was the single-zone setup not noticed?", a: ["Zone placement is not checked by any tool.", "Zone-failure drills have not been run since {year}."], r: ["Check zone spread in the production-readiness review."], act: ["Add zone checks to the production-readiness review"] },
    ],
    tl: ["Cloud provider reports a zone failure in {region}.", "{Svc} redeployed in a healthy zone."],
    sum: "A zone failure in {region} took down {svc}, which ran in a single zone.",
    deeper: ["architecture", "testing"],
  },
  {
    slug: "duplicate-charges", sym: "data", svcs: ["payments", "checkout", "billing", "orders"],
    titles: ["Duplicate charges from retried {svc} requests", "{Svc} charged some customers twice"],
    chain: [
      { cat: "code", a: ["{Svc} retried payment requests after timeouts and {n} hundred customers were charged twice.", "Timed-out charge requests were retried and both attempts succeeded."], r: ["Refund the duplicate charges."], act: ["Refund duplicate charges"] },
      { cat: "code", q: "Why did a retry create a second charge?", a: ["Charge requests carry no idempotency key.", "The idempotency key is generated per attempt instead of per order."], r: ["Send an idempotency key per order with every charge request."], act: ["Add idempotency keys to {svc} charge requests"] },
      { cat: "testing", q: "Why was the retry path not tested?", a: ["Tests stub the provider and never simulate a timeout after success.", "The retry path was added in a hotfix without tests."], r: ["Add tests for timeouts after the provider has accepted the request."], act: ["Add timeout-after-success tests"] },
    ],
    tl: ["Support reports customers charged twice.", "Retries disabled; refunds started."],
    sum: "Retried charge requests in {svc} had no idempotency key, and some customers were charged twice.",
    deeper: ["testing", "architecture"],
  },
  {
    slug: "non-ascii-input", sym: "errors", svcs: ["search", "identity", "email-sender", "notifications", "catalog"],
    titles: ["Non-ASCII input broke {svc}", "{Svc} failed on names with accents"],
    chain: [
      { cat: "code", a: ["{Svc} failed on names containing non-ASCII characters after the {ver} release.", "An encoding change in {ver} truncated strings at the first multibyte character."], r: ["Roll back and repair the truncated records."], act: ["Repair records truncated by the encoding bug"] },
      { cat: "testing", q: "Why did tests not catch it?", a: ["The test fixtures contain only ASCII text.", "There is no property-based testing of string handling."], r: ["Add international names and emoji to the fixtures."], act: ["Add non-ASCII fixtures to {svc} tests"] },
      { cat: "process", q: "Why did the encoding change go unnoticed in review?", a: ["The change was in a shared helper that many services use, and its callers were not listed.", "The review diff was large and the helper change was a single line."], r: ["Run the tests of dependent services when shared helpers change."], act: ["Run dependents' tests on shared helper changes"] },
    ],
    tl: ["Sign-ups with accented names failing.", "{Svc} rolled back."],
    sum: "{Svc} broke on non-ASCII input after a change in a shared string helper.",
    deeper: ["testing"],
  },
];

/** Deeper levels any chain can continue with: tier 1 is the team's practice, tier 2 the organisation. */
const DEEPER: (Step & { id: string; tier: 1 | 2 })[] = [
  { id: "tests-small-data", tier: 1, cat: "testing", q: "Why did the tests not catch this?", a: ["The tests run against a small fixture database, so behaviour at production scale is never exercised.", "The integration tests stub out {dep}, so a slow or failing response is never tried."], r: ["Add a test with production-sized data to the {svc} pipeline.", "Add fault-injection tests for slow and failing responses."], act: ["Add a production-scale test to the {svc} pipeline", "Add fault-injection tests for {svc}"] },
  { id: "staging-differs", tier: 1, cat: "testing", q: "Why did staging not show the problem?", a: ["Staging runs a single replica with a fraction of production traffic and different settings.", "Staging data is years old and a hundredth of production's size."], r: ["Generate staging configuration from production and list the intended differences."], act: ["Generate {svc} staging config from production"] },
  { id: "no-canary-stage", tier: 1, cat: "process", q: "Why did the change reach every instance at once?", a: ["The {svc} pipeline has no canary stage; a deploy goes to all instances together.", "Deploys of {svc} are all-or-nothing; there is no partial rollout."], r: ["Add a canary stage that watches error rate for {n} minutes and rolls back on its own."], act: ["Add a canary stage to the {svc} pipeline"] },
  { id: "review-blind-spot", tier: 1, cat: "process", q: "Why did the code review not catch it?", a: ["The risk was in configuration defaults outside the diff, and the review only shows changed lines.", "The change looked routine in review; its effect depends on production data the review tool does not show."], r: ["Show the effective configuration change alongside the code diff in review."], act: ["Show config changes next to the diff in review"] },
  { id: "no-metric", tier: 1, cat: "observability", q: "Why was the problem not visible on the dashboards?", a: ["{Svc} exports no metric for this condition; the dashboards show only request totals.", "The dashboards average over five minutes, which hid a spike of this length."], r: ["Export the missing metric and add it to the service dashboard."], act: ["Export the missing {svc} metric and chart it"] },
  { id: "design-doc-only", tier: 1, cat: "knowledge", q: "Why was the risk not known?", a: ["The behaviour is described only in a design document from {year} that newer teams have not seen.", "The limit is documented in a vendor guide, not anywhere our own documentation links to."], r: ["Move the key operational facts into the service README."], act: ["Add operational limits to the {svc} README"] },
  { id: "runbook-stale", tier: 1, cat: "knowledge", q: "Why did the runbook not help?", a: ["The {svc} runbook still describes the setup from before the {year} migration.", "The runbook covers a different failure mode and has no section on this one."], r: ["Give every runbook an owner and a review date; flag stale ones in the service catalogue."], act: ["Update the {svc} runbook and give it a review date"] },
  { id: "silent-failure", tier: 1, cat: "architecture", q: "Why could this fail silently?", a: ["Errors from this path are logged and swallowed, so callers see success.", "The failure surfaces only as a warning in a log nobody reads."], r: ["Fail loudly: return the error and count it in a metric."], act: ["Surface errors from the {svc} path as metrics"] },
  { id: "paved-road", tier: 2, cat: "process", q: "Why is this not part of the standard pipeline?", a: ["Each team builds its own pipeline; there is no shared template with safe defaults.", "The platform template exists but is optional, and older services predate it."], r: ["Publish a paved-road pipeline template with canary, rollback and alerts built in."], act: ["Publish the paved-road pipeline template"] },
  { id: "error-budget", tier: 2, cat: "process", q: "Why was this work not prioritised earlier?", a: ["Reliability work competes with feature work in planning, and there is no agreed error budget for {svc}.", "Risks found in earlier reviews were added to backlogs but never weighed against feature work."], r: ["Adopt error budgets per service and review them monthly.", "Review the top reliability risks in quarterly planning."], act: ["Define an error budget for {svc}"] },
  { id: "onboarding-gap", tier: 2, cat: "knowledge", q: "Why was this not covered in onboarding?", a: ["Onboarding covers the code base but not how our production systems fail.", "New engineers learn deploys and alerts from whoever is around, so gaps depend on the week they join."], r: ["Add a production-readiness module with a game day to onboarding."], act: ["Add a production-readiness module to onboarding"] },
  { id: "ownership", tier: 2, cat: "process", q: "Why is ownership of {svc} unclear?", a: ["{Svc} moved between teams twice in two years and the service catalogue still lists the old owner.", "{Svc} was built as a shared component and has no owning team."], r: ["Make the service catalogue the source of truth for ownership and review it quarterly."], act: ["Set and record an owner for {svc} in the service catalogue"] },
  { id: "no-timeout-standard", tier: 2, cat: "architecture", q: "Why do services depend on this without a fallback?", a: ["The platform has no standard for timeouts and fallbacks, so each service picks its own or none.", "Service templates leave timeouts unset, and the library default is to wait forever."], r: ["Set platform-wide defaults for timeouts, retries and fallbacks in the shared client."], act: ["Set default timeouts in the shared client"] },
  { id: "dropped-action", tier: 2, cat: "process", q: "Why did the earlier follow-up not prevent this?", a: ["A similar action from an earlier incident was closed as won't do when the roadmap changed, and the risk was not revisited.", "The earlier action fixed the one service involved, and the same pattern exists in others."], r: ["Require a risk note and an owner's review when an incident action is dropped.", "When fixing a pattern, search for it in every service."], act: ["Add a risk review for dropped incident actions"] },
  { id: "knowledge-silo", tier: 2, cat: "knowledge", q: "Why was the knowledge held by so few?", a: ["Only two people had worked on {svc} in the last year, and neither was on call that night.", "The expertise sits in one team, and the rotation covering {svc} is shared with four others."], r: ["Spread knowledge of {svc}: pair on changes and hold a quarterly walkthrough."], act: ["Hold a {svc} walkthrough for the rotation"] },
  { id: "capacity-planning", tier: 2, cat: "capacity", q: "Why was the growth not planned for?", a: ["Capacity planning is done once a year from sales forecasts, and usage grew {pct}% faster than forecast.", "Shared infrastructure growth is reviewed only once a year."], r: ["Plan capacity from measured usage every quarter."], act: ["Start quarterly capacity reviews for {svc}"] },
];

/** Contributing causes: a second answer under an existing why, with a short chain of its own. */
const CONTRIBUTORS: { id: string; steps: Step[] }[] = [
  { id: "spread", steps: [
    { cat: "architecture", q: "Why did the impact spread beyond {svc}?", a: ["Callers of {svc} retried failed requests immediately and without backoff, tripling the load.", "{Svc2} calls {svc} synchronously on every request with no timeout."], r: ["Add exponential backoff with jitter to the shared HTTP client.", "Add a timeout and a cached fallback to the call from {svc2}."], act: ["Add a timeout to calls from {svc2} to {svc}"] },
    { cat: "architecture", q: "Why do clients retry without backoff?", a: ["The shared HTTP client defaults to three immediate retries, and most services keep the default."], r: ["Change the client default to backoff with jitter and a retry budget."], act: ["Change the shared client's retry default"] },
  ] },
  { id: "detection", steps: [
    { cat: "observability", q: "Why did it take {ttd} to notice?", a: ["The alert for {svc} watched average latency, which stayed within its threshold while the tail grew.", "The first signal was a customer ticket; {svc} has no alert on its error rate."], r: ["Alert on error rate and p99 latency per endpoint."], act: ["Add error-rate and p99 alerts for {svc}"] },
    { cat: "observability", q: "Why was the alert set on the average?", a: ["The alert was created from the dashboard template in {year}, before the service had percentile metrics."], r: ["Review alert definitions in the quarterly service review."], act: ["Review {svc} alert definitions"] },
  ] },
  { id: "slow-recovery", steps: [
    { cat: "process", q: "Why did recovery take {dur}?", a: ["Rolling back {svc} needs a manual database step that is not scripted.", "The rollback had to wait for a full build because previous images are deleted after a day."], r: ["Script the rollback, including the database step, and rehearse it.", "Keep the last five release images."], act: ["Script the {svc} rollback", "Keep the last five {svc} release images"] },
  ] },
  { id: "runbook-link", steps: [
    { cat: "knowledge", q: "Why did responders spend time looking for the right procedure?", a: ["The runbook link in the alert pointed to a page that was moved in the wiki migration.", "The alert had no runbook link, and the procedure was in a chat thread."], r: ["Check runbook links automatically in CI.", "Require a runbook link on every paging alert."], act: ["Check alert runbook links automatically"] },
  ] },
  { id: "shared-database", steps: [
    { cat: "architecture", q: "Why was {svc2} affected too?", a: ["{Svc2} shares the same database cluster as {svc}, so the load spilled over.", "{Svc2} depends on {svc} for every request and has no cached fallback."], r: ["Give {svc2} its own connection limits on the shared cluster.", "Cache the data {svc2} needs from {svc}."], act: ["Set per-service connection limits on the shared cluster"] },
    { cat: "architecture", q: "Why do the services share a cluster?", a: ["Splitting the cluster was planned in {year} but kept slipping behind feature work."], r: ["Put the cluster split on the platform roadmap with a date."], act: ["Plan the split of the shared database cluster"] },
  ] },
  { id: "status-page", steps: [
    { cat: "process", q: "Why did customers hear about it from social media first?", a: ["The status page is updated by hand, and the incident checklist does not say when.", "Updating the status page needs access that only a few people have."], r: ["Add a status page step to the incident checklist, with a ten-minute target.", "Give every incident commander access to the status page."], act: ["Add a status page step to the incident checklist"] },
  ] },
  { id: "first-fix", steps: [
    { cat: "process", q: "Why did the first mitigation not work?", a: ["The first rollback went to a release that already contained the faulty change.", "Restarting {svc} cleared the symptom for a few minutes, which hid the cause."], r: ["Show the change list between releases in the rollback tool."], act: ["Show changes between releases in the rollback tool"] },
  ] },
  { id: "paging", steps: [
    { cat: "process", q: "Why was the owning team paged late?", a: ["The alert routed to the {team} rotation, which has not owned {svc} since the reorganisation.", "The alert paged a shared rotation, which escalated after {n} minutes."], r: ["Route alerts by the service catalogue owner instead of static lists."], act: ["Route {svc} alerts from the service catalogue"] },
    { cat: "process", q: "Why was the routing stale?", a: ["Alert routing is configured separately from the service catalogue and nothing keeps them in sync."], r: ["Generate alert routing from the catalogue."], act: ["Generate alert routing from the service catalogue"] },
  ] },
  { id: "release-batch", steps: [
    { cat: "process", q: "Why was the change released late on a {weekday}?", a: ["The release train runs once a week, so changes queue up and ship together at the end of the day.", "The release window is at 17:00, after most of the service owners have left."], r: ["Release smaller batches more often, and hold releases after 16:00."], act: ["Move the {svc} release window to the morning"] },
  ] },
  { id: "headroom", steps: [
    { cat: "capacity", q: "Why was there no spare capacity?", a: ["{Svc} ran at {pct}% of its capacity at peak after a year of growth with no capacity review.", "Spare capacity was removed in a cost review without a load test."], r: ["Review capacity for tier-1 services every quarter."], act: ["Add {svc} to the quarterly capacity review"] },
  ] },
  { id: "tracing", steps: [
    { cat: "observability", q: "Why was the cause hard to find?", a: ["Logs from {svc} and {svc2} use different request IDs, so one request could not be followed across both.", "Traces are sampled at 1%, and none of the failing requests were kept."], r: ["Propagate a single trace ID through every service.", "Keep every trace that ends in an error."], act: ["Propagate trace IDs between {svc} and {svc2}"] },
  ] },
  { id: "earlier-action", steps: [
    { cat: "process", q: "Why did this happen again after a similar incident?", a: ["The follow-up action from the earlier incident was still open; it had been deprioritised twice.", "The earlier fix covered {svc2}, and the same pattern in {svc} was not changed."], r: ["Review overdue post-incident actions in the monthly operations review.", "When closing an action, list the other services with the same pattern."], act: ["Review overdue incident actions monthly"] },
  ] },
  { id: "docs-drift", steps: [
    { cat: "knowledge", q: "Why did responders expect a different behaviour?", a: ["The architecture diagram still shows the design from {year}; {svc} changed since.", "The service README describes a retry policy that was removed in {ver}."], r: ["Generate the diagram from the deployment manifests.", "Review the README with every major release."], act: ["Update the {svc} architecture diagram"] },
  ] },
];

/** Blaming wording, ~3% of answers: what a blameless review is there to catch and reframe. */
const BLAME_ANSWERS = [
  "An engineer made a mistake in the change.",
  "Human error: a value was mistyped during the change to {svc}.",
  "The on-call engineer missed the first alert.",
  "Someone forgot to update the {svc} configuration.",
  "The author didn't test the change against production data.",
  "The reviewer approved it without running it.",
  "A careless change to the {svc} config.",
];
const BLAME_REMEDIATIONS = [
  "Remind the engineer to be more careful with config changes.",
  "Tell the team to double-check next time.",
  "Ask the author to pay more attention to reviews.",
];
const ACK_REASONS = [
  "Kept as the person's own account of what happened; the next level asks what let it through.",
  "Quoted from the incident call; the analysis continues at the next level.",
  "Kept on purpose so readers see how the first answer was reframed.",
];

const NO_ACTION_REASONS_FIRST = [
  "Done during the response.",
  "Done during the response: service was restored before the analysis.",
  "Nothing more to do at this level; the mitigation was permanent.",
];
const NO_ACTION_REASONS = [
  "Covered by the action on the deeper level.",
  "Already tracked in the {team} backlog as part of the reliability work this quarter.",
  "A one-off fix, done while writing this up.",
  "Covered by the platform-wide change in another action.",
];
const NO_REMEDIATION_REASONS = [
  "The behaviour at this level was correct given its inputs; the fix belongs one level down.",
  "Nothing to change here: the safeguard worked as designed.",
];
const WONT_DO_REASONS = [
  "Superseded by the move to the new platform.",
  "The service is being retired next quarter.",
  "Cost outweighs the risk at this severity; revisit if it recurs.",
  "Covered by the platform-wide change in another action.",
  "Replaced by a different fix agreed in the follow-up review.",
];
const DONE_WHEN = [
  "the change is live in production and the alert has been tested",
  "the runbook has been tried end to end",
  "the test fails on the old code and passes on the new",
  "the dashboard shows the new metric for every instance",
];
const LESSONS = [
  "Safe defaults beat careful people.",
  "A check in the pipeline is cheaper than a page at night.",
  "What is not rehearsed does not work when it is needed.",
  "Alerts should describe what customers see.",
  "Every fix here is small; together they close the gap.",
  "The same cause appeared in earlier incidents; see the related analyses.",
];
const TIMELINE_GENERIC = {
  start: ["First errors in {svc} logs.", "Deploy of {svc} {ver} completes.", "Error rate on {svc} starts rising."],
  detect: ["Alert: {svc} error rate above {pct}%.", "Customer support reports problems with {Svc}.", "Synthetic check for {svc} fails from {region}."],
  declared: ["Incident declared as {sev}; incident channel opened.", "Paged the {team} rotation; incident declared as **{sev}**."],
  middle: ["Status page updated: investigating problems with {Svc}.", "Customer support briefed with a holding statement.", "Suspected cause narrowed to `{svc}`.", "Mitigation applied; error rate falling."],
  resolved: ["{Svc} back to normal; monitoring.", "Error rate back to baseline after {dur}; incident resolved."],
  after: ["Status page updated: resolved.", "Post-incident review scheduled."],
};

// --- People ------------------------------------------------------------------------------------

// Names chosen not to be ordinary English words: the blame-language check looks for everyone's
// names in what people write, and "Will" or "Page" would match text about systems.
const FIRST_NAMES = [
  "Amara", "Bruno", "Chiara", "Dmitri", "Elif", "Farah", "Goran", "Hana", "Idris", "Jonas", "Keiko", "Lena",
  "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rafael", "Saanvi", "Tomasz", "Ulla", "Viktor", "Yusuf", "Zofia",
  "Aiko", "Bjorn", "Camila", "Dario", "Esra", "Fionn", "Greta", "Hugo", "Ines", "Kofi", "Leila", "Noor",
];
const SURNAMES = [
  "Okafor", "Lindqvist", "Moreau", "Tanaka", "Kowalski", "Haddad", "Novak", "Ferreira", "Sato", "Nakamura",
  "Petrov", "Mensah", "Schmidt", "Rossi", "Alvarez", "Kaur", "Nguyen", "Dubois", "Jensen", "Costa", "Yilmaz",
  "Ivanova", "Adeyemi", "Bianchi", "Horvat", "Larsen", "Mehta", "Quispe", "Reyes", "Sandoval", "Takahashi",
  "Urquhart", "Varga", "Weber", "Oyelaran", "Fitzgerald",
];

type Person = { id: number; name: string; email: string; team: string; role: "admin" | "member" };

const USER_COUNT = 200;
const SIGN_INS = {
  admin: { email: "bench-admin@example.com", name: "Avery Lindqvist", team: "Platform", role: "admin" as const },
  restricted: { email: "bench-restricted@example.com", name: "Rowan Okafor", team: "Identity", role: "member" as const },
  member: { email: "bench-member@example.com", name: "Morgan Tanaka", team: "Web", role: "member" as const },
};

function makePeople(): Person[] {
  const people: Person[] = [];
  const used = new Set<string>();
  const add = (p: Omit<Person, "id">) => {
    people.push({ ...p, id: people.length + 1 });
    used.add(p.name);
  };
  add(SIGN_INS.admin);
  add(SIGN_INS.restricted);
  add(SIGN_INS.member);
  while (people.length < USER_COUNT) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(SURNAMES);
    const name = `${first} ${last}`;
    if (used.has(name)) continue;
    const team = people.length < 3 + TEAMS.length * 2 ? TEAMS[(people.length - 3) % TEAMS.length] : rng.pick(TEAMS);
    add({ name, email: `${first}.${last}@example.com`.toLowerCase(), team, role: people.length < 8 ? "admin" : "member" });
  }
  return people;
}

// --- Text with markdown rendered once per shape -----------------------------------------------

type Fill = Record<string, string>;
const SLOT = /\{(\w+)\}/g;
// Values go into the rendered HTML at these markers: they survive marked and sanitize-html as
// plain text, so one rendering per template serves every incident that uses it.
const MARKER = /⟦(\d+)⟧/g;
const htmlCache = new Map<string, string>();
let renders = 0;

function valueOf(fill: Fill, name: string, template: string): string {
  const v = fill[name];
  if (v === undefined) throw new Error(`No value for {${name}} in “${template}”`);
  return v;
}

function plain(template: string, fill: Fill): string {
  return template.replace(SLOT, (_, name: string) => valueOf(fill, name, template));
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function markdown(template: string, fill: Fill): { md: string; html: string } {
  const values: string[] = [];
  const pattern = template.replace(SLOT, (_, name: string) => {
    values.push(valueOf(fill, name, template));
    return `⟦${values.length - 1}⟧`;
  });
  let html = htmlCache.get(pattern);
  if (html === undefined) {
    html = renderMarkdown(pattern);
    htmlCache.set(pattern, html);
    renders += 1;
  }
  return {
    md: pattern.replace(MARKER, (_, i: string) => values[Number(i)]),
    html: html.replace(MARKER, (_, i: string) => escapeHtml(values[Number(i)])),
  };
}

// --- Generation --------------------------------------------------------------------------------

const SEVERITY_WEIGHTS = [0.05, 0.2, 0.45, 0.3];
const SEVERITY_LIST: Severity[] = ["SEV1", "SEV2", "SEV3", "SEV4"];
const DETECT_MEDIAN_MIN: Record<Severity, number> = { SEV1: 6, SEV2: 12, SEV3: 30, SEV4: 90 };
const RESOLVE_MEDIAN_MIN: Record<Severity, number> = { SEV1: 180, SEV2: 120, SEV3: 75, SEV4: 50 };
const PRIORITY_WEIGHTS: Record<Severity, number[]> = { SEV1: [0.5, 0.35, 0.15], SEV2: [0.35, 0.45, 0.2], SEV3: [0.15, 0.5, 0.35], SEV4: [0.05, 0.4, 0.55] };
const PRIORITY_LIST: Priority[] = ["P1", "P2", "P3"];
const DEPTH_WEIGHTS = [0.15, 0.25, 0.35, 0.15, 0.1]; // depth 3..7
const EXTRA_WEIGHTS = [0.4, 0.25, 0.17, 0.1, 0.05, 0.03]; // branch whys beyond the main chain
const ACTION_WEIGHTS = [0.15, 0.25, 0.25, 0.17, 0.1, 0.08]; // 1..6 actions
const THEME_WEIGHTS = zipf(THEMES.length, 0.8);
const RESTRICTED_BASE = 0.042;
const LARGE_SHARE = 0.005;
/** Pairs weaker than this are not stored; the app drops weak pairs too (recurrence.server.ts). */
const MIN_OVERLAP = RELEVANT;
/** Share of pairs on a cause's own levels written alike enough to count as the same cause. */
const SAME_CAUSE_SHARE = 0.1;

const iso = (ms: number) => new Date(ms).toISOString();
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
// Midnight UTC rather than this instant, so every run on the same day makes the same data.
const today = new Date();
const NOW = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
const TODAY = iso(NOW).slice(0, 10);

type WhyGen = {
  id: number;
  parent: WhyGen | null;
  position: number;
  level: number;
  key: string;
  question: string;
  answer: string;
  remediationMd: string;
  remediationHtml: string;
  noRemediationReason: string;
  noActionReason: string;
  category: string;
  rootReached: boolean;
  blame: boolean;
  createdById: number;
  createdAt: number;
  children: WhyGen[];
  step: Step;
};

type ActionGen = {
  id: number;
  why: WhyGen | null;
  title: string;
  descriptionMd: string;
  descriptionHtml: string;
  ownerId: number;
  dueDate: string;
  priority: Priority;
  status: ActionStatus;
  wontDoReason: string;
  trackerUrl: string;
  completedAt: number | null;
  completedById: number | null;
  createdAt: number;
};

// --- Database ----------------------------------------------------------------------------------

const started = performance.now();
const elapsed = () => ((performance.now() - started) / 1000).toFixed(1);

console.log(`Creating ${incidentCount.toLocaleString("en")} incidents in ${file} (seed ${seedText})`);
const db = await openDatabase(file);
const sqlite = sqliteOf(db);
// The file is new and nothing else uses it yet: trade crash safety for speed while loading.
sqlite.pragma("synchronous = OFF");
sqlite.pragma("cache_size = -200000");
sqlite.pragma("temp_store = MEMORY");

const insert = {
  user: sqlite.prepare("insert into users (id, email, name, team, role, password_hash, created_at) values (?, ?, ?, ?, ?, ?, ?)"),
  incident: sqlite.prepare(
    `insert into incidents (id, title, severity, status, visibility, started_at, detected_at, resolved_at, impact_md, impact_html,
      summary_md, summary_html, facilitator_id, reported_by_id, published_at, published_by_id, created_at, updated_at, version)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ),
  service: sqlite.prepare("insert into incident_services (incident_id, service) values (?, ?)"),
  participant: sqlite.prepare("insert into participants (incident_id, user_id) values (?, ?)"),
  why: sqlite.prepare(
    `insert into whys (id, incident_id, parent_id, position, question, answer, remediation_md, remediation_html,
      no_remediation_reason, category, root_reached, no_action_reason, similar_checked_at, blame_findings, created_by_id, created_at, updated_at, version)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
  ),
  timeline: sqlite.prepare(
    "insert into timeline_entries (id, incident_id, at, body_md, body_html, created_by_id, created_at, version) values (?, ?, ?, ?, ?, ?, ?, 1)",
  ),
  action: sqlite.prepare(
    `insert into actions (id, incident_id, why_id, title, description_md, description_html, owner_id, due_date, priority, status,
      wont_do_reason, tracker_url, completed_at, completed_by_id, created_by_id, created_at, updated_at, version)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ),
  audit: sqlite.prepare(
    "insert into audit_events (incident_id, actor_id, kind, summary, changes, after_publication, created_at) values (?, ?, ?, ?, ?, ?, ?)",
  ),
  publication: sqlite.prepare(
    "insert into publications (incident_id, revision, published_at, published_by_id, snapshot) values (?, 1, ?, ?, ?)",
  ),
  learning: sqlite.prepare(
    `insert into learnings (publication_id, incident_id, revision, latest, visibility, first_published_at, published_at, title, severity, content)
     values (?, ?, 1, 1, ?, ?, ?, ?, ?, ?)`,
  ),
  learningService: sqlite.prepare(
    "insert into learning_services (incident_id, service, publication_id, visibility, first_published_at) values (?, ?, ?, ?, ?)",
  ),
  learningCategory: sqlite.prepare(
    "insert into learning_categories (incident_id, category, publication_id, visibility, first_published_at) values (?, ?, ?, ?, ?)",
  ),
  ack: sqlite.prepare(
    "insert or ignore into blame_acknowledgements (why_id, field, match, reason, acknowledged_by_id, created_at) values (?, ?, ?, ?, ?, ?)",
  ),
  link: sqlite.prepare("insert or ignore into incident_links (incident_id, related_id, created_by_id, created_at) values (?, ?, ?, ?)"),
  similarity: sqlite.prepare("insert or ignore into why_similarities (why_id, similar_why_id, rank, overlap, matched_on) values (?, ?, ?, ?, ?)"),
};

// --- Users -------------------------------------------------------------------------------------

const people = makePeople();
// The wording check with the seeded directory. Generated texts repeat, so each is checked once.
const directory: Check = (() => {
  const check = wordingCheck(serverTokenizer(), namesOf({ people: people.flatMap((p) => [p.name, p.email]), teams: [...new Set(people.map((p) => p.team))] }));
  const seen = new Map<string, ReturnType<Check>>();
  return (text, field) => {
    const key = `${field}:${text}`;
    let found = seen.get(key);
    if (!found) seen.set(key, (found = check(text, field)));
    return found;
  };
})();
const sharedHash = hashPassword(BENCH_PASSWORD);
sqlite.transaction(() => {
  for (const p of people) {
    const created = NOW - (YEARS * 365 + rng.int(10, 400)) * DAY;
    insert.user.run(p.id, p.email, p.name, p.team, p.role, sharedHash, iso(created));
  }
})();
const byTeam = new Map<string, Person[]>();
for (const p of people) byTeam.set(p.team, [...(byTeam.get(p.team) ?? []), p]);
const adminIds = people.filter((p) => p.role === "admin").map((p) => p.id);
const restrictedMember = people[1];
const plainMember = people[2];
// A few dozen people facilitate most analyses; a handful do a great many.
const facilitators = rng.sample(people.slice(3), 45);
facilitators.splice(4, 0, people[0]);
const facilitatorWeights = zipf(facilitators.length, 0.9);
const nameOf = new Map(people.map((p) => [p.id, p.name]));

// --- Incidents ---------------------------------------------------------------------------------

// Start times over five years, more of them recently (the company grew), mostly in working hours.
const starts = Array.from({ length: incidentCount }, () => {
  const f = Math.pow(rng.next(), 0.8);
  const day = Math.floor(NOW / DAY - YEARS * 365 + f * (YEARS * 365 - 1));
  const hour = rng.chance(0.7) ? rng.int(8, 18) : rng.int(0, 23);
  return day * DAY + hour * HOUR + rng.int(0, 59) * MINUTE;
}).sort((a, b) => a - b);

const largeAt = new Set<number>();
for (let i = 0; i < incidentCount; i++) if (rng.chance(LARGE_SHARE)) largeAt.add(i);
// At least one large published incident for the benchmark to open, a few months old.
largeAt.add(Math.max(0, Math.floor(incidentCount * 0.95) - 1));

const similarByKey = new Map<string, { id: number; incidentId: number; text: string }[]>();
const lastIncidentOfTheme = new Map<string, number>();
const themeSeenWithDoneAction = new Set<string>();

let whyId = 0;
let actionId = 0;
let timelineId = 0;

const counts = { blameWhys: 0, similarityPairs: 0, links: 0, acknowledgements: 0 };
const largeRefs: { id: number; status: Status; visibility: Visibility }[] = [];

function fillFor(incidentId: number, severity: Severity, services: string[], start: number, detected: number, resolved: number | null): Fill {
  const svc = SERVICES.find((s) => s.slug === services[0])!;
  const svc2 = services[1] ? SERVICES.find((s) => s.slug === services[1])! : rng.pick(SERVICES.filter((s) => s.slug !== svc.slug));
  const depname = rng.pick(DEPENDENCIES);
  const startDate = new Date(start);
  return {
    svc: svc.slug,
    Svc: svc.name,
    svc2: svc2.slug,
    Svc2: svc2.name,
    team: svc.team,
    depname,
    dep: `the ${depname}`,
    Dep: `The ${depname}`,
    pool: String(rng.pick([20, 32, 40, 50, 64, 100, 200])),
    ms: String(rng.pick([800, 1200, 2000, 3000, 5000, 10000, 30000])),
    pct: String(rng.pick([3, 5, 8, 12, 15, 20, 25, 30, 40, 60, 85, 95])),
    n: String(rng.int(2, 12)),
    big: (rng.int(2, 480) * 500).toLocaleString("en"),
    gb: String(rng.pick([20, 50, 120, 250, 500, 1000])),
    mem: String(rng.pick([1, 2, 4, 8, 16])),
    money: `$${(rng.int(5, 400) * 100).toLocaleString("en")}`,
    days: String(rng.pick([7, 14, 30, 90])),
    ver: `v${rng.int(1, 9)}.${rng.int(0, 40)}.${rng.int(0, 12)}`,
    region: rng.pick(REGIONS),
    flag: rng.pick(FLAGS),
    table: rng.pick(TABLES),
    queue: rng.pick(QUEUES),
    job: rng.pick(JOBS),
    host: `${svc.slug}-${rng.pick(["db", "node", "worker"])}-${rng.int(1, 12)}`,
    year: String(startDate.getUTCFullYear() - rng.int(1, 4)),
    weekday: WEEKDAYS[(startDate.getUTCDay() + 6) % 7],
    time: iso(start).slice(11, 16),
    ttd: formatSpan(iso(start), iso(detected)) || "a minute",
    dur: resolved ? formatSpan(iso(start), iso(resolved)) || "a minute" : "several hours",
    sev: severity,
    ref: reference(incidentId),
  };
}

function remediationText(step: Step): string {
  if (step.r.length > 1 && rng.chance(0.15)) return step.r.map((r) => `- ${r}`).join("\n");
  if (step.r.length > 1 && rng.chance(0.12)) return `**Short term:** ${step.r[0]}\n\n**Longer term:** ${step.r[1]}`;
  return rng.pick(step.r);
}

function chooseDeeper(theme: Theme, tier: 1 | 2, used: Set<string>): (typeof DEEPER)[number] | undefined {
  const open = DEEPER.filter((d) => d.tier === tier && !used.has(d.id));
  const preferred = open.filter((d) => theme.deeper.includes(d.cat));
  const from = preferred.length > 0 && rng.chance(0.7) ? preferred : open;
  return from.length > 0 ? rng.pick(from) : undefined;
}

for (let batchStart = 0; batchStart < incidentCount; batchStart += BATCH) {
  sqlite.transaction(() => {
    for (let i = batchStart; i < Math.min(incidentCount, batchStart + BATCH); i++) generateIncident(i);
  })();
  const done = Math.min(incidentCount, batchStart + BATCH);
  console.log(`  ${done.toLocaleString("en").padStart(7)} / ${incidentCount.toLocaleString("en")} incidents  (${elapsed()} s)`);
}

function generateIncident(index: number) {
  const id = index + 1;
  const large = largeAt.has(index);
  const theme = THEMES[rng.weighted(THEME_WEIGHTS)];
  const severity = SEVERITY_LIST[rng.weighted(SEVERITY_WEIGHTS)];

  // Times: detection minutes to hours after the start, resolution later, longer for severe ones.
  const start = starts[index];
  const detected = Math.min(NOW - MINUTE, start + Math.round(clamp(rng.logNormal(DETECT_MEDIAN_MIN[severity], 1), 1, 72 * 60)) * MINUTE);
  const resolvedCandidate = detected + Math.round(clamp(rng.logNormal(RESOLVE_MEDIAN_MIN[severity], 0.8), 5, 5 * 24 * 60)) * MINUTE;
  const resolved = resolvedCandidate < NOW ? resolvedCandidate : null;
  const reportedAt = Math.min(NOW - MINUTE, detected + Math.round(clamp(rng.logNormal(12, 1), 1, 3 * 24 * 60)) * MINUTE);

  // Services: the theme's usual suspects first, then one or two others.
  const primary = theme.svcs === "any" ? rng.pick(SERVICES).slug : rng.pick(theme.svcs);
  const services = [primary];
  const extra = rng.weighted([0.55, 0.33, 0.12]);
  while (services.length < 1 + extra) {
    const s = rng.pick(SERVICES).slug;
    if (!services.includes(s)) services.push(s);
  }
  const primaryTeam = SERVICES.find((s) => s.slug === primary)!.team;

  const visibility: Visibility = rng.chance(theme.restricted ?? RESTRICTED_BASE) ? "restricted" : "org";

  // People: one facilitator, one to six participants, mostly from the owning team.
  const facilitator = facilitators[rng.weighted(facilitatorWeights)];
  const participantCount = rng.int(1, 6);
  const participantSet = new Set<number>();
  const teamPool = (byTeam.get(primaryTeam) ?? []).filter((p) => p.id !== facilitator.id && p.id !== restrictedMember.id && p.id !== plainMember.id);
  while (participantSet.size < participantCount) {
    const p = rng.chance(0.6) && teamPool.length > 0 ? rng.pick(teamPool) : rng.pick(people.slice(3));
    if (p.id !== facilitator.id) participantSet.add(p.id);
  }
  if (visibility === "restricted" ? rng.chance(0.35) : rng.chance(0.01)) participantSet.add(restrictedMember.id);
  if (visibility === "org" && rng.chance(0.012)) participantSet.add(plainMember.id);
  participantSet.delete(facilitator.id);
  const participantIds = [...participantSet];
  const team = [facilitator.id, ...participantIds];
  const reporterId = rng.chance(0.3) ? facilitator.id : rng.pick(participantIds);

  // Lifecycle: older incidents are mostly published; recent ones are still being analysed.
  const ageDays = (NOW - (resolved ?? start)) / DAY;
  const unfinishedChance = resolved === null ? 1 : ageDays < 3 ? 0.97 : ageDays < 14 ? 0.8 : ageDays < 45 ? 0.5 : ageDays < 120 ? 0.3 : 0.28;
  let status: Status;
  let publishedAt: number | null = null;
  if (rng.chance(unfinishedChance)) {
    status = (["draft", "analysis", "review"] as const)[rng.weighted(ageDays < 14 ? [0.45, 0.4, 0.15] : [0.25, 0.45, 0.3])];
  } else {
    publishedAt = resolved! + Math.round(clamp(rng.logNormal(9, 0.7), 1, 90) * DAY);
    if (publishedAt >= NOW - HOUR) {
      publishedAt = null;
      status = "review";
    } else status = "published";
  }
  const end = publishedAt ?? NOW - MINUTE;
  const analysisAt = status === "draft" ? null : reportedAt + (end - reportedAt) * (0.05 + 0.25 * rng.next());
  const reviewAt = status === "review" || status === "published" ? analysisAt! + (end - analysisAt!) * (0.5 + 0.4 * rng.next()) : null;
  const workFrom = analysisAt ?? reportedAt;
  const workTo = reviewAt ?? end;
  const published = status === "published";

  const fill = fillFor(id, severity, services, start, detected, resolved);

  // --- The why tree: the theme's chain, deeper levels, and contributing causes as branches.
  const depth = large ? 7 : 3 + rng.weighted(DEPTH_WEIGHTS);
  const total = large ? rng.int(19, 22) : Math.min(12, depth + rng.weighted(EXTRA_WEIGHTS));
  const whys: WhyGen[] = [];
  const usedDeeper = new Set<string>();
  const addWhy = (parent: WhyGen | null, step: Step, key: string, question: string): WhyGen => {
    whyId += 1;
    const level = parent ? parent.level + 1 : 1;
    const blame = level > 1 && rng.chance(0.03);
    const answer = blame ? plain(rng.pick(BLAME_ANSWERS), fill) : plain(rng.pick(step.a), fill);
    const why: WhyGen = {
      id: whyId,
      parent,
      position: parent ? parent.children.length + 1 : 1,
      level,
      key,
      question,
      answer,
      remediationMd: "",
      remediationHtml: "",
      noRemediationReason: "",
      noActionReason: "",
      category: step.cat,
      rootReached: false,
      blame,
      createdById: rng.chance(0.7) ? facilitator.id : rng.pick(team),
      createdAt: 0,
      children: [],
      step,
    };
    if (blame) counts.blameWhys += 1;
    if (level > 1 && !blame && rng.chance(0.04)) {
      why.noRemediationReason = rng.pick(NO_REMEDIATION_REASONS);
    } else {
      const rendered = markdown(blame && rng.chance(0.5) ? rng.pick(BLAME_REMEDIATIONS) : remediationText(step), fill);
      why.remediationMd = rendered.md;
      why.remediationHtml = rendered.html;
    }
    parent?.children.push(why);
    whys.push(why);
    return why;
  };

  const main: WhyGen[] = [];
  let node = addWhy(null, theme.chain[0], `${theme.slug}.0`, plain(rng.pick(SYMPTOMS[theme.sym].q), fill));
  main.push(node);
  for (let level = 2; level <= depth; level++) {
    const inChain = level - 1 < theme.chain.length;
    const deeper = inChain ? undefined : chooseDeeper(theme, level <= 5 ? 1 : 2, usedDeeper);
    if (!inChain && !deeper) break;
    const step = inChain ? theme.chain[level - 1] : deeper!;
    if (deeper) usedDeeper.add(deeper.id);
    const key = inChain ? `${theme.slug}.${level - 1}` : `deeper.${deeper!.id}`;
    node = addWhy(node, step, key, plain(step.q!, fill));
    main.push(node);
  }
  // Contributing causes: slow detection and an earlier, similar incident come first when they apply.
  let contributors = rng.shuffle(CONTRIBUTORS);
  const first: string[] = [];
  if (detected - start > 30 * MINUTE) first.push("detection");
  if (themeSeenWithDoneAction.has(theme.slug) && rng.chance(0.5)) first.push("earlier-action");
  contributors = [...contributors.filter((c) => first.includes(c.id)), ...contributors.filter((c) => !first.includes(c.id))];
  // They concern the incident as a whole (detection, recovery, spread), so they hang under the first levels.
  for (const contributor of contributors) {
    if (whys.length >= total) break;
    const anchor = rng.chance(0.75) ? main[0] : main[1];
    const room = Math.min(contributor.steps.length, total - whys.length, 7 - anchor.level);
    let parent = anchor;
    for (let k = 0; k < room; k++) {
      const step = contributor.steps[k];
      parent = addWhy(parent, step, `contributor.${contributor.id}.${k}`, plain(step.q!, fill));
    }
  }

  // Leaves: the main chain's end is often marked as the root cause; unfinished work has gaps.
  const leaves = whys.filter((w) => w.children.length === 0);
  for (const leaf of leaves) {
    const isMainLeaf = leaf === main[main.length - 1];
    if ((status === "draft" || status === "analysis") && isMainLeaf && rng.chance(status === "draft" ? 0.5 : 0.3)) {
      leaf.answer = "";
      leaf.remediationMd = "";
      leaf.remediationHtml = "";
      leaf.noRemediationReason = "";
      continue;
    }
    leaf.rootReached = isMainLeaf ? leaf.level >= 4 && rng.chance(published || status === "review" ? 0.7 : 0.3) : rng.chance(0.25);
  }
  // Whys were written in order during the analysis.
  whys.forEach((w, k) => {
    w.createdAt = Math.round(workFrom + (workTo - workFrom) * ((k + 0.5 + rng.next() * 0.5) / (whys.length + 1)) * 0.85);
  });

  // --- Actions: linked to whys with a remediation, deeper levels first.
  const actionCount = large ? 10 : 1 + rng.weighted(ACTION_WEIGHTS);
  const candidates = rng.shuffle(whys.filter((w) => w.remediationMd && w.answer)).sort((a, b) => (b.level >= 2 ? 1 : 0) - (a.level >= 2 ? 1 : 0));
  const actions: ActionGen[] = [];
  const titlesUsed = new Set<string>();
  for (let k = 0; k < actionCount; k++) {
    const why = candidates.length > 0 ? candidates[k % candidates.length] : null;
    const step = why?.step ?? theme.chain[0];
    let title = plain(rng.pick(step.act), fill);
    if (titlesUsed.has(title)) title = plain(step.act.find((a) => !titlesUsed.has(plain(a, fill))) ?? step.act[0], fill);
    if (titlesUsed.has(title)) title = `${title} (${rng.pick(["second service", "follow-up", "phase 2", "remaining instances"])})`;
    titlesUsed.add(title);
    const priority = PRIORITY_LIST[rng.weighted(PRIORITY_WEIGHTS[severity])];
    const createdAt = Math.min(end - MINUTE, Math.max(why?.createdAt ?? workFrom, workFrom) + Math.round(rng.next() * Math.max(HOUR, (workTo - workFrom) * 0.3)));
    const createdDate = iso(createdAt).slice(0, 10);
    const dueDate = addDays(createdDate, DEFAULT_DUE_POLICY[severity][priority] + rng.int(-3, 10));
    const described = rng.chance(0.5)
      ? markdown(
          rng.pick([
            rng.pick(step.r),
            `${rng.pick(step.r)}\n\n**Done when:** ${rng.pick(DONE_WHEN)}.`,
            `Follow-up to {ref}.\n\n- ${rng.pick(step.r)}\n- Link the change here when it ships.`,
          ]),
          fill,
        )
      : { md: "", html: "" };
    // The older the action, the likelier it is finished; a stalled write-up slows the work less.
    const age = (NOW - createdAt) / DAY;
    const finishChance = published
      ? age > 365 ? 0.96 : age > 120 ? 0.88 : age > 45 ? 0.7 : age > 14 ? 0.45 : 0.2
      : age > 365 ? 0.8 : age > 120 ? 0.65 : age > 45 ? 0.4 : 0.1;
    let actionStatus: ActionStatus;
    let completedAt: number | null = null;
    let completedById: number | null = null;
    let wontDoReason = "";
    const ownerId = rng.chance(0.75) && participantIds.length > 0 ? rng.pick(participantIds) : facilitator.id;
    const dueAt = Date.parse(`${dueDate}T17:00:00.000Z`);
    const finishAt = Math.round(Math.max(createdAt + HOUR, createdAt + (dueAt - createdAt) * clamp(rng.logNormal(0.8, 0.6), 0.05, 3)));
    // Work planned to finish after today is still under way.
    if (rng.chance(finishChance) && finishAt < NOW) {
      actionStatus = rng.chance(0.88) ? "done" : "wont_do";
      completedAt = finishAt;
      completedById = rng.chance(0.9) ? ownerId : facilitator.id;
      if (actionStatus === "wont_do") wontDoReason = rng.pick(WONT_DO_REASONS);
    } else {
      actionStatus = rng.chance(0.35) ? "in_progress" : "open";
    }
    actionId += 1;
    actions.push({
      id: actionId,
      why,
      title,
      descriptionMd: described.md,
      descriptionHtml: described.html,
      ownerId,
      dueDate,
      priority,
      status: actionStatus,
      wontDoReason,
      trackerUrl: rng.chance(0.4) ? `https://tracker.example.com/browse/${primaryTeam.slice(0, 3).toUpperCase()}-${rng.int(100, 9999)}` : "",
      completedAt,
      completedById,
      createdAt,
    });
  }
  if (actions.some((a) => a.status === "done")) themeSeenWithDoneAction.add(theme.slug);
  const withAction = new Set(actions.map((a) => a.why?.id));
  // Every remediation needs an action or a reason before publishing; a review may still miss one.
  for (const w of whys) {
    if (!w.remediationMd || withAction.has(w.id)) continue;
    const needed = published || (status === "review" ? rng.chance(0.9) : status === "analysis" ? rng.chance(0.5) : rng.chance(0.2));
    if (needed) w.noActionReason = plain(rng.pick(w.level === 1 ? NO_ACTION_REASONS_FIRST : NO_ACTION_REASONS), fill);
  }

  const allFinished = actions.length > 0 && actions.every((a) => a.status === "done" || a.status === "wont_do");
  const closedAt = published && allFinished ? Math.max(publishedAt!, ...actions.map((a) => a.completedAt!)) : null;
  if (closedAt !== null) status = "closed";

  // --- Incident row.
  const impact = markdown(
    `${rng.pick(SYMPTOMS[theme.sym].lead)}\n\n${rng
      .sample(SYMPTOMS[theme.sym].bullets, rng.int(2, 3))
      .map((b) => `- ${b}`)
      .join("\n")}`,
    fill,
  );
  const summary =
    status === "draft" && rng.chance(0.6)
      ? { md: "", html: "" }
      : markdown(rng.chance(0.5) ? `${theme.sum}\n\n**Lesson:** ${rng.pick(LESSONS)}` : theme.sum, fill);
  const title = plain(rng.pick(theme.titles), fill);
  const publishedById = publishedAt !== null ? (rng.chance(0.85) ? facilitator.id : rng.pick(adminIds)) : null;
  const moves = (analysisAt !== null ? 1 : 0) + (reviewAt !== null ? 1 : 0) + (publishedAt !== null ? 1 : 0) + (closedAt !== null ? 1 : 0);
  const lastTouched = Math.max(reportedAt, analysisAt ?? 0, reviewAt ?? 0, publishedAt ?? 0, closedAt ?? 0, ...whys.map((w) => w.createdAt), ...actions.map((a) => a.completedAt ?? a.createdAt));
  insert.incident.run(
    id, title, severity, status, visibility, iso(start), iso(detected), resolved === null ? null : iso(resolved),
    impact.md, impact.html, summary.md, summary.html, facilitator.id, reporterId,
    publishedAt === null ? null : iso(publishedAt), publishedById, iso(reportedAt), iso(Math.min(lastTouched, NOW - MINUTE)), 1 + moves,
  );
  for (const s of services) insert.service.run(id, s);
  for (const p of participantIds) insert.participant.run(id, p);

  for (const w of whys) {
    const at = iso(w.createdAt);
    insert.why.run(
      w.id, id, w.parent?.id ?? null, w.position, w.question, w.answer, w.remediationMd, w.remediationHtml,
      w.noRemediationReason, w.category, w.rootReached ? 1 : 0, w.noActionReason, at,
      JSON.stringify(findingsToStore({ question: w.question, answer: w.answer, remediationMd: w.remediationMd }, directory)), w.createdById, at, at,
    );
  }

  // --- Similar whys of earlier incidents: the same step of the same cause, found again. Template
  // text repeats word for word where people would paraphrase, so only some pairs of a cause's own
  // levels keep their computed overlap (and can reach SAME_CAUSE, "the fix may not have worked");
  // the rest get the overlap of related but differently worded answers, below it.
  for (const w of whys) {
    if (!w.answer) continue;
    const text = `${w.answer} ${w.remediationMd}`;
    const earlier = similarByKey.get(w.key) ?? [];
    const ownLevel = w.level >= 2 && w.key.startsWith(`${theme.slug}.`);
    for (const other of rng.sample(earlier.slice(-40), 3)) {
      const match = relevance(text, other.text);
      const shared = ownLevel && rng.chance(SAME_CAUSE_SHARE) ? match.score : MIN_OVERLAP + rng.next() * (SAME_CAUSE - MIN_OVERLAP - 0.01);
      if (shared < MIN_OVERLAP) continue;
      const rank = -(6 + 8 * shared) + (rng.next() - 0.5);
      insert.similarity.run(w.id, other.id, rank, shared, JSON.stringify(match.matchedOn));
      insert.similarity.run(other.id, w.id, rank, shared, JSON.stringify(relevance(other.text, text).matchedOn));
      counts.similarityPairs += 1;
    }
    earlier.push({ id: w.id, incidentId: id, text });
    if (earlier.length > 80) earlier.splice(0, 40);
    similarByKey.set(w.key, earlier);
  }

  // --- Timeline.
  const entryCount = rng.int(3, 8);
  const lastAt = resolved ?? Math.min(NOW - MINUTE, detected + 2 * HOUR);
  const entries: { at: number; text: string }[] = [
    { at: start, text: rng.pick(TIMELINE_GENERIC.start) },
    { at: detected, text: rng.pick(TIMELINE_GENERIC.detect) },
    { at: lastAt, text: rng.pick(TIMELINE_GENERIC.resolved) },
  ];
  const optional = rng.shuffle([
    { at: Math.min(lastAt, detected + rng.int(2, 15) * MINUTE), text: rng.pick(TIMELINE_GENERIC.declared) },
    ...theme.tl.map((text) => ({ at: detected + Math.round((lastAt - detected) * rng.next()), text })),
    ...rng.sample(TIMELINE_GENERIC.middle, 2).map((text) => ({ at: detected + Math.round((lastAt - detected) * rng.next()), text })),
    { at: Math.min(NOW - MINUTE, lastAt + rng.int(5, 40) * MINUTE), text: rng.pick(TIMELINE_GENERIC.after) },
  ]);
  entries.push(...optional.slice(0, entryCount - 3));
  entries.sort((a, b) => a.at - b.at);
  for (const e of entries) {
    const body = markdown(e.text, fill);
    timelineId += 1;
    insert.timeline.run(timelineId, id, iso(e.at), body.md, body.html, rng.chance(0.6) ? facilitator.id : rng.pick(team), iso(Math.max(reportedAt, e.at)));
  }

  // --- Actions and their history.
  const afterPublication = (at: number) => (publishedAt !== null && at > publishedAt ? 1 : 0);
  for (const a of actions) {
    insert.action.run(
      a.id, id, a.why?.id ?? null, a.title, a.descriptionMd, a.descriptionHtml, a.ownerId, a.dueDate, a.priority, a.status,
      a.wontDoReason, a.trackerUrl, a.completedAt === null ? null : iso(a.completedAt), a.completedById, facilitator.id,
      iso(a.createdAt), iso(a.completedAt ?? a.createdAt), a.status === "open" ? 1 : 2,
    );
  }

  // --- Audit trail: reported, moved through the lifecycle, published, actions finished, closed.
  insert.audit.run(id, reporterId, "incident.reported", `Reported ${reference(id)}: ${title}`, "{}", 0, iso(reportedAt));
  const moved = (from: Status, to: Status, at: number) =>
    insert.audit.run(id, facilitator.id, "incident.moved", `Moved from ${STATUS_LABELS[from]} to ${STATUS_LABELS[to]}`, JSON.stringify({ status: [from, to] }), 0, iso(at));
  if (analysisAt !== null) moved("draft", "analysis", analysisAt);
  if (reviewAt !== null) moved("analysis", "review", reviewAt);
  if (publishedAt !== null) {
    insert.audit.run(id, publishedById!, "incident.published", "Published the analysis", JSON.stringify({ status: ["review", "published"] }), 0, iso(publishedAt));
  }
  for (const a of actions) {
    if (a.completedAt === null) continue;
    const done = a.status === "done";
    insert.audit.run(
      id, a.completedById!, "action.status", `${done ? "Completed" : "Decided not to do"} the action “${a.title}”`,
      JSON.stringify({ status: [ACTION_STATUS_LABELS.open, ACTION_STATUS_LABELS[a.status]], ...(done ? {} : { reason: [null, a.wontDoReason] }) }),
      afterPublication(a.completedAt), iso(a.completedAt),
    );
  }
  if (closedAt !== null) {
    insert.audit.run(
      id, facilitator.id, "incident.closed", "Closed: every follow-up action is done or won't be done",
      JSON.stringify({ status: ["published", "closed"] }), afterPublication(closedAt), iso(closedAt),
    );
  }

  // --- Blaming wording kept on purpose, as publishing requires.
  if (publishedAt !== null) {
    for (const w of whys) {
      if (!w.blame) continue;
      const found = checkWhy({ question: w.question, answer: w.answer, remediationMd: w.remediationMd }, directory);
      for (const field of Object.keys(found) as WhyField[]) {
        for (const f of found[field]) {
          insert.ack.run(w.id, field, normalizedMatch(f.match), rng.pick(ACK_REASONS), facilitator.id, iso(reviewAt ?? publishedAt));
          counts.acknowledgements += 1;
        }
      }
    }
    const snapshot = snapshotOf();
    const publicationId = Number(insert.publication.run(id, iso(publishedAt), publishedById!, JSON.stringify(snapshot)).lastInsertRowid);
    insert.learning.run(publicationId, id, visibility, iso(publishedAt), iso(publishedAt), snapshot.title, snapshot.severity, JSON.stringify(learningContent(snapshot)));
    for (const service of snapshot.services) insert.learningService.run(id, service, publicationId, visibility, iso(publishedAt));
    for (const category of snapshot.categories) insert.learningCategory.run(id, category, publicationId, visibility, iso(publishedAt));
  }

  // --- A few incidents marked as related to an earlier one with the same cause.
  const previous = lastIncidentOfTheme.get(theme.slug);
  if (previous !== undefined && analysisAt !== null && rng.chance(0.04)) {
    insert.link.run(id, previous, facilitator.id, iso(analysisAt));
    insert.link.run(previous, id, facilitator.id, iso(analysisAt));
    counts.links += 1;
  }
  lastIncidentOfTheme.set(theme.slug, id);
  if (large) largeRefs.push({ id, status, visibility });

  function snapshotOf(): Snapshot {
    const tree = buildTree(
      whys.map((w) => ({
        id: w.id,
        parentId: w.parent?.id ?? null,
        position: w.position,
        question: w.question,
        answer: w.answer,
        remediationMd: w.remediationMd,
        remediationHtml: w.remediationHtml,
        noRemediationReason: w.noRemediationReason,
        noActionReason: w.noActionReason,
        category: w.category,
        rootReached: w.rootReached,
        version: 1,
      })),
    );
    const facts = {
      reference: reference(id),
      title,
      severity,
      services: [...services].sort(),
      startedAt: iso(start),
      detectedAt: iso(detected),
      resolvedAt: resolved === null ? null : iso(resolved),
      impactMd: impact.md,
      impactHtml: impact.html,
      summaryMd: summary.md,
      summaryHtml: summary.html,
      facilitator: facilitator.name,
    };
    // What the actions looked like when the analysis was published.
    return buildSnapshot(
      facts,
      tree,
      actions.map((a) => ({
        title: a.title,
        ownerName: nameOf.get(a.ownerId)!,
        status: a.completedAt !== null && a.completedAt <= publishedAt! ? a.status : a.status === "in_progress" ? "in_progress" : "open",
        dueDate: a.dueDate,
        whyQuestion: a.why?.question ?? null,
      })),
    );
  }
}

// --- Finish --------------------------------------------------------------------------------------

const loaded = elapsed();
console.log(`Inserted in ${loaded} s; analysing…`);
sqlite.pragma("synchronous = NORMAL");
sqlite.exec("ANALYZE");
sqlite.pragma("optimize");
sqlite.pragma("wal_checkpoint(TRUNCATE)");

const TABLES_TO_COUNT = [
  "users", "incidents", "incident_services", "participants", "whys", "timeline_entries", "actions", "audit_events",
  "publications", "learnings", "blame_acknowledgements", "incident_links", "why_similarities", "search_index",
];
const rows = TABLES_TO_COUNT.map((t) => [t, sqlite.prepare(`select count(*) from ${t}`).pluck().get() as number] as const);
const statusRows = sqlite.prepare("select status, count(*) as n from incidents group by status order by n desc").all() as { status: string; n: number }[];
const overdue = sqlite.prepare("select count(*) from actions where status in ('open', 'in_progress') and due_date < ?").pluck().get(TODAY) as number;
const restricted = sqlite.prepare("select count(*) from incidents where visibility = 'restricted'").pluck().get() as number;
sqlite.close();
const size = fs.statSync(file).size;

console.log("");
console.log("Rows:");
for (const [table, n] of rows) console.log(`  ${table.padEnd(24)} ${n.toLocaleString("en").padStart(9)}`);
console.log(`  incidents by status: ${statusRows.map((r) => `${r.status} ${r.n.toLocaleString("en")}`).join(", ")}`);
console.log(`  restricted incidents: ${restricted.toLocaleString("en")}; overdue actions: ${overdue.toLocaleString("en")}`);
console.log(`  blaming answers: ${counts.blameWhys.toLocaleString("en")}; markdown templates rendered: ${renders.toLocaleString("en")}`);
const large = largeRefs.filter((r) => r.visibility === "org" && (r.status === "published" || r.status === "closed"));
console.log(`Large incidents (about 20 whys, 10 actions): ${(large.length > 0 ? large : largeRefs).slice(-3).map((r) => reference(r.id)).join(", ")}`);
console.log(`File: ${(size / 1024 / 1024).toFixed(1)} MB. Done in ${elapsed()} s.`);
console.log("");
console.log(`Sign in (password for everyone: ${BENCH_PASSWORD}):`);
console.log(`  ${SIGN_INS.admin.email.padEnd(30)} admin`);
console.log(`  ${SIGN_INS.restricted.email.padEnd(30)} member, takes part in restricted incidents`);
console.log(`  ${SIGN_INS.member.email.padEnd(30)} member`);
const shown = path.relative(process.cwd(), file);
console.log(`Serve it with: DATABASE_PATH=${shown.startsWith("..") ? file : shown} npm start`);
