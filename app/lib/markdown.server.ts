import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";

const marked = new Marked({ gfm: true, breaks: true, async: false });

// User headings sit inside a page that already has h1/h2: shift them down so the outline stays in order.
const shiftHeading = (to: string) => sanitizeHtml.simpleTransform(to, {});

const LINK_REL = "noopener noreferrer nofollow";

// An image from another server tells it who read the post-mortem and when (a tracking pixel),
// in the app and in every feed reader: images become links to them, to open on purpose.
const imageAsLink: sanitizeHtml.Transformer = (_tag, attribs) => ({
  tagName: "a",
  attribs: { ...(attribs.src ? { href: attribs.src } : {}), rel: LINK_REL },
  text: attribs.alt ? `Image: ${attribs.alt}` : "Image",
});

const policy: sanitizeHtml.IOptions = {
  allowedTags: [
    "p", "br", "hr", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "em", "strong",
    "del", "s", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
    "kbd", "sup", "sub",
  ],
  allowedAttributes: {
    a: ["href", "title", "rel"],
    ol: ["start"],
    li: ["value"],
    th: ["align"],
    td: ["align"],
    code: ["class"],
  },
  allowedClasses: { code: [/^language-[\w-]+$/] },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesAppliedToAttributes: ["href", "src"],
  allowProtocolRelative: false,
  disallowedTagsMode: "escape",
  transformTags: {
    h1: shiftHeading("h3"),
    h2: shiftHeading("h4"),
    h3: shiftHeading("h5"),
    h4: shiftHeading("h6"),
    h5: shiftHeading("h6"),
    a: sanitizeHtml.simpleTransform("a", { rel: LINK_REL }),
    img: imageAsLink,
  },
};

/**
 * Renders user-written markdown to HTML that is safe to insert into a page.
 * Called when text is saved; pages show the stored HTML and never render per request.
 */
export function renderMarkdown(source: string): string {
  const trimmed = source.trim();
  if (!trimmed) return "";
  let html: string;
  try {
    html = marked.parse(boundedForParsing(trimmed)) as string;
  } catch {
    // Nesting deeper than the parser's stack (thousands of "> " or "1. "): kept as plain text.
    html = `<p>${textAsHtml(trimmed).replace(/\n/g, "<br>")}</p>`;
  }
  return sanitizeHtml(html, policy).trim();
}

/**
 * The text as the parser gets it: what would make its work grow with the square of the text's
 * length is bounded first (marks shown as typed, long runs of spaces shortened).
 */
export function boundedForParsing(source: string): string {
  return withBoundedNesting(withBoundedEmphasis(withBoundedSpaceRuns(source)));
}

/** Quotes and lists nested deeper than this on one line are shown as typed past it. */
export const NESTING_PER_LINE = 16;

const CONTAINER_MARK = /(?:>[ \t]?|(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$))/y;

/**
 * Each "> " or "- " at the start of a line opens a quote or a list inside the one before, and the
 * parser works through them by recursion, each level going over the rest of the text again: a
 * line of 12,000 "- > " took 0.7 s before the parser gave up, while the server answered no one.
 * Real post-mortems nest a few levels; past NESTING_PER_LINE on a line, the next mark is escaped
 * and the rest of the line is its text. (Indentation cannot nest deeper: runs of spaces are
 * bounded first.)
 */
function withBoundedNesting(source: string): string {
  return source.replace(/^[ \t]*[>*+\-\d].*$/gm, (line) => {
    let at = line.length - line.trimStart().length;
    for (let depth = 0; ; depth++) {
      CONTAINER_MARK.lastIndex = at;
      const mark = CONTAINER_MARK.exec(line);
      if (!mark) return line;
      if (depth === NESTING_PER_LINE) {
        // "\>" and "\-" are shown as typed; an ordered list's number is kept by escaping its "." or ")".
        const escapeAt = /^\d/.test(mark[0]) ? at + mark[0].search(/[.)]/) : at;
        return `${line.slice(0, escapeAt)}\\${line.slice(escapeAt)}`;
      }
      at = CONTAINER_MARK.lastIndex;
    }
  });
}

/** More marks than this in one paragraph (emphasis `*`, `_`, `~`, and `!`) are shown as typed. */
const EMPHASIS_MARKS_PER_PARAGRAPH = 100;

/**
 * The parser pairs emphasis marks by searching ahead from each one, so a paragraph dense with
 * `*`, `_` and `~` takes time that grows with the square of its length (50,000 characters of
 * "*a_" took half a minute). A `!` not starting an image stops its plain text too, and from each
 * one the parser looks ahead over the rest of an email-like run for an `@` ("!a!a!a…": 40,000
 * characters took 0.9 s). Real prose has a few marks a paragraph; past the limit they are
 * escaped and shown as typed, and the work stays linear.
 */
function withBoundedEmphasis(source: string): string {
  return source
    .split(/(\n[ \t]*\n)/)
    .map((paragraph) => ((paragraph.match(/[*_~]|!(?!\[)/g)?.length ?? 0) > EMPHASIS_MARKS_PER_PARAGRAPH ? paragraph.replace(/([*_~]|!(?!\[))/g, "\\$1") : paragraph))
    .join("");
}

/** Longer runs of spaces are shortened to this many before parsing. */
const SPACES_IN_A_ROW = 64;

/**
 * The parser looks ahead from every space for "two or more spaces, then a line break" (a hard
 * line break), so one run of spaces takes time that grows with the square of its length (50,000
 * spaces between two letters took 1.4 s, during which the server answers no one). HTML shows a
 * run of spaces as one anyway; only indentation and code keep them, and no real indentation or
 * code alignment needs more than SPACES_IN_A_ROW.
 */
function withBoundedSpaceRuns(source: string): string {
  return source.replace(new RegExp(` {${SPACES_IN_A_ROW + 1},}`, "g"), " ".repeat(SPACES_IN_A_ROW));
}

/**
 * Stored HTML passed through today's rules again, for HTML leaving the app (the Atom feed):
 * it was sanitized when saved, but under the rules of that day (before images became links),
 * and feed readers have no Content-Security-Policy of ours to stop what slipped through.
 */
export function resanitize(html: string): string {
  return sanitizeHtml(html, policy).trim();
}

/**
 * HTML the app rendered from its own components around stored, sanitized HTML (the Atom feed's
 * content): the same allowlist, but the components' own wrappers (`div`, `span`) are dropped,
 * keeping their text, instead of being shown as typed.
 */
export function sanitizeRendered(html: string): string {
  return sanitizeHtml(html, { ...policy, disallowedTagsMode: "discard" }).trim();
}

/** Plain text as HTML that shows it as typed: for a feed's HTML fields that hold text. */
export function textAsHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/**
 * The first paragraph of Markdown as one line of plain text (links keep their words, images go),
 * cut to `maxLength`: for email summaries and titles drawn from longer text.
 */
export function firstParagraphText(source: string, maxLength = Infinity): string {
  const paragraph = source.trim().split(/\n\s*\n/)[0] ?? "";
  const plain = paragraph
    // Bounded look-ahead: a run of "[" without "]" must not be searched to its end from each one.
    .replace(/!\[[^\]\n]{0,500}\]\([^)\n]{0,2000}\)/g, "")
    .replace(/\[([^\]\n]{0,500})\]\([^)\n]{0,2000}\)/g, "$1")
    .replace(/[*_`#>]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return plain.length > maxLength ? `${plain.slice(0, maxLength - 1)}…` : plain;
}
