/**
 * The refusals the models raise, in the domain's words. Nothing here knows about HTTP: a route
 * turns them into a form failure or an error page (`modelFailure`, `orErrorPage` in
 * lib/http.server.ts), and an API would turn them into problem+json (`problemDetails`).
 */

import type { PublishProblem } from "./why-tree";

export type DomainErrorKind = "not-found" | "forbidden" | "invalid" | "limit-reached" | "state-conflict" | "conflict" | "publish-blocked";

/** Every refusal a model raises for the person acting. Anything else thrown is a fault. */
export abstract class DomainError extends Error {
  /** Which refusal this is, in words that survive minifying (an API's problem type ends with it). */
  abstract readonly kind: DomainErrorKind;
  /** The field of the form or the input the refusal is about, when it is about one. */
  readonly field?: string;

  constructor(message: string, field?: string) {
    super(message);
    this.name = new.target.name;
    if (field) this.field = field;
  }
}

/** The thing does not exist, or the person may not even know it does: both read the same. */
export class NotFound extends DomainError {
  readonly kind = "not-found" as const;
  constructor(
    /** What was looked for ("incident", "why", "user"…), for logs and an API. */
    readonly what: string,
    message = "Not found",
  ) {
    super(message);
  }
}

/** The person may see the thing but may not do this with it. */
export class Forbidden extends DomainError {
  readonly kind = "forbidden" as const;
}

/** The input breaks a rule (a person without an account, a category that is not on the list). */
export class Invalid extends DomainError {
  readonly kind = "invalid" as const;
}

/** The change would take something past one of its stated limits. */
export class LimitReached extends DomainError {
  readonly kind = "limit-reached" as const;
}

/**
 * The thing is not in a state that allows this now: a lifecycle move out of order, a duplicate,
 * a deletion that must be confirmed first, a wording that is no longer there.
 */
export class StateConflict extends DomainError {
  readonly kind = "state-conflict" as const;
}

/**
 * A save based on an older version than the one stored. Carries the stored values so the
 * person sees both versions and decides; nothing is overwritten.
 */
export class Conflict extends DomainError {
  readonly kind = "conflict" as const;
  constructor(
    /** The stored version, as the form shows it. */
    readonly current: Record<string, string>,
    message = "Someone else saved this while you were editing. Compare both versions below, then save again.",
  ) {
    super(message);
  }
}

/** Publishing (or republishing) was refused: the checks that failed, each with what it is about. */
export class PublishBlocked extends DomainError {
  readonly kind = "publish-blocked" as const;
  constructor(readonly problems: PublishProblem[]) {
    super("This analysis is not ready to publish yet.");
  }
}
