// The request log: one JSON line per request with method, path, status and duration, and never
// a password, a one-time link's token, a feed token or a session id.
import { expect, test } from "@playwright/test";
import { ADMIN_PASSWORD, addMember, firstAdmin, MEMBER_PASSWORD, OWN_BASE, post, withOwnStore } from "./own-server";

test("request logs say what was asked and how it went, and keep every secret out", async () => {
  test.setTimeout(60_000);
  const log: string[] = [];
  await withOwnStore({ log }, async () => {
    const admin = await firstAdmin();
    const links: string[] = [];
    const member = await addMember(admin, "Morgan Member", "morgan@example.com", links);
    const wrong = await post("/signin?redirectTo=%2Fincidents", { email: "morgan@example.com", password: "a-wrong-password-9" });
    expect(wrong.status).toBe(400);
    const feedPage = await (await fetch(`${OWN_BASE}/learnings`, { headers: { Cookie: member } })).text();
    const feedToken = /learnings\.atom\?token=([A-Za-z0-9_-]+)/.exec(feedPage)?.[1];
    expect(feedToken).toBeTruthy();
    expect((await fetch(`${OWN_BASE}/learnings.atom?token=${feedToken}`)).status).toBe(200);
    // The line for the last request is written as its response finishes.
    await expect.poll(() => log.some((line) => line.includes('"path":"/learnings.atom"'))).toBe(true);

    // Besides the line saying where it listens, one JSON line per request.
    expect(log.filter((line) => line && !line.startsWith("{"))).toEqual([expect.stringContaining("Hindsight is listening")]);
    const entries = log.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.length).toBeGreaterThanOrEqual(6);
    for (const entry of entries) {
      // A page the page cache answered says whether it was kept already ("hit") or just now ("miss").
      const fields = entry.cache === undefined ? ["method", "ms", "path", "status"] : ["cache", "method", "ms", "path", "status"];
      expect(Object.keys(entry).sort()).toEqual(fields);
      expect(typeof entry.ms).toBe("number");
      if (entry.cache !== undefined) expect(["hit", "miss"]).toContain(entry.cache);
    }
    expect(entries).toContainEqual(expect.objectContaining({ method: "GET", path: "/learnings", status: 200, cache: "miss" }));
    expect(entries).toContainEqual(expect.objectContaining({ method: "POST", path: "/set-password/[token]", status: 302 }));
    expect(entries).toContainEqual(expect.objectContaining({ method: "POST", path: "/signin", status: 400 }));
    expect(entries).toContainEqual(expect.objectContaining({ method: "GET", path: "/learnings.atom", status: 200 }));

    const text = log.join("\n");
    const secrets = [ADMIN_PASSWORD, MEMBER_PASSWORD, "a-wrong-password-9", links[0], feedToken!, admin.split("=")[1], member.split("=")[1], decodeURIComponent(member.split("=")[1])];
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
