import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { toCsv } from "~/lib/csv.server";
import { sendEmail } from "~/lib/email.server";

describe("CSV export", () => {
  it("quotes commas, quotes and line breaks", () => {
    const csv = toCsv([{ title: 'Fix "the" pool, then\nretest', n: 3 }], ["title", "n"]);
    expect(csv).toBe('title,n\n"Fix ""the"" pool, then\nretest",3\n');
  });

  it("keeps spreadsheet formulas from running", () => {
    const csv = toCsv([{ a: "=HYPERLINK(\"http://evil\")", b: "+1", c: "-2", d: "@SUM(A1)", e: "plain" }], ["a", "b", "c", "d", "e"]);
    expect(csv.split("\n")[1]).toBe(`"'=HYPERLINK(""http://evil"")",'+1,'-2,'@SUM(A1),plain`);
  });
});

describe("email without a mail server", () => {
  it("is written as an .eml file in the data folder", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-"));
    const before = { db: process.env.DATABASE_PATH, smtp: process.env.SMTP_URL };
    process.env.DATABASE_PATH = path.join(dir, "hindsight.db");
    delete process.env.SMTP_URL;
    try {
      await sendEmail({ to: ["a@example.com"], subject: "Reminder", text: "Hello", html: "<p>Hello</p>", messageId: "<reminder.1@hindsight>" });
      const files = fs.readdirSync(path.join(dir, "outbox"));
      expect(files).toHaveLength(1);
      const eml = fs.readFileSync(path.join(dir, "outbox", files[0]), "utf8");
      expect(eml).toContain("Subject: Reminder");
      expect(eml).toContain("To: a@example.com");
      expect(eml).toContain("Message-ID: <reminder.1@hindsight>");
    } finally {
      if (before.db === undefined) delete process.env.DATABASE_PATH;
      else process.env.DATABASE_PATH = before.db;
      if (before.smtp) process.env.SMTP_URL = before.smtp;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
