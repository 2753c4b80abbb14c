// Two production servers on one database, as behind a load balancer: on PostgreSQL (the run of
// tests/postgres/e2e.ts) two instances on one database, on SQLite two processes on one file. A
// session made on one works on the other, a write on one is read on the other, edits of one why
// through both from the same version give one winner and conflicts, the scheduled work is done
// once though both run it, and killing one mid-burst loses no acknowledged write.
import { expect, test } from "@playwright/test";
import { startSmtpServer } from "../unit/smtp";
import { ADMIN_EMAIL, databaseOf, dataDirPerTest, exited, firstAdmin, incidentInAnalysis, OWN_BASE, OWN_PORT, post, reportForm, startServer } from "./own-server";

test.describe.configure({ mode: "serial" });

const dataDir = dataDirPerTest();
const OTHER_BASE = `http://127.0.0.1:${OWN_PORT + 1}`;

/** A form post to the other instance, as the browser would send it there. */
function postTo(base: string, pathname: string, form: Record<string, string>, cookie: string) {
  return fetch(base + pathname, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: base, Cookie: cookie },
    body: new URLSearchParams(form),
  });
}

test("a session, a write and a conflict cross from one instance to the other", async () => {
  const a = await startServer(dataDir());
  const b = await startServer(dataDir(), { port: OWN_PORT + 1 });
  try {
    // Signed in on one, known on the other.
    const cookie = await firstAdmin();
    const page = await fetch(`${OTHER_BASE}/incidents`, { headers: { Cookie: cookie }, redirect: "manual" });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Casey Admin");

    // Written on one, read on the other.
    expect((await post("/incidents/new", reportForm("Written on the first instance"), cookie)).status).toBe(302);
    const read = await fetch(`${OTHER_BASE}/incidents/INC-1`, { headers: { Cookie: cookie } });
    expect(await read.text()).toContain("Written on the first instance");

    // Twelve edits of one why from its first version, half through each instance, at once.
    expect((await postTo(OTHER_BASE, "/incidents/INC-1?index", { intent: "move", to: "analysis" }, cookie)).status).toBe(302);
    const added = await post("/incidents/INC-1?index", { intent: "add-why", question: "Why did the queue back up?", answer: "The consumers were too few." }, cookie);
    const whyId = /#why-(\d+)$/.exec(added.headers.get("location") ?? "")?.[1];
    expect(whyId).toBeTruthy();
    const edits = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        postTo(i % 2 === 0 ? OWN_BASE : OTHER_BASE, "/incidents/INC-1?index", { intent: "update-why", whyId: whyId!, version: "1", question: "Why did the queue back up?", answer: `Edit ${i}.` }, cookie).then(
          async (r) => ({ i, status: r.status, body: await r.text() }),
        ),
      ),
    );
    const applied = edits.filter((e) => e.status === 302);
    expect(applied).toHaveLength(1);
    for (const e of edits.filter((x) => x.status !== 302)) {
      expect(e.status, `edit ${e.i}`).toBe(409);
      expect(e.body).toContain("Someone else saved this while you were editing");
    }
    const stored = await (await databaseOf(dataDir())).open();
    try {
      expect(await stored.get("select answer, version from whys where id = ?", Number(whyId))).toEqual({ answer: `Edit ${applied[0].i}.`, version: 2 });
    } finally {
      await stored.close();
    }
  } finally {
    for (const server of [a, b]) server.kill("SIGTERM");
    await Promise.all([exited(a), exited(b)]);
  }
});

