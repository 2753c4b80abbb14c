import { db, schema } from "~/lib/db.server";
import { DEFAULT_DUE_POLICY, type DuePolicy } from "./action";
import { assertAdmin, type User } from "./user.server";

export type Settings = {
  duePolicy: DuePolicy;
  /** The hour of the day (0–23) at which the daily reminder run sends. */
  reminderHour: number;
  /** The time zone that hour, "today" and due dates are read in. */
  timeZone: string;
};

export const DEFAULT_SETTINGS: Settings = {
  duePolicy: DEFAULT_DUE_POLICY,
  reminderHour: 9,
  timeZone: "UTC",
};

const { settings } = schema;

export function getSettings(): Settings {
  const stored = Object.fromEntries(
    db()
      .select()
      .from(settings)
      .all()
      .map((row) => [row.key, JSON.parse(row.value) as unknown]),
  );
  return { ...DEFAULT_SETTINGS, ...stored } as Settings;
}

export function updateSettings(actor: User, changes: Partial<Settings>): Settings {
  assertAdmin(actor);
  db().transaction((tx) => {
    for (const [key, value] of Object.entries(changes)) {
      const row = { key, value: JSON.stringify(value), updatedAt: new Date().toISOString() };
      tx.insert(settings).values(row).onConflictDoUpdate({ target: settings.key, set: row }).run();
    }
  });
  return getSettings();
}
