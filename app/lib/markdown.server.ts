import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";

const marked = new Marked({ gfm: true, breaks: true, async: false });

// User headings sit inside a page that already has h1/h2: shift them down so the outline stays in order.
const shiftHeading = (to: string) => sanitizeHtml.simpleTransform(to, {});

const policy: sanitizeHtml.IOptions = {
  allowedTags: [
    "p", "br", "hr", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "em", "strong",
    "del", "s", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    "kbd", "sup", "sub",
  ],
  allowedAttributes: {
    a: ["href", "title", "rel"],
    img: ["src", "alt", "title"],
    ol: ["start"],
    th: ["align"],
    td: ["align"],
    code: ["class"],
  },
  allowedClasses: { code: [/^language-[\w-]+$/] },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: { img: ["http", "https"] },
  allowedSchemesAppliedToAttributes: ["href", "src"],
  allowProtocolRelative: false,
  disallowedTagsMode: "escape",
  transformTags: {
    h1: shiftHeading("h3"),
    h2: shiftHeading("h4"),
    h3: shiftHeading("h5"),
    h4: shiftHeading("h6"),
    h5: shiftHeading("h6"),
    a: sanitizeHtml.simpleTransform("a", { rel: "noopener noreferrer nofollow" }),
  },
};

/**
 * Renders user-written markdown to HTML that is safe to insert into a page.
 * Called when text is saved; pages show the stored HTML and never render per request.
 */
export function renderMarkdown(source: string): string {
  const trimmed = source.trim();
  if (!trimmed) return "";
  const html = marked.parse(trimmed) as string;
  return sanitizeHtml(html, policy).trim();
}

/**
 * The first paragraph of Markdown as one line of plain text (links keep their words, images go),
 * cut to `maxLength`: for email summaries and titles drawn from longer text.
 */
export function firstParagraphText(source: string, maxLength = Infinity): string {
  const paragraph = source.trim().split(/\n\s*\n/)[0] ?? "";
  const plain = paragraph
    .replace(/!\[[^\]]*\]\([^)]*\)/g, "")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[*_`#>]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return plain.length > maxLength ? `${plain.slice(0, maxLength - 1)}…` : plain;
}
