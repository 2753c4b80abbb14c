import type { ChildNode, Element } from "domhandler";
import render from "dom-serializer";
import { parseDocument } from "htmlparser2";
import { beforeEach, describe, expect, it } from "vitest";
import { xml2js, type Element as XmlElement } from "xml-js";
import { addWhyTree, advanceTo, createIncident, createUser } from "../../db/factories";
import { sanitizeRendered } from "~/lib/markdown.server";
import * as atom from "~/routes/learnings[.]atom";
import * as learningsPage from "~/routes/learnings._index";
import { PAYLOADS } from "../xss-payloads";
import { freshDatabase, sessionCookie } from "./helpers";
import { renderPage, type RouteModule } from "./render";

// Feed readers render an entry's title, summary and content as HTML when the feed says
// type="html": all of it must be HTML the sanitizer wrote (or text escaped as text), with no
// remote image to load, however hostile what people typed.

beforeEach(async () => {
  await freshDatabase();
  process.env.APP_URL = "https://hindsight.example.com";
});

const PIXEL = "https://tracker.example/pixel.png";
const TITLE = `Queue <script>alert(1)</script> & <img src=x onerror=alert(1)> "backlog" ]]> <b>bold</b>`;
const SUMMARY_PAYLOADS = PAYLOADS.map(([, payload]) => payload.replace(/\n+/g, " ")).join(" ");

async function feedXml() {
  const admin = await createUser({ role: "admin", name: "Avery <b>Admin</b>" });
  const incident = await createIncident(admin, {
    title: TITLE,
    summaryMd: `The queue backed up ![pixel](${PIXEL}) ${SUMMARY_PAYLOADS}\n\nSecond paragraph ![x](${PIXEL}).`,
  });
  await addWhyTree(admin, incident.id, [{ question: "Why did the queue back up <script>alert(1)</script>?", answer: "Consumers <img src=x onerror=alert(1)> were too few.", noRemediationReason: "Scaled since." }]);
  await advanceTo(admin, incident.id, "published");
  const cookie = (await sessionCookie(admin.id));
  const response = (await atom.loader({ request: new Request("http://localhost/learnings.atom", { headers: { cookie } }), params: {}, context: {} } as never)) as Response;
  expect(response.status).toBe(200);
  return response.text();
}

function children(node: XmlElement, name: string): XmlElement[] {
  return (node.elements ?? []).filter((e) => e.type === "element" && e.name === name);
}

/** An element's text as XML holds it (text and CDATA), and its type attribute. */
function textOf(node: XmlElement): { type: string; text: string } {
  const text = (node.elements ?? []).map((e) => (e.type === "cdata" ? e.cdata : e.type === "text" ? e.text : "")).join("");
  return { type: String(node.attributes?.type ?? "text"), text: String(text) };
}

function elementsIn(html: string): Element[] {
  const found: Element[] = [];
  const walk = (nodes: ChildNode[]) =>
    nodes.forEach((n) => {
      if (n.type === "tag" || n.type === "script" || n.type === "style") {
        found.push(n as Element);
        walk((n as Element).children);
      }
    });
  walk(parseDocument(html).children);
  return found;
}

const ALLOWED = new Set(["p", "br", "hr", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "em", "strong", "del", "s", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "kbd", "sup", "sub"]);

