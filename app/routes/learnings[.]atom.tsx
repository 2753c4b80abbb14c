import { type LoaderFunctionArgs } from "@remix-run/node";
import { Feed } from "feed";
import { renderToStaticMarkup } from "react-dom/server";
import { ChainGlance, Remediations } from "~/components/learning";
import { env } from "~/lib/env.server";
import { sanitizeRendered, textAsHtml } from "~/lib/markdown.server";
import { getUser } from "~/lib/session.server";
import { glanceWhys, type LearningContent } from "~/models/learning.server";
import { latestLearnings, userForFeedToken } from "~/models/publication.server";

const ENTRIES = 50;

/**
 * The published analyses as an Atom feed, for feed readers inside the company: served to a
 * signed-in browser, or to anyone holding a person's private feed token (?token=…).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const reader = (await getUser(request)) ?? await userForFeedToken(url.searchParams.get("token") ?? "");
  if (!reader) {
    return new Response("Sign in, or use the feed link with your token from the Learnings page.", {
      status: 401,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const base = env().APP_URL;
  const items = await latestLearnings(ENTRIES);
  const feed = new Feed({
    id: `${base}/learnings`,
    title: "Hindsight: learnings",
    description: "Published post-mortems: what happened, why, and what we change.",
    link: `${base}/learnings`,
    copyright: "",
    updated: items[0] ? new Date(items[0].publishedAt) : new Date(0),
    generator: "Hindsight",
    feedLinks: { atom: `${base}/learnings.atom` },
  });
  for (const item of items) {
    const c = item.content;
    // The feed package marks titles, summaries and content as HTML: text goes in escaped, and
    // HTML only as the sanitizer writes it today.
    feed.addItem({
      id: `${base}/learnings/${item.reference}`,
      link: `${base}/learnings/${item.reference}`,
      title: textAsHtml(`${item.reference} (${item.severity}): ${item.title}`),
      date: new Date(item.publishedAt),
      published: new Date(item.firstPublishedAt),
      author: [{ name: c.facilitator }],
      description: textAsHtml(c.summaryText.slice(0, 500)),
      content: sanitizeRendered(`${c.summaryHtml}${renderToStaticMarkup(<Analysis content={c} />)}`),
      category: c.categories.map((name) => ({ name })),
    });
  }
  return new Response(withoutXmlForbidden(feed.atom1()), {
    headers: { "Content-Type": "application/atom+xml; charset=utf-8", "Cache-Control": "private, no-store" },
  });
}

/** The whys and what we change at each level, as the learnings card shows them. */
function Analysis({ content }: { content: LearningContent }) {
  return (
    <>
      <h3>Why</h3>
      <ChainGlance whys={glanceWhys(content.whys)} />
      {content.remediations.length > 0 ? (
        <>
          <h3>What we change</h3>
          <Remediations remediations={content.remediations} />
        </>
      ) : null}
    </>
  );
}

/** XML 1.0 cannot hold most control characters, even escaped; one typed into a why would break the feed for every reader. */
function withoutXmlForbidden(xml: string): string {
  return xml.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "");
}
