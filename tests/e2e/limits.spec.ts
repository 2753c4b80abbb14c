// The largest incident the limits allow, served by the production build with the heap npm start
// gives it: each of its pages and exports answers in full, several loads at once leave the server
// answering, and one more of anything is refused with a message over HTTP.
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { LIMITS_ADMIN } from "../../db/limits-admin";
import { databaseOf, exited, freshDataDir, OWN_BASE, post, sessionCookie, startServer } from "./own-server";

// The heap npm start and npm run serve give the server (package.json "config").
const serverFlags = JSON.parse(fs.readFileSync("package.json", "utf8")).config.serverFlags as string;

test("an incident at every limit: each page and export is served in full, loads at once leave the server answering", async () => {
  test.setTimeout(300_000);
  const dataDir = freshDataDir();
  // Built through the models, as people would build it, before the server starts.
  const { env } = await databaseOf(dataDir);
  const target = env.DATABASE_URL ? ["--database-url", env.DATABASE_URL] : ["--db", env.DATABASE_PATH];
  execFileSync(process.execPath, ["--import", "tsx", "db/seed-limits.ts", ...target], { stdio: ["ignore", "ignore", "inherit"] });
  const server = await startServer(dataDir, { env: { NODE_OPTIONS: serverFlags } });
  try {
    const cookie = sessionCookie(await post("/signin", { email: LIMITS_ADMIN.email, password: LIMITS_ADMIN.password }));
    const get = async (pathname: string) => {
      const response = await fetch(OWN_BASE + pathname, { headers: { cookie } });
      return { status: response.status, body: await response.text() };
    };

    // Each page and export, with what it must show and the most it may weigh.
    const pages: [string, string, number][] = [
      ["/incidents/INC-1", "Why 15.0:", 20_000_000],
      ["/incidents/INC-1/history", "Older →", 500_000],
      ["/incidents/INC-1/edit", "Participant 99", 500_000],
      ["/incidents/INC-1/actions/new", "Add a follow-up action", 500_000],
      ["/incidents/INC-1.md", "# INC-1:", 6_000_000],
      ["/actions/all?incident=1", "300 actions", 500_000],
      ["/actions/export.csv?incident=1", "action299", 2_000_000],
      ["/search?q=backlog", "INC-1", 500_000],
    ];
    for (const [pathname, shows, maxBytes] of pages) {
      const { status, body } = await get(pathname);
      expect(status, pathname).toBe(200);
      expect(body.includes(shows), `${pathname} shows “${shows}”`).toBe(true);
      expect(body.length, pathname).toBeLessThan(maxBytes);
    }

    // Twelve of the heaviest page at once (enough to run the heap out when all rendered together),
    // while the health check is asked: all answered in full, and the server is still there.
    const loads = Array.from({ length: 12 }, () => get("/incidents/INC-1"));
    const health = await fetch(`${OWN_BASE}/healthz`);
    expect(health.status).toBe(200);
    for (const load of await Promise.all(loads)) {
      expect(load.status).toBe(200);
      // Complete: the loader data closes its stream at the very end of the document.
      expect(load.body.includes("streamController.close()")).toBe(true);
    }
    expect(server.exitCode).toBeNull();

    // Twenty clients ask for it and never read: what they were sent waits in the socket, not in
    // the heap, the health check still answers, and so does a page.
    const stalled = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const socket = net.connect(Number(new URL(OWN_BASE).port), "127.0.0.1");
        await once(socket, "connect");
        socket.pause();
        socket.write(`GET /incidents/INC-1 HTTP/1.1\r\nHost: ${new URL(OWN_BASE).host}\r\nCookie: ${cookie}\r\n\r\n`);
        return socket;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect((await fetch(`${OWN_BASE}/healthz`)).status).toBe(200);
    expect((await get("/incidents/INC-1/history")).status).toBe(200);
    stalled.forEach((socket) => socket.destroy());
    expect(server.exitCode).toBeNull();

    // One more why, deeper level, entry or action is refused with its message; nothing is added.
    const refused = async (form: Record<string, string>, message: string) => {
      const response = await post("/incidents/INC-1?index", form, cookie);
      expect(response.status, form.intent).toBe(422);
      expect(await response.text()).toContain(message);
    };
    await refused({ intent: "add-why", parentId: "", question: "Why one more?", answer: "One more cause." }, "An incident holds at most 300 whys.");
    await refused({ intent: "add-entry", at: "2026-10-06T15:00", bodyMd: "One more." }, "timeline holds at most 500 entries.");
    const newAction = await post("/incidents/INC-1/actions/new", { title: "One more", ownerId: "1", priority: "P2", dueDate: "", descriptionMd: "", trackerUrl: "" }, cookie);
    expect(newAction.status).toBe(422);
    expect(await newAction.text()).toContain("An incident holds at most 300 follow-up actions.");
    expect((await get("/incidents/INC-1.md")).body.match(/^ *\d+\. \*\*/gm)).toHaveLength(300);

    // A form of a great many fields is refused before anything parses it, signed in or not.
    const fields = await post("/signin", new URLSearchParams("a&".repeat(5_000)));
    expect(fields.status).toBe(413);
    expect(await fields.text()).toBe("A form of more than 1000 fields is not accepted.");
    // As multipart too, whatever other parameter of the type ends in "boundary=".
    const parts = Array.from({ length: 5_000 }, (_, i) => `--yyy\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nx\r\n`).join("") + "--yyy--\r\n";
    for (const type of ["multipart/form-data; boundary=yyy", "multipart/form-data; boundary=yyy; xboundary=zz", 'multipart/form-data; charset=utf-8; boundary="yyy"']) {
      const multipart = await fetch(`${OWN_BASE}/signin`, { method: "POST", headers: { "Content-Type": type }, body: parts });
      expect(multipart.status, type).toBe(413);
    }
  } finally {
    server.kill("SIGTERM");
    await exited(server);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
