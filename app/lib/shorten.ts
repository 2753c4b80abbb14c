/** Text cut to at most `length` characters, the last of them "…" when anything was cut. */
export function shorten(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
