import fs from "node:fs";
import path from "node:path";
import nodemailer, { type Transporter } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import { env } from "./env.server";

export type Email = {
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  /** A stable Message-ID, so a message resent after a crash is recognisably the same one. */
  messageId: string;
};

let smtp: Transporter<SMTPTransport.SentMessageInfo> | undefined;
let smtpUrl: string | undefined;

/**
 * Sends one email: over SMTP when SMTP_URL is set, otherwise written as an .eml file under
 * data/outbox/ so nothing is lost on a machine without a mail server. Throws when it fails.
 */
export async function sendEmail(email: Email): Promise<void> {
  const { SMTP_URL, MAIL_FROM, DATA_DIR } = env();
  const message = {
    from: MAIL_FROM,
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    headers: email.headers,
    messageId: email.messageId,
  };
  if (SMTP_URL) {
    if (!smtp || smtpUrl !== SMTP_URL) {
      smtp = nodemailer.createTransport(SMTP_URL);
      smtpUrl = SMTP_URL;
    }
    await smtp.sendMail(message);
    return;
  }
  const file = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  const info = await file.sendMail(message);
  const folder = path.join(DATA_DIR, "outbox");
  fs.mkdirSync(folder, { recursive: true });
  const name = `${new Date().toISOString().replace(/[:.]/g, "-")}-${email.messageId.replace(/[^\w.-]+/g, "_")}.eml`;
  fs.writeFileSync(path.join(folder, name), info.message as Buffer);
}
