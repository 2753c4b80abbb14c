import { describe, expect, it } from "vitest";
import { boundedForParsing, NESTING_PER_LINE, renderMarkdown } from "~/lib/markdown.server";
import { PAYLOADS } from "../xss-payloads";

// ---------------------------------------------------------------------------
// A small checker for rendered HTML. It looks only at real tags (`<name ...>`),
// so text the sanitizer escaped (`&lt;script&gt;`) is correctly ignored.
// ---------------------------------------------------------------------------

interface Tag {
  name: string;
  closing: boolean;
  attrs: { name: string; value: string }[];
}

// Quoted attribute values may contain `>`, so they are consumed as a whole.
const TAG_RE = /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:"[^"]*"|'[^']*'|[^'">])*)>/g;
const ATTR_RE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;

function parseTags(html: string): Tag[] {
  return [...html.matchAll(TAG_RE)].map(([, slash, name, rest]) => ({
    name: name.toLowerCase(),
    closing: slash === "/",
    attrs: [...rest.matchAll(ATTR_RE)].map(([, attr, dq, sq, bare]) => ({
      name: attr.toLowerCase(),
      value: dq ?? sq ?? bare ?? "",
    })),
  }));
}

// Numeric references plus the named ones that can spell a scheme. Anything left
// undecoded stays literal, which only makes `schemeOf` stricter.
const NAMED: Record<string, string> = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", colon: ":", tab: "\t", newline: "\n",
  sol: "/", nbsp: "\u00a0",
};

function decodeEntities(value: string): string {
  return value.replace(/&(?:#(\d+)|#x([0-9a-f]+)|([a-z]+));?/gi, (whole, dec, hex, named) => {
    if (dec || hex) {
      const code = parseInt(dec ?? hex, dec ? 10 : 16);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "\ufffd";
    }
    return NAMED[named.toLowerCase()] ?? whole;
  });
}

/**
 * The scheme a browser could see in a URL attribute, or null for a relative URL.
 * Deliberately stricter than a browser: anything before the first `:` that is not
 * preceded by `/`, `?` or `#` counts as a scheme.
 */