test("one instance killed mid-burst: every acknowledged write is stored, and the other serves on", async () => {
  test.setTimeout(120_000);
  const a = await startServer(dataDir());
  const b = await startServer(dataDir(), { port: OWN_PORT + 1 });
  try {
    const cookie = await firstAdmin();
    const acknowledged: { reference: string; title: string }[] = [];
    let next = 0;
    let killed = false;
    // Ten clients, each writing through one instance; those on the killed one stop when it goes.
    const client = (base: string) => async () => {
      for (;;) {
        const n = next++;
        const form = reportForm(`Burst write ${n}`);
        const response = await postTo(base, "/incidents/new", form, cookie).catch(() => undefined);
        if (!response) return;
        const reference = /\/incidents\/(INC-\d+)$/.exec(response.headers.get("location") ?? "")?.[1];
        if (response.status === 302 && reference) acknowledged.push({ reference, title: form.title });
        if (killed && base === OTHER_BASE && acknowledged.length > 100) return;
      }
    };
    const clients = Array.from({ length: 10 }, (_, i) => client(i % 2 === 0 ? OWN_BASE : OTHER_BASE)());
    await expect.poll(() => acknowledged.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(60);
    a.kill("SIGKILL");
    await exited(a);
    killed = true;
    await Promise.all(clients);

    const stored = await (await databaseOf(dataDir())).open();
    try {
      expect(await stored.intact()).toBe(true);
      const titles = new Map((await stored.all<{ id: number; title: string }>("select id, title from incidents")).map((r) => [`INC-${r.id}`, r.title]));
      for (const write of acknowledged) expect(titles.get(write.reference), write.reference).toBe(write.title);
    } finally {
      await stored.close();
    }
    // The survivor serves what both wrote.
    const last = acknowledged.at(-1)!;
    expect(await (await fetch(`${OTHER_BASE}/incidents/${last.reference}`, { headers: { Cookie: cookie } })).text()).toContain(last.title);
  } finally {
    for (const server of [a, b]) server.kill("SIGTERM");
    await Promise.all([exited(a), exited(b)]);
  }
});

test("both run the schedule at the same moment: one reminder and one digest arrive, each once", async () => {
  test.setTimeout(120_000);
  const smtp = await startSmtpServer();
  try {
    // An overdue action for the admin, on a server that runs no schedule.
    const setup = await startServer(dataDir());
    const cookie = await incidentInAnalysis("Overdue work");
    const action = await post("/incidents/INC-1/actions/new", { title: "Add consumer lag alerting", ownerId: "1", priority: "P2", dueDate: "", descriptionMd: "", trackerUrl: "" }, cookie);
    expect(action.status).toBe(302);
    setup.kill("SIGTERM");
    await exited(setup);
    // Due yesterday: overdue. Reminders go out from midnight on, so whatever the hour the run
    // starts at, today's are due.
    const stored = await (await databaseOf(dataDir())).open();
    await stored.run("update actions set due_date = ?", new Date(Date.now() - 86_400_000).toISOString().slice(0, 10));
    await stored.run("insert into settings (key, value) values ('reminderHour', '0') on conflict (key) do update set value = excluded.value");

    // Both start at once, each with its schedule: each ticks as it starts.
    const logs: [string[], string[]] = [[], []];
    const env = { SCHEDULER: "true", SMTP_URL: smtp.url, APP_URL: OWN_BASE, DIGEST_TO: "everyone@example.com" };
    const [a, b] = await Promise.all([startServer(dataDir(), { log: logs[0], env }), startServer(dataDir(), { log: logs[1], env, port: OWN_PORT + 1 })]);
    try {
      const leaseLines = (log: string[]) => log.filter((line) => line.startsWith('{"job":"schedule"'));
      // Both ticked: one took the lease, the other found it held.
      await expect.poll(() => logs.map((log) => leaseLines(log).length).every((n) => n > 0)).toBe(true);
      expect(logs.map((log) => JSON.parse(leaseLines(log)[0]).lease).sort()).toEqual(["held by another process", "taken"]);
      await expect.poll(() => stored.value<number>("select count(*) from outbox where status in ('pending', 'sending')")).toBe(0);
      await expect.poll(() => smtp.received.length).toBeGreaterThanOrEqual(2);

      const subjects = smtp.received.map((mail) => `${(mail.to as { text: string }).text}: ${mail.subject}`);
      const reminders = subjects.filter((s) => s.startsWith(`${ADMIN_EMAIL}:`) && /overdue|due/i.test(s));
      const digests = subjects.filter((s) => s.startsWith("everyone@example.com: Hindsight digest"));
      expect(reminders, subjects.join("\n")).toHaveLength(1);
      expect(digests, subjects.join("\n")).toHaveLength(1);
      expect(await stored.value<number>("select count(*) from outbox where kind = 'reminder'")).toBe(1);
    } finally {
      await stored.close();
      for (const server of [a, b]) server.kill("SIGTERM");
      await Promise.all([exited(a), exited(b)]);
    }
  } finally {
    await smtp.close();
  }
});
