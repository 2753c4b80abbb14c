import { describe, expect, it } from "vitest";
import { renderMarkdown } from "~/lib/markdown.server";

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

const FORBIDDEN_ELEMENTS = new Set([
  "script", "iframe", "frame", "frameset", "object", "embed", "applet", "style", "link", "meta",
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

  it("keeps an https image", () => {
    expect(renderMarkdown("![graph](https://img.example.com/p99.png)")).toBe(
      '<p><img src="https://img.example.com/p99.png" alt="graph" /></p>',
    );
  });

  it("shows disallowed markup as text rather than dropping it", () => {
    expect(renderMarkdown("a <script>alert(1)</script> b")).toBe(
      "<p>a &lt;script&gt;alert(1)&lt;/script&gt; b</p>",
    );
  });
});

// ---------------------------------------------------------------------------
// XSS payloads. Each must come out with nothing executable in it.
// ---------------------------------------------------------------------------

const B64_SCRIPT = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="; // <script>alert(1)</script>
const B64_SVG = "PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"; // <svg onload=alert(1)>

const PAYLOADS: [name: string, payload: string][] = [
  // <script>, in many casings and splits
  ["script tag", `<script>alert(1)</script>`],
  ["SCRIPT uppercase", `<SCRIPT>alert(1)</SCRIPT>`],
  ["ScRiPt mixed case", `<ScRiPt>alert(1)</sCrIpT>`],
  ["script with external src", `<script src="https://evil.example/x.js"></script>`],
  ["script split by nested script", `<scr<script>ipt>alert(1)</scr</script>ipt>`],
  ["double-bracket script", `<<script>script>alert(1)<</script>/script>`],
  ["script with newline before >", `<script\n>alert(1)</script\n>`],
  ["script with slash attribute", `<script/xss src="https://evil.example/x.js"></script>`],
  ["unclosed script", `<script>alert(1)`],
  ["script with NUL in name", `<scr\u0000ipt>alert(1)</scr\u0000ipt>`],
  ["script after closing a paragraph", `text</p><script>alert(1)</script><p>more`],
  ["script inside a markdown list item", `- item <script>alert(1)</script>`],

  // images and event handlers
  ["img onerror", `<img src=x onerror=alert(1)>`],
  ["IMG ONERROR uppercase", `<IMG SRC=x ONERROR=alert(1)>`],
  ["img unclosed tag", `<img src=x onerror=alert(1)//`],
  ["img quoted self-closing onerror", `<img src="x" onerror="alert(1)" />`],
  ["img slashes as separators", `<img/src=x/onerror=alert(1)>`],
  ["img javascript: src", `<img src="javascript:alert(1)">`],
  ["img eval(src) trick", `<img src=x:alert(alt) onerror=eval(src) alt=0>`],
  ["img entity-encoded handler body", `<img src=x onerror="&#97;lert(1)">`],
  ["img srcset javascript:", `<img src="https://ok.example/a.png" srcset="javascript:alert(1) 1x">`],
  ["img dynsrc/lowsrc", `<img dynsrc="javascript:alert(1)" lowsrc="javascript:alert(1)">`],
  ["backtick attribute breakout", "<img src=\"x` `<script>alert(1)</script>\"` `>"],
  ["backtick-quoted handler", "<img src=`x` onerror=`alert(1)`>"],
  ["empty-quote attribute breakout", `<img """><script>alert(1)</script>">`],
  ["title quote breakout", `<a href="x" title='"><script>alert(1)</script>'>t</a>`],
  ["ol start attribute breakout", `<ol start="1 onclick=alert(1)"><li>x</li></ol>`],
  ["th align entity-quote breakout", `<table><tr><th align="left&quot; onclick=&quot;alert(1)">x</th></tr></table>`],

  // svg and math
  ["svg onload", `<svg onload=alert(1)>`],
  ["svg/onload with slash", `<svg/onload=alert(1)>`],
  ["svg with script", `<svg><script>alert(1)</script></svg>`],
  ["svg xlink:href javascript:", `<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>`],
  ["svg animate onbegin", `<svg><animate onbegin=alert(1) attributeName=x dur=1s>`],
  ["svg use data: href", `<svg><use href="data:image/svg+xml;base64,${B64_SVG}#x"/></svg>`],
  ["math href javascript:", `<math href="javascript:alert(1)">click</math>`],
  ["math maction xlink:href", `<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>`],
  ["a with xlink:href", `<a href="https://ok.example" xlink:href="javascript:alert(1)">x</a>`],

  // embedding and forms
  ["iframe javascript: src", `<iframe src="javascript:alert(1)"></iframe>`],
  ["iframe srcdoc", `<iframe srcdoc="<script>alert(1)</script>"></iframe>`],
  ["srcdoc on an allowed tag", `<p srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;">x</p>`],
  ["object data", `<object data="javascript:alert(1)"></object>`],
  ["embed data: src", `<embed src="data:text/html;base64,${B64_SCRIPT}">`],
  ["form action javascript:", `<form action="javascript:alert(1)"><button>go</button></form>`],
  ["button formaction", `<form><button formaction="javascript:alert(1)">go</button></form>`],
  ["formaction on an allowed tag", `<a href="https://ok.example" formaction="javascript:alert(1)">x</a>`],
  ["input autofocus onfocus", `<input autofocus onfocus=alert(1)>`],

  // raw <a href>, all the ways to spell javascript:
  ["a javascript:", `<a href="javascript:alert(1)">x</a>`],
  ["a JaVaScRiPt: mixed case", `<a href="JaVaScRiPt:alert(1)">x</a>`],
  ["a &#106;avascript:", `<a href="&#106;avascript:alert(1)">x</a>`],
  ["a fully hex-encoded", `<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>`],
  ["a padded decimal entities without semicolons", `<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>`],
  ["a java&#x09;script:", `<a href="java&#x09;script:alert(1)">x</a>`],
  ["a java&#x0A;script:", `<a href="java&#x0A;script:alert(1)">x</a>`],
  ["a jav&Tab;ascript:", `<a href="jav&Tab;ascript:alert(1)">x</a>`],
  ["a javascript&colon;", `<a href="javascript&colon;alert(1)">x</a>`],
  ["a literal tab inside scheme", `<a href="java\tscript:alert(1)">x</a>`],
  ["a literal newline inside scheme", `<a href="java\nscript:alert(1)">x</a>`],
  ["a leading space and control chars", `<a href=" \u0001\u0008javascript:alert(1)">x</a>`],
  ["a comment inside scheme", `<a href="java<!-- -->script:alert(1)">x</a>`],
  ["a unquoted javascript:", `<a href=javascript:alert(1)>x</a>`],
  ["a single-quoted javascript:", `<a href='javascript:alert(1)'>x</a>`],
  ["a backtick-quoted javascript:", "<a href=`javascript:alert(1)`>x</a>"],
  ["a vbscript:", `<a href="vbscript:msgbox(1)">x</a>`],
  ["a data:text/html", `<a href="data:text/html;base64,${B64_SCRIPT}">x</a>`],
  ["a onclick on a safe link", `<a href="https://ok.example" onclick="alert(1)">x</a>`],
  ["a protocol-relative", `<a href="//evil.example">x</a>`],
  ["a backslash protocol-relative", `<a href="/\\evil.example">x</a>`],
  ["a tab-split protocol-relative", `<a href="/\t/evil.example">x</a>`],

  // markdown links and images
  ["md link javascript:", `[x](javascript:alert(1))`],
  ["md link JaVaScRiPt:", `[x](JaVaScRiPt:alert(1))`],
  ["md link angle-bracketed javascript:", `[x](<javascript:alert(1)>)`],
  ["md link entity-encoded colon", `[x](javascript&#58;alert(1))`],
  ["md link &#106;avascript:", `[x](&#106;avascript:alert(1))`],
  ["md link data:text/html", `[x](data:text/html;base64,${B64_SCRIPT})`],
  ["md link vbscript:", `[x](vbscript:msgbox(1))`],
  ["md link protocol-relative", `[x](//evil.example)`],
  ["md link title breakout", `[x](https://ok.example "\\" onmouseover=\\"alert(1)")`],
  ["md reference link javascript:", `[x][r]\n\n[r]: javascript:alert(1)`],
  ["md shortcut reference JAVASCRIPT: with title", `[r]\n\n[r]: JAVASCRIPT:alert(1) "t"`],
  ["md autolink javascript:", `<javascript:alert(1)>`],
  ["md image javascript:", `![x](javascript:alert(1))`],
  ["md image data:image/svg+xml", `![x](data:image/svg+xml,<svg onload=alert(1)>)`],
  ["md image data:image/svg+xml;base64", `![x](data:image/svg+xml;base64,${B64_SVG})`],
  ["md image mailto:", `![x](mailto:a@b.example)`],
  ["md image protocol-relative", `![x](//evil.example/a.png)`],
  ["md image title breakout", `![x](https://ok.example/a.png "\\" onerror=\\"alert(1)")`],
  ["md link followed by raw img", `[x](https://ok.example)<img src=x onerror=alert(1)>`],
  ["md code span does not hide raw html", "`code` <img src=x onerror=alert(1)> `more`"],

  // CSS
  ["style tag", `<style>body{background:url(javascript:alert(1))}</style>`],
  ["STYLE @import", `<STYLE>@import 'https://evil.example/x.css';</STYLE>`],
  ["style attribute url(javascript:)", `<p style="background:url(javascript:alert(1))">x</p>`],
  ["div style expression()", `<div style="width: expression(alert(1))">x</div>`],
  ["style on an allowed inline tag", `<strong style="position:fixed;inset:0">x</strong>`],
  ["link stylesheet", `<link rel=stylesheet href="https://evil.example/x.css">`],

  // page-level tags
  ["meta refresh", `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`],
  ["base href javascript:", `<base href="javascript:alert(1)//">`],
  ["base href elsewhere", `<base href="https://evil.example/">`],
  ["body onload", `<body onload=alert(1)>`],

  // mutation XSS: content that re-parses differently in raw-text or foreign contexts
  ["math/mglyph/style mXSS", `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`],
  ["form/math namespace confusion", `<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>`],
  ["svg/style mXSS", `<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">`],
  ["noscript title breakout", `<noscript><p title="</noscript><img src=x onerror=alert(1)>">`],
  ["xmp title breakout", `<xmp><p title="</xmp><img src=x onerror=alert(1)>">`],
  ["textarea title breakout", `<textarea><img title="</textarea><img src=x onerror=alert(1)>">`],
  ["title element breakout", `<title><img title="</title><img src=x onerror=alert(1)>">`],
  ["noembed breakout", `<noembed><img title="</noembed><img src=x onerror=alert(1)>">`],
  ["template content", `<template><img src=x onerror=alert(1)></template>`],

  // other event handlers
  ["details open ontoggle", `<details open ontoggle=alert(1)>`],
  ["video source onerror", `<video><source onerror=alert(1)></video>`],
  ["marquee onstart", `<marquee onstart=alert(1)>x</marquee>`],
  ["p onmouseover", `<p onmouseover="alert(1)">x</p>`],
  ["strong onclick on an allowed tag", `<strong onclick=alert(1)>x</strong>`],
  ["td onclick in an allowed table", `<table><tr><td onclick=alert(1)>x</td></tr></table>`],
  ["code with allowed class and a handler", `<code class="language-js" onclick=alert(1)>x</code>`],
  ["handler with odd whitespace before =", `<img src=x onerror\t=\nalert(1)>`],

  // comments hiding markup
  ["comment then script", `<!-- --><script>alert(1)</script>`],
  ["comment inside attribute", `<!--<img src="--><img src=x onerror=alert(1)//">`],
  ["script split across comments", `<!-- <script> -->alert(1)<!-- </script> -->`],
  ["IE conditional comment", `<!--[if gte IE 4]><script>alert(1)</script><![endif]-->`],
  ["CDATA section", `<![CDATA[<script>alert(1)</script>]]>`],
  ["unterminated comment", `<!-- <img src=x onerror=alert(1)>`],
];

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
