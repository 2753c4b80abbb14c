import { allows, type IncidentPeople, type Viewer } from "./authorization";
import { termsOf } from "./relevance";

// A live session: the 5 Whys meeting held in Hindsight. The facilitator drives it through its
// phases; in a round everyone types candidate answers privately, the facilitator reveals them,
// people vote, and the facilitator accepts one or several into the tree. Pure, so the page shows
// what the server would allow; the rules are enforced in live-session.server.ts.

export const PHASES = ["timeline", "whys", "remediations", "actions", "wrapup"] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_LABELS: Record<Phase, string> = {
  timeline: "What happened",
  whys: "Why",
  remediations: "Remediations",
  actions: "Actions",
  wrapup: "Wrap-up",
};

/** What each phase asks of the room, as every screen shows it. */
export const PHASE_HINTS: Record<Phase, string> = {
  timeline: "Everyone adds what they saw, when they saw it. The order of events comes before any why.",
  whys: "The facilitator asks why at one answer. Everyone writes candidate answers privately; they are revealed together, voted on, and the facilitator accepts one, or several as contributing causes.",
  remediations: "For each level, propose what would stop this cause from letting a failure through, proportional to the problem. The facilitator chooses one per level.",
  actions: "Turn each remediation into a follow-up action with an owner and a due date. Claim one, or assign it.",
  wrapup: "Write the summary, look at what changed, and send the analysis for review.",
};

export type RoundKind = "why" | "remediation";
export type RoundState = "drafting" | "revealed" | "closed";

/** The limits of a session: what one member can make more of. */
export const SESSION_LIMITS = {
  /** Candidates in one round, from everyone together. */
  candidatesPerRound: 60,
  /** Candidates one person writes in one round (counted apart from the candidates, never linked to them). */
  draftsPerPerson: 5,
  /** Sessions of one incident, over its life. */
  sessionsPerIncident: 100,
  /** Rounds in one session. */
  roundsPerSession: 300,
  /** Votes each person has in a round. */
  votesPerPerson: 3,
  /** The longest timer, in minutes. */
  timerMinutes: 60,
  /** The window over which one person's changes to live sessions are counted (SESSION_WRITES_PER_10S). */
  writesWindowSeconds: 10,
  /** Candidate tokens one browser keeps (its drafts in open rounds). */
  tokensPerBrowser: 30,
} as const;

/** A session with no activity for this long ends by itself (and says so in the history). */
export const IDLE_MINUTES = 90;

/** The timers the facilitator starts with one click, in minutes. */
export const TIMER_CHOICES = [1, 2, 3, 5, 10] as const;

export type SessionPeople = { facilitatorId: number };

/**
 * Who drives the session: its facilitator (handed on from the incident's, or to someone else), and
 * those who lead the incident itself (its facilitator and admins), who can always take it back.
 * The session's facilitator drives only while they may build the analysis: someone taken off an
 * org-wide incident still sees it, and must not keep changing it (or make themselves a
 * participant again) through the session.
 */
export function canLeadSession(person: Viewer, incident: IncidentPeople, session: SessionPeople): boolean {
  return (session.facilitatorId === person.id && allows("contribute", person, incident)) || allows("manage", person, incident);
}

/**
 * What candidates that say the same thing have in common: their words that may tell a cause,
 * stemmed, in order (relevance.ts); "The lock had no timeout." and "the lock has no timeout"
 * group together. Text with no such word keeps its own lower-cased form.
 */
export function groupKeyOf(text: string): string {
  const stems = termsOf(text).map((term) => term.stem);
  if (stems.length > 0) return stems.join(" ").slice(0, 500);
  return text.toLowerCase().replace(/\s+/g, " ").trim().slice(0, 500);
}

/** Someone in the session, as everyone sees them. */
export type MemberView = { id: number; name: string; present: boolean; ready: boolean; contributes: boolean; leads: boolean };

/** The round in progress as one person sees it. */
export type RoundView = {
  id: number;
  kind: RoundKind;
  whyId: number | null;
  question: string;
  state: RoundState;
  /** How many candidates are written: the only thing anyone else learns before the reveal. */
  drafts: number;
  /** After the reveal: every candidate, with its author's name unless the session is anonymous. */
  candidates: { id: number; body: string; groupKey: string; authorName: string | null }[];
  votes: Record<string, number>;
  myVotes: string[];
};

export type CandidateRead = { id: number; body: string; groupKey: string; authorName: string | null };
export type CandidateGroup = { key: string; body: string; candidates: CandidateRead[]; votes: number; mine: boolean };

/** Revealed candidates grouped where they say the same thing, most votes first, then first written. */
export function groupCandidates(candidates: readonly CandidateRead[], votes: ReadonlyMap<string, number>, myVotes: ReadonlySet<string>): CandidateGroup[] {
  const groups = new Map<string, CandidateGroup>();
  for (const candidate of candidates) {
    let group = groups.get(candidate.groupKey);
    if (!group) {
      group = { key: candidate.groupKey, body: candidate.body, candidates: [], votes: votes.get(candidate.groupKey) ?? 0, mine: myVotes.has(candidate.groupKey) };
      groups.set(candidate.groupKey, group);
    }
    group.candidates.push(candidate);
  }
  const order = [...groups.values()];
  return order.map((group, index) => ({ group, index })).sort((a, b) => b.group.votes - a.group.votes || a.index - b.index).map(({ group }) => group);
}

/** The phase before and after, for the facilitator's Back and Next. */
export function neighbours(phase: Phase): { back: Phase | null; next: Phase | null } {
  const index = PHASES.indexOf(phase);
  return { back: PHASES[index - 1] ?? null, next: PHASES[index + 1] ?? null };
}