function schemeOf(raw: string): string | null {
  const cleaned = decodeEntities(raw).replace(/[\s\x00-\x1f\x7f]+/g, "").toLowerCase();
  const match = /^([^/?#]*):/.exec(cleaned);
  return match ? match[1] : null;
}

// Images too: one from another server tells it who read the page (a tracking pixel), so the
// sanitizer turns every image into a link to it.
const FORBIDDEN_ELEMENTS = new Set([
  "img", "script", "iframe", "frame", "frameset", "object", "embed", "applet", "style", "link", "meta",
  "base", "form", "input", "button", "textarea", "select", "svg", "math", "template", "noscript",
  "xmp", "noembed", "noframes", "plaintext", "title", "body", "html", "head",
]);
const FORBIDDEN_ATTRIBUTES = new Set(["style", "srcdoc", "formaction"]);
const URL_ATTRIBUTES = new Set([
  "href", "src", "xlink:href", "action", "formaction", "data", "poster", "background", "srcset",
  "cite", "codebase", "dynsrc", "lowsrc",
]);
const SAFE_SCHEMES = new Set(["http", "https", "mailto"]);

/** Every way `html` breaks the safety contract; empty means safe. */
function findProblems(html: string): string[] {
  const problems: string[] = [];
  for (const tag of parseTags(html)) {
    if (FORBIDDEN_ELEMENTS.has(tag.name)) problems.push(`<${tag.closing ? "/" : ""}${tag.name}> element`);
    for (const { name, value } of tag.attrs) {
      const where = `<${tag.name} ${name}="${value}">`;
      if (name.startsWith("on")) problems.push(`event handler ${where}`);
      if (FORBIDDEN_ATTRIBUTES.has(name)) problems.push(`${name} attribute ${where}`);
      if (!URL_ATTRIBUTES.has(name)) continue;
      const scheme = schemeOf(value);
      if (scheme !== null && !SAFE_SCHEMES.has(scheme)) problems.push(`${scheme}: URL ${where}`);
      if (tag.name === "img" && scheme === "mailto") problems.push(`mailto: image ${where}`);
      // The policy sets allowProtocolRelative: false; browsers read `\` as `/` here.
      if (/^[/\\]{2}/.test(decodeEntities(value).replace(/[\s\x00-\x1f\x7f]+/g, ""))) {
        problems.push(`protocol-relative URL ${where}`);
      }
    }
  }
  return problems;
}

describe("findProblems (the checker itself)", () => {
  it.each([
    ["event handler", `<img src=x onerror=alert(1)>`],
    ["script element", `<script>alert(1)</script>`],
    ["uppercase element", `<SVG ONLOAD=alert(1)>`],
    ["style attribute", `<p style="color:red">x</p>`],
    ["srcdoc attribute", `<p srcdoc="x">x</p>`],
    ["javascript: href", `<a href="javascript:alert(1)">x</a>`],
    ["entity-encoded href", `<a href="&#106;avascript&colon;alert(1)">x</a>`],
    ["hex entity and tab", `<a href="java&#x09;script:alert(1)">x</a>`],
    ["unpadded decimal entities", `<a href="&#0000106&#0000097vascript:alert(1)">x</a>`],
    ["leading control chars", `<a href=" \u0001JaVaScRiPt:alert(1)">x</a>`],
    ["unknown entity hiding a scheme", `<a href="java&bogus;script:alert(1)">x</a>`],
    ["data: src", `<img src='data:image/svg+xml;base64,AAAA'>`],
    ["vbscript: href, unquoted", `<a href=vbscript:msgbox(1)>x</a>`],
    ["protocol-relative", `<a href="//evil.example">x</a>`],
    ["backslash protocol-relative", `<a href="/\\evil.example">x</a>`],
    ["mailto: image", `<img src="mailto:a@b.example">`],
    ["quoted > before handler", `<a title="a>b" onclick="x">y</a>`],
  ])("flags %s", (_name, html) => {
    expect(findProblems(html)).not.toEqual([]);
  });

  it.each([
    ["escaped tags", `<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;</p>`],
    ["https link", `<a href="https://ok.example/a?b=1&amp;c=2" rel="noopener">x</a>`],
    ["relative and fragment links", `<a href="/incidents/1">x</a><a href="#why-2">y</a>`],
    ["mailto link", `<a href="mailto:a@b.example">x</a>`],
    ["handler-like text in a title", `<a href="https://ok.example" title="onclick=&quot;x&quot;">x</a>`],
  ])("accepts %s", (_name, html) => {
    expect(findProblems(html)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Ordinary markdown keeps working.
// ---------------------------------------------------------------------------

describe("renderMarkdown: ordinary markdown", () => {
  it("returns an empty string for blank input", () => {
    expect(renderMarkdown("")).toBe("");
    expect(renderMarkdown("  \n\t ")).toBe("");
  });

  it("renders bold and emphasis", () => {
    expect(renderMarkdown("**bold** and _emphasis_ and *also*")).toBe(
      "<p><strong>bold</strong> and <em>emphasis</em> and <em>also</em></p>",
    );
  });

  it.each([
    ["https", "https://example.com/a?b=1"],
    ["http", "http://example.com/"],
    ["mailto", "mailto:oncall@example.com"],
  ])("keeps %s links and adds rel", (_scheme, url) => {
    const [a] = parseTags(renderMarkdown(`see [the link](${url})`)).filter((t) => t.name === "a");
    const attrs = Object.fromEntries(a.attrs.map((x) => [x.name, decodeEntities(x.value)]));
    expect(attrs.href).toBe(url);
    expect(attrs.rel).toBe("noopener noreferrer nofollow");
  });

  it("overrides a rel the author wrote", () => {
    expect(renderMarkdown(`<a href="https://example.com" rel="opener">x</a>`)).toContain(
      'rel="noopener noreferrer nofollow"',
    );
  });

  it("renders lists", () => {
    expect(renderMarkdown("- one\n- two\n\n3. three\n4. four")).toBe(
      '<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>',
    );
  });

  it("renders fenced code with a language class and escapes its content", () => {
    expect(renderMarkdown("```ts\nconst a = <T>(x: T) => x;\n```")).toBe(
      '<pre><code class="language-ts">const a = &lt;T&gt;(x: T) =&gt; x;\n</code></pre>',
    );
  });

  it("renders tables with alignment", () => {
    const html = renderMarkdown("| a | b |\n|:--|--:|\n| 1 | 2 |");
    expect(html).toContain("<table>");
    expect(html).toContain('<th align="left">a</th>');
    expect(html).toContain('<td align="right">2</td>');
  });

  it("shifts headings down so they sit below the page's h1/h2", () => {
    expect(renderMarkdown("# One\n## Two\n### Three\n#### Four\n##### Five\n###### Six")).toBe(
      "<h3>One</h3>\n<h4>Two</h4>\n<h5>Three</h5>\n<h6>Four</h6>\n<h6>Five</h6>\n<h6>Six</h6>",
    );
  });

  it("turns single newlines into line breaks", () => {
    expect(renderMarkdown("first\nsecond")).toBe("<p>first<br />second</p>");
  });

  it("turns an image into a link to it, so nothing loads from another server", () => {
    expect(renderMarkdown("![graph](https://img.example.com/p99.png)")).toBe(
      '<p><a href="https://img.example.com/p99.png" rel="noopener noreferrer nofollow">Image: graph</a></p>',
    );
    expect(renderMarkdown("![](https://tracker.example/pixel.png)")).toBe(
      '<p><a href="https://tracker.example/pixel.png" rel="noopener noreferrer nofollow">Image</a></p>',
    );
  });

  it("shows disallowed markup as text rather than dropping it", () => {
    expect(renderMarkdown("a <script>alert(1)</script> b")).toBe(
      "<p>a &lt;script&gt;alert(1)&lt;/script&gt; b</p>",
    );
  });
});

// ---------------------------------------------------------------------------
// XSS payloads (tests/xss-payloads.ts). Each must come out with nothing executable in it.
// ---------------------------------------------------------------------------

describe("renderMarkdown: XSS payloads", () => {
  it("has a substantial payload list", () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(PAYLOADS.map(([name]) => name)).size).toBe(PAYLOADS.length);
  });

  it.each(PAYLOADS)("neutralises %s", (_name, payload) => {
    const html = renderMarkdown(payload);
    expect(findProblems(html), html).toEqual([]);
  });
});

describe("text that once made rendering slow or crash", () => {
  it("shows a paragraph dense with emphasis marks as typed, so its cost stays linear", () => {
    const dense = "*a_".repeat(17_000);
    const html = renderMarkdown(`Some **bold** words.\n\n${dense}`);
    expect(html.startsWith("<p>Some <strong>bold</strong> words.</p>")).toBe(true);
    expect(html.includes("<em>")).toBe(false);
    expect(html.includes("*a_*a_*a_")).toBe(true);
  });

  it("shortens a long run of spaces, which HTML shows as one anyway, before parsing", () => {
    expect(renderMarkdown(`a${" ".repeat(50_000)}b`)).toBe(`<p>a${" ".repeat(64)}b</p>`);
    // Indentation and code alignment keep their spaces.
    expect(boundedForParsing("    indented code\n\n- a\n    - nested")).toBe("    indented code\n\n- a\n    - nested");
    expect(renderMarkdown("```\nx       = 1\n```")).toContain("x       = 1");
  });

  it("shows a paragraph dense with “!” as typed: escaped before parsing, images kept", () => {
    const dense = "!a".repeat(20_000);
    expect(boundedForParsing(dense)).toBe("\\!a".repeat(20_000));
    expect(renderMarkdown(dense)).toBe(`<p>${dense}</p>`);
    // A few are prose, and an image's "![" is never escaped.
    expect(boundedForParsing("Done! Finally! ![graph](https://example.com/g.png)")).toBe("Done! Finally! ![graph](https://example.com/g.png)");
  });

  it("nests quotes and lists at most NESTING_PER_LINE deep on a line; past it the marks are the text", () => {
    for (const unit of ["> ", "- > ", "1. "]) {
      const html = renderMarkdown(unit.repeat(12_000) + "end");
      const opened = (html.match(/<(blockquote|ul|ol)>/g) ?? []).length;
      expect(opened, unit).toBe(NESTING_PER_LINE);
      // The rest of the line is kept, shown as typed.
      expect(html, unit).toContain("end");
      expect(html.length, unit).toBeGreaterThan(12_000);
    }
    expect(boundedForParsing("> ".repeat(NESTING_PER_LINE + 2) + "x")).toBe(`${"> ".repeat(NESTING_PER_LINE)}\\> > x`);
    expect(boundedForParsing("1. ".repeat(NESTING_PER_LINE + 1))).toBe(`${"1. ".repeat(NESTING_PER_LINE)}1\\. `);
    // Ordinary nesting is untouched.
    const ordinary = "- a\n  - b\n    > c\n\n> > quoted twice\n\n1. one\n2. two";
    expect(boundedForParsing(ordinary)).toBe(ordinary);
  });
});
