// Messages for a Slack incoming webhook, in Block Kit: a header, a few sections, a button to the
// page. Everything a person wrote is escaped the way Slack asks (&, < and > as entities, so no
// text can become a link, a mention of @channel or a formatting control) and cut to Block Kit's
// lengths, which Slack otherwise answers with a 400 and no message at all.

export const SLACK_LIMITS = {
  /** A header block's plain text. */
  header: 150,
  /** A section's text. */
  section: 3000,
  /** The message's own text: the notification and what screen readers announce. */
  fallback: 3000,
  /** A button's label. */
  button: 75,
} as const;

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/** Text with Slack's three control characters as entities. */
export function escapeSlack(text: string): string {
  return text.replace(/[&<>]/g, (c) => ENTITIES[c]);
}

/**
 * Text escaped for Slack and at most `max` characters long once escaped, ending in "…" when
 * anything was cut. An entity is never cut in half, nor is a character outside the basic
 * plane (an emoji).
 */
export function slackText(text: string, max: number): string {
  const escaped = escapeSlack(text);
  if (escaped.length <= max) return escaped;
  let out = "";
  for (const char of text) {
    const piece = ENTITIES[char] ?? char;
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out}…`;
}

/** A line of text on one line: runs of spaces and line breaks become one space. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** A level of the chain of whys: the question asked and the answer found. */
export type ChainStep = { question: string; answer: string };

/** A why as the chain is chosen from: its parent and its place among its siblings. */
export type ChainRow = ChainStep & { id: number; parentId: number | null; position: number };

/**
 * The deepest path of the why tree, from the first why down: the chain in short. Of two equally
 * deep paths, the first in the tree's order. Built without recursion.
 */
export function deepestChain(rows: readonly ChainRow[]): ChainStep[] {
  const byParent = new Map<number | null, ChainRow[]>();
  for (const row of rows) byParent.set(row.parentId, [...(byParent.get(row.parentId) ?? []), row]);
  for (const siblings of byParent.values()) siblings.sort((a, b) => a.position - b.position || a.id - b.id);
  let best: ChainRow[] = [];
  const stack: ChainRow[][] = [...(byParent.get(null) ?? [])].reverse().map((row) => [row]);
  while (stack.length > 0) {
    const path = stack.pop()!;
    if (path.length > best.length) best = path;
    const children = byParent.get(path[path.length - 1].id) ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push([...path, children[i]]);
  }
  return best.map(({ question, answer }) => ({ question, answer }));
}

/** Levels of the chain shown: the first few and the deepest, which says the most. */
const CHAIN_HEAD = 3;
const CHAIN_TAIL = 2;
/** Characters of one question or answer in the chain. */
const CHAIN_STEP_CHARS = 140;

/**
 * The chain as mrkdwn lines, "1. Why …? → Because …": at most five levels (the first three and
 * the last two, with how many are left out between), each part cut short.
 */
export function chainLines(chain: readonly ChainStep[]): string[] {
  const line = (step: ChainStep, level: number) => {
    const question = slackText(oneLine(step.question), CHAIN_STEP_CHARS);
    const answer = step.answer.trim() ? slackText(oneLine(step.answer), CHAIN_STEP_CHARS) : "_not answered_";
    return `${level}. ${question} → ${answer}`;
  };
  if (chain.length <= CHAIN_HEAD + CHAIN_TAIL) return chain.map((step, i) => line(step, i + 1));
  const skipped = chain.length - CHAIN_HEAD - CHAIN_TAIL;
  return [
    ...chain.slice(0, CHAIN_HEAD).map((step, i) => line(step, i + 1)),
    `_… ${skipped} more ${skipped === 1 ? "level" : "levels"} …_`,
    ...chain.slice(-CHAIN_TAIL).map((step, i) => line(step, chain.length - CHAIN_TAIL + i + 1)),
  ];
}

/** A section of a message: mrkdwn already escaped (slackText), joined and kept within Block Kit's limit. */
export type SlackSection = string;

export type SlackMessageInput = {
  /** The header: plain text, escaped and cut here. */
  title: string;
  /** Sections in mrkdwn whose user text was escaped with slackText. */
  sections: SlackSection[];
  /** A small line of facts under the sections (severity, services), escaped here. */
  context?: string;
  link?: { url: string; label: string };
  /** The notification's text, plain, escaped and cut here. */
  fallback: string;
};

/** Cuts an assembled mrkdwn section to the limit without breaking an entity: it was escaped piece by piece. */
function withinSection(text: string): string {
  if (text.length <= SLACK_LIMITS.section) return text;
  const cut = text.slice(0, SLACK_LIMITS.section - 1);
  // An entity cut in half ("&am") is dropped whole.
  return `${cut.replace(/&[a-z]{0,3}$/, "")}…`;
}

/** The Block Kit message, as the JSON Slack's incoming webhook takes. */
export function slackMessage(input: SlackMessageInput) {
  const blocks: Record<string, unknown>[] = [{ type: "header", text: { type: "plain_text", text: slackText(oneLine(input.title), SLACK_LIMITS.header), emoji: true } }];
  for (const section of input.sections) {
    if (section.trim()) blocks.push({ type: "section", text: { type: "mrkdwn", text: withinSection(section) } });
  }
  if (input.context) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: slackText(oneLine(input.context), SLACK_LIMITS.section) }] });
  if (input.link) {
    blocks.push({
      type: "actions",
      elements: [{ type: "button", text: { type: "plain_text", text: slackText(input.link.label, SLACK_LIMITS.button), emoji: true }, url: input.link.url }],
    });
  }
  return { text: slackText(oneLine(input.fallback), SLACK_LIMITS.fallback), blocks };
}

/**
 * Markdown a person wrote (an incident's summary) as a short mrkdwn paragraph: escaped, its bold
 * marks as Slack's, links as their text and address, at most `max` characters.
 */
export function summaryMrkdwn(markdown: string, max: number): string {
  const plain = markdown
    .replace(/\r\n?/g, "\n")
    .replace(/^#{1,6}\s+/gm, "")
    .replace(/!?\[([^\]]*)\]\(([^)\s]+)[^)]*\)/g, "$1 ($2)")
    .replace(/\*\*(.+?)\*\*/g, "*$1*")
    .replace(/__(.+?)__/g, "*$1*")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return slackText(plain, max);
}
