import { db } from "~/lib/db.server";
import { Invalid, NotFound } from "./errors";
import { countActions, handOverOpenActions, listActions, type ActionListItem } from "./action.server";
import { assertAdmin } from "./authorization.server";
import { getUser, listUsers, removeUser, type User } from "./user.server";

// Removing a person, with what they still owe: kept apart from user.server.ts because it reaches
// into actions, which themselves name people through user.server.ts.

/** How many of the person's open actions the confirmation lists; it counts them all. */
export const LISTED_OPEN_ACTIONS = 50;

/** What removing someone would leave behind, for the confirmation: their unfinished actions and who could take them. */
export async function removalOf(actor: User, userId: number): Promise<{
  person: User;
  openActions: ActionListItem[];
  openCount: number;
  handOverTo: { id: number; name: string; team: string }[];
}> {
  assertAdmin(actor);
  const person = await getUser(userId);
  if (!person) throw new NotFound("user", "No such user.");
  const filters = { ownerId: userId, status: "unfinished" as const };
  return {
    person,
    openActions: (await listActions(actor, filters, { limit: LISTED_OPEN_ACTIONS })).items,
    openCount: (await countActions(actor, filters)).total,
    handOverTo: (await listUsers())
      .filter((u) => u.id !== userId)
      .map(({ id, name, team }) => ({ id, name, team })),
  };
}

/**
 * Removes a person (user.server.ts removeUser: no more sign-in, sessions and links end, history
 * keeps their name), first handing their unfinished actions to `handToId` if given; otherwise the
 * actions stay theirs, shown as "(removed)" until someone takes them. All or nothing.
 */
export async function removePerson(actor: User, userId: number, handToId: number | null): Promise<{ name: string; handedOver: number; handedTo: string | null }> {
  assertAdmin(actor);
  if (userId === actor.id) throw new Invalid("You cannot remove yourself.");
  return await db().transaction(async () => {
    const person = await getUser(userId);
    if (!person) throw new NotFound("user", "No such user.");
    const handedOver = handToId === null ? 0 : await handOverOpenActions(actor, userId, handToId);
    await removeUser(actor, userId);
    return { name: person.name, handedOver, handedTo: handToId === null ? null : ((await getUser(handToId))?.name ?? null) };
  });
}
