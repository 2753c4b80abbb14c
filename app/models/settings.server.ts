import { db, prepared, schema } from "~/lib/db.server";
import { env } from "~/lib/env.server";
import { DEFAULT_DUE_POLICY, type DuePolicy } from "./action";
import { assertAdmin } from "./authorization.server";
import type { Viewer } from "./authorization";

export type Settings = {
  duePolicy: DuePolicy;
  /** The hour of the day (0–23) at which the daily reminder run sends. */
  reminderHour: number;
  /** The time zone that hour, "today" and due dates are read in. */
  timeZone: string;
  /** Who gets the weekly digest; empty means DIGEST_TO from the environment. */
  digestTo: string[];
  /** What a week without new post-mortems sends: a short note, or nothing. */
  digestWhenEmpty: "note" | "skip";
  /** ISO weekday (1 = Monday) and hour at which last week's digest is sent. */
  digestDay: number;
  digestHour: number;
  /**
   * Who signs in with a password: everyone, or only admins once the identity provider signs in
   * the rest (their way in when the provider is down). Without a provider configured, everyone.
   */
  passwordSignIn: "everyone" | "admins";
  /** The identity provider's name on the sign-in button ("Sign in with Okta"). */
  providerName: string;
  /** Email domains whose people get an account at their first sign-in through the provider; empty: nobody new. */
  providerDomains: string[];
  /** The provider's groups whose members are admins, applied at each sign-in; empty: roles are set on the People page. */
  providerAdminGroups: string[];
  /** Repositories (lower-cased "owner/name") whose deploys are of a service named otherwise, for the deploy gate. */
  gateRepositories: Record<string, string>;
  /**
   * Whether webhook endpoints may be on loopback, private, link-local or other non-public
   * addresses (a receiver inside the company network). Off: such URLs are refused when
   * registered and when each delivery connects.
   */
  webhooksAllowPrivate: boolean;
};

export const DEFAULT_SETTINGS: Settings = {
  duePolicy: DEFAULT_DUE_POLICY,
  reminderHour: 9,
  timeZone: "UTC",
  digestTo: [],
  digestWhenEmpty: "note",
  digestDay: 1,
  digestHour: 9,
  passwordSignIn: "everyone",
  providerName: "your identity provider",
  providerDomains: [],
  providerAdminGroups: [],
  gateRepositories: {},
  webhooksAllowPrivate: false,
};

/** DIGEST_TO (comma-separated): the digest's recipients when the settings name none. */
function environmentRecipients(): string[] {
  return (env().DIGEST_TO ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
}

/** The digest's recipients: the settings page's list, or DIGEST_TO. */
export async function digestRecipients(given?: Settings): Promise<string[]> {
  const settings = given ?? (await getSettings());
  if (settings.digestTo.length > 0) return settings.digestTo;
  return environmentRecipients();
}

/** What the Settings page shows an administrator: the stored settings, and what only the environment sets (read-only). */
export async function settingsFor(actor: Viewer): Promise<{ settings: Settings; environment: { digestTo: string[] } }> {
  assertAdmin(actor, "Only an administrator can see the settings.");
  return { settings: await getSettings(), environment: { digestTo: environmentRecipients() } };
}

const { settings } = schema;

const storedSettings = prepared((d) => d.select({ key: settings.key, value: settings.value }).from(settings).prepare());

export async function getSettings(): Promise<Settings> {
  const stored = Object.fromEntries((await storedSettings().all()).map((row) => [row.key, JSON.parse(row.value) as unknown]));
  return { ...DEFAULT_SETTINGS, ...stored } as Settings;
}

export async function updateSettings(actor: Viewer, changes: Partial<Settings>): Promise<Settings> {
  assertAdmin(actor);
  await db().transaction(async (tx) => {
    for (const [key, value] of Object.entries(changes)) {
      const row = { key, value: JSON.stringify(value), updatedAt: new Date().toISOString() };
      await tx.insert(settings).values(row).onConflictDoUpdate({ target: settings.key, set: row }).run();
    }
  });
  return getSettings();
}
