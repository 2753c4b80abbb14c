import { LimitReached } from "./errors";
import { LIMITS, limitMessage, type LimitName } from "./limits";

/** Refuses a change that would take something past its limit (`value`: how many there would be). */
export function assertWithinLimit(name: LimitName, value: number, field?: string) {
  if (value > LIMITS[name]) throw new LimitReached(limitMessage(name), field);
}
