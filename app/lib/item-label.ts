// Accessible names for controls that repeat down a page ("Mark done", "Edit", "Delete"): a
// screen reader's list of buttons must say which item each one acts on. The visible words come
// first, so the name still matches what is on the screen (WCAG 2.5.3, label in name).

import { shorten } from "./shorten";

/** How much of the item's text the name carries: enough to tell items apart, short enough to hear. */
const ITEM_CHARS = 80;

/** "Mark done: Rotate the certificate", the item's text shortened past ITEM_CHARS. */
export function labelFor(words: string, item: string): string {
  const text = item.replace(/\s+/g, " ").trim();
  return `${words}: ${shorten(text, ITEM_CHARS)}`;
}