/** A web or mail address, or a path on this site: nothing that runs, nor another site without a scheme. */
function safeUrl(value: string): boolean {
  const url = value.replace(/[\u0000-\u0020]/g, "");
  if (/^[/\\]{2}/.test(url)) return false;
  const scheme = /^([^/?#]*):/.exec(url)?.[1].toLowerCase();
  return scheme === undefined || ["http", "https", "mailto"].includes(scheme);
}

/** What in HTML a feed reader would render could run script, restyle, or load from elsewhere. */
function dangers(html: string): string[] {
  return elementsIn(html).flatMap((el) => [
    ...(ALLOWED.has(el.name) ? [] : [`<${el.name}>`]),
    ...Object.entries(el.attribs).flatMap(([name, value]) => [
      ...(name.startsWith("on") || name === "style" || name === "srcset" ? [`<${el.name} ${name}>`] : []),
      ...((name === "href" || name === "src") && !safeUrl(value) ? [`<${el.name} ${name}="${value}">`] : []),
      ...(el.name === "img" ? [`<img src="${el.attribs.src}">`] : []),
    ]),
  ]);
}

describe("the Atom feed", () => {
  it("carries titles as text, and only sanitized HTML without remote images in summaries and content", async () => {
    const doc = xml2js(await feedXml(), { compact: false }) as XmlElement;
    const [feed] = children(doc, "feed");
    const [entry] = children(feed, "entry");

    // The title a reader shows is the title as typed, with nothing in it read as markup.
    const title = textOf(children(entry, "title")[0]);
    const shown = title.type === "html" ? parseDocument(title.text) : null;
    if (shown) expect(elementsIn(title.text).map((e) => e.name)).toEqual([]);
    const display = shown ? shown.children.map((n) => ("data" in n ? n.data : "")).join("") : title.text;
    expect(display).toBe(`INC-1 (SEV2): ${TITLE}`);

    for (const name of ["summary", "content"]) {
      const part = textOf(children(entry, name)[0]);
      expect(part.type, name).toBe("html");
      expect(dangers(part.text), name).toEqual([]);
      expect(part.text, name).toContain("The queue backed up");
      expect(part.text, name).not.toContain(`src="${PIXEL}"`);
    }
    // The remote image is still there to follow, as a link.
    expect(textOf(children(entry, "content")[0]).text).toContain(`<a href="${PIXEL}"`);
  });
});

describe("the Atom feed's analysis", () => {
  // A branched tree: two answers to the second why, one of them asked again.
  const TREE = [
    {
      question: "Why did checkout fail?",
      answer: "The payment service timed out.",
      remediation: "Raise the payment timeout alarm.",
      noActionReason: "Done during the incident.",
      children: [
        {
          question: "Why did it time out?",
          answer: "Its database connection pool was exhausted.",
          remediation: "Cap the pool per report job.",
          noActionReason: "Tracked elsewhere.",
          children: [{ question: "Why was it exhausted?", answer: "Report queries held connections for minutes.", noRemediationReason: "Covered above." }],
        },
        { question: "Why did retries not help?", answer: "Retries had no backoff.", remediation: "Add jittered backoff to the client.", noActionReason: "Shipped." },
      ],
    },
  ];

  async function publishedFeed() {
    const admin = await createUser({ role: "admin" });
    const incident = await createIncident(admin, { title: "Checkout failed", summaryMd: "Checkout failed for 20 minutes." });
    await addWhyTree(admin, incident.id, TREE);
    await advanceTo(admin, incident.id, "published");
    const cookie = await sessionCookie(admin.id);
    const response = (await atom.loader({ request: new Request("http://localhost/learnings.atom", { headers: { cookie } }), params: {}, context: {} } as never)) as Response;
    const [entry] = children(children(xml2js(await response.text(), { compact: false }) as XmlElement, "feed")[0], "entry");
    return { admin, content: textOf(children(entry, "content")[0]).text };
  }

  /** Each list item of a chain as "level: own text", indented by nesting. */
  function outline(html: string): string[] {
    const lines: string[] = [];
    const walk = (nodes: ChildNode[], depth: number) =>
      nodes.forEach((n) => {
        if (n.type !== "tag") return;
        const el = n as Element;
        if (el.name === "li") {
          const own = el.children.filter((c) => c.type === "text").map((c) => ("data" in c ? c.data : "")).join("").trim();
          lines.push(`${"  ".repeat(depth)}${el.attribs.value}: ${own}`);
          walk(el.children, depth + 1);
        } else walk(el.children, depth);
      });
    walk(parseDocument(html).children, 0);
    return lines;
  }

  it("nests branches, numbers each why once by its level, and says what we change", async () => {
    const { content } = await publishedFeed();
    const doc = parseDocument(content);
    const chain = elementsIn(content).find((e) => e.name === "ol")!;
    expect(outline(render(chain))).toEqual([
      "1: The payment service timed out.",
      "  2: Its database connection pool was exhausted.",
      "    3: Report queries held connections for minutes.",
      "  2: Retries had no backoff.",
    ]);
    // No level written into the text as well as by the list ("1. 1. The payment…").
    expect(content).not.toMatch(/<li[^>]*>\s*\d/);
    const headings = elementsIn(content).filter((e) => /^h[1-6]$/.test(e.name)).map((e) => textIn(e));
    expect(headings).toEqual(["Why", "What we change"]);
    const fixes = elementsIn(content).filter((e) => e.name === "ul").at(-1)!;
    expect(textIn(fixes)).toBe("Level 1Raise the payment timeout alarm.Level 2Cap the pool per report job.Level 2Add jittered backoff to the client.");
    expect(dangers(content)).toEqual([]);
    expect(doc.children.length).toBeGreaterThan(0);
  });

  it("is the chain the learnings card shows, from the same component", async () => {
    const { admin, content } = await publishedFeed();
    const page = await renderPage(admin.id, "/learnings", [{ pattern: "/learnings", module: learningsPage as unknown as RouteModule }]);
    const card = elementsIn(page.html).find((e) => e.name === "ol" && e.attribs.class === "glance")!;
    const feedChain = elementsIn(content).find((e) => e.name === "ol")!;
    expect(outline(render(feedChain))).toEqual(outline(render(card)));
    expect(render(feedChain)).toBe(sanitizeRendered(render(card)));
  });
});

function textIn(node: Element): string {
  return node.children.map((c) => (c.type === "text" ? (c as unknown as { data: string }).data : c.type === "tag" ? textIn(c as Element) : "")).join("");
}
