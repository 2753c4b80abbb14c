import type { ShouldRevalidateFunction } from "@remix-run/react";

/**
 * Remix does not reload loaders after an action answers 4xx. Here a refusal often means the
 * stored data moved on (a conflicting save, a lifecycle check) or a one-time message was shown
 * already, so the pages that show such data reload after refusals too.
 */
export const revalidateAfterRefusal: ShouldRevalidateFunction = ({ actionStatus, defaultShouldRevalidate }) =>
  (actionStatus !== undefined && actionStatus >= 400) || defaultShouldRevalidate;
