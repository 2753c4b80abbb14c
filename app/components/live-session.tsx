import { Form, Link } from "@remix-run/react";
import { useEffect, useState, type ReactNode } from "react";
import { labelFor } from "~/lib/item-label";
import { KIND_LABELS, type Finding } from "~/models/blame";
import { FIELD_LIMITS } from "~/models/limits";
import { PHASES, PHASE_LABELS, SESSION_LIMITS, TIMER_CHOICES, groupCandidates, type MemberView, type Phase, type RoundView } from "~/models/live-session";
import { Field, FormError, HiddenInputs, SubmitButton } from "./form";
import type { FormState } from "./form-state";

// The pieces of the live session's page and of its present view. Dumb: they show what the
// loader read and post the session page's intents; whether a control is offered follows the same
// rules the server applies (lead, contribute).

/** The five phases, the meeting's own marked; anyone can look at another and come back. */
export function PhaseBar({ phase, viewing, lead, base }: { phase: Phase; viewing: Phase; lead: boolean; base: string }) {
  const index = PHASES.indexOf(phase);
  return (
    <nav className="phases" aria-label="Phases of the session">
      <ol>
        {PHASES.map((p, i) => (
          <li key={p} className={[p === phase ? "phases__current" : "", i < index ? "phases__done" : ""].join(" ").trim()}>
            <Link to={p === phase ? base : `${base}?view=${p}`} aria-current={p === viewing ? "page" : undefined} preventScrollReset>
              <span className="phases__number">{i + 1}</span> {PHASE_LABELS[p]}
              {p === phase ? <span className="visually-hidden"> (the meeting is here)</span> : null}
            </Link>
          </li>
        ))}
      </ol>
      {lead ? (
        <div className="phases__drive">
          {index > 0 ? (
            <Form method="post" preventScrollReset>
              <input type="hidden" name="phase" value={PHASES[index - 1]} />
              <SubmitButton intent="set-phase" className="button button--quiet button--small" pendingText="Moving…">
                ← Back to {PHASE_LABELS[PHASES[index - 1]]}
              </SubmitButton>
            </Form>
          ) : null}
          {index < PHASES.length - 1 ? (
            <Form method="post" preventScrollReset>
              <input type="hidden" name="phase" value={PHASES[index + 1]} />
              <SubmitButton intent="set-phase" className="button button--small" pendingText="Moving…">
                Next: {PHASE_LABELS[PHASES[index + 1]]} →
              </SubmitButton>
            </Form>
          ) : null}
        </div>
      ) : null}
    </nav>
  );
}

function clock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

/**
 * The same countdown on every screen: the end time comes from the server, and each screen counts
 * towards it on its own clock, corrected by the server's time when the page's data was read
 * (`serverNow`, also the first render's "now", so the server's page and the browser's agree). At
 * zero the facilitator is asked whether the room needs more time; the meeting never moves on by
 * itself.
 */
export function Countdown({ endsAt, serverNow, lead, large = false }: { endsAt: string | null; serverNow: string; lead: boolean; large?: boolean }) {
  const [now, setNow] = useState(() => Date.parse(serverNow));
  useEffect(() => {
    if (!endsAt) return;
    const offset = Date.parse(serverNow) - Date.now();
    setNow(Date.now() + offset);
    const tick = setInterval(() => setNow(Date.now() + offset), 500);
    return () => clearInterval(tick);
  }, [endsAt, serverNow]);
  if (!endsAt) {
    return lead && !large ? <TimerControls running={false} /> : null;
  }
  const left = Date.parse(endsAt) - now;
  const over = left <= 0;
  return (
    <div className={["timer", large ? "timer--large" : "", over ? "timer--over" : ""].join(" ").trim()}>
      <p className="timer__clock" role="timer" aria-live="off" aria-label="Time left">
        {clock(left)}
      </p>
      {over ? (
        <p className="timer__up" role="status">
          Time is up.{lead && !large ? " Need more time?" : ""}
        </p>
      ) : null}
      {lead && !large ? <TimerControls running /> : null}
    </div>
  );
}

function TimerControls({ running }: { running: boolean }) {
  return (
    <div className="timer__controls">
      <Form method="post" preventScrollReset className="inline-form">
        <input type="hidden" name="intent" value="start-timer" />
        <input type="hidden" name="mode" value={running ? "add" : "start"} />
        <span className="small muted">{running ? "Add" : "Timer"}</span>
        {(running ? ([1, 2, 5] as const) : TIMER_CHOICES).map((minutes) => (
          <SubmitButton key={minutes} intent="start-timer" name="minutes" value={String(minutes)} className="button button--quiet button--small" pendingText="…" label={running ? `Add ${minutes} ${minutes === 1 ? "minute" : "minutes"}` : `Start a ${minutes}-minute timer`}>
            {running ? "+" : ""}
            {minutes} min
          </SubmitButton>
        ))}
      </Form>
      {running ? (
        <Form method="post" preventScrollReset>
          <SubmitButton intent="stop-timer" className="button button--quiet button--small" pendingText="…">
            Stop timer
          </SubmitButton>
        </Form>
      ) : null}
    </div>
  );
}

/** Who is here, who is ready, and the facilitator's one-click changes to people. */
export function People({ members, lead, me, state }: { members: MemberView[]; lead: boolean; me: number; state?: FormState }) {
  const here = members.filter((m) => m.present);
  const away = members.filter((m) => !m.present);
  return (
    <section className="panel session-people" aria-labelledby="people-title" id="people">
      <h2 id="people-title">Here ({here.length})</h2>
      <FormError message={state?.formError ?? state?.errors.userId?.[0]} />
      <ul className="people-list">
        {[...here, ...away].map((m) => (
          <li key={m.id} className={m.present ? "" : "people-list__away"}>
            <span className={`presence ${m.present ? "presence--here" : ""}`} aria-hidden="true" />
            <span className="people-list__name">
              {m.name}
              {m.id === me ? " (you)" : ""}
            </span>
            <span className="small muted">
              {m.leads ? "facilitating" : m.contributes ? "participant" : "watching"}
              {!m.present ? ", away" : m.contributes && m.ready ? ", ready" : ""}
            </span>
            {m.ready && m.present ? <span className="ready-mark" aria-hidden="true"> ✓</span> : null}
            {lead && m.id !== me ? (
              <Form method="post" className="inline-form" preventScrollReset>
                <input type="hidden" name="userId" value={m.id} />
                {!m.contributes ? (
                  <SubmitButton intent="make-participant" match={{ userId: String(m.id) }} className="button button--quiet button--small" pendingText="Adding…" label={labelFor("Make participant", m.name)}>
                    Make participant
                  </SubmitButton>
                ) : !m.leads ? (
                  <SubmitButton intent="hand-facilitation" match={{ userId: String(m.id) }} className="button button--quiet button--small" pendingText="Handing over…" label={labelFor("Hand facilitation to", m.name)}>
                    Hand facilitation
                  </SubmitButton>
                ) : null}
              </Form>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** "I'm ready" for the step the meeting is at, and how many are. */
export function Readiness({ ready, present, mine, canSay }: { ready: number; present: number; mine: boolean; canSay: boolean }) {
  return (
    <div className="readiness" id="ready">
      <p className="readiness__count" role="status">
        <strong>
          {ready} of {present}
        </strong>{" "}
        ready
      </p>
      {canSay ? (
        <Form method="post" preventScrollReset>
          {mine ? null : <input type="hidden" name="ready" value="on" />}
          <SubmitButton intent="ready" className={mine ? "button button--quiet button--small" : "button button--small"} pendingText="…">
            {mine ? "Not ready yet" : "I'm ready"}
          </SubmitButton>
        </Form>
      ) : null}
    </div>
  );
}

/** The private nudge of the wording check, on a draft only its author sees. */
function Nudges({ findings }: { findings: Finding[] }) {
  if (findings.length === 0) return null;
  return (
    <ul className="blame" aria-label="Blameless wording in your draft">
      {findings.map((f) => (
        <li key={`${f.start}-${f.kind}`}>
          <strong>{KIND_LABELS[f.kind]}:</strong> “{f.match}”. {f.explanation} <em>Try:</em> {f.suggestion}
        </li>
      ))}
    </ul>
  );
}

export type DraftView = { token: string; candidateId: number; body: string; findings: Finding[] };

/**
 * The round in progress: the question; while drafting, one's own drafts (nobody else's) and how
 * many are written; once revealed, every candidate grouped where they say the same, with votes,
 * and for the facilitator what to accept.
 */
export function RoundPanel({
  round,
  drafts,
  lead,
  contribute,
  anonymous,
  state,
  whereAsked,
}: {
  round: RoundView;
  drafts: DraftView[];
  lead: boolean;
  contribute: boolean;
  anonymous: boolean;
  state?: FormState;
  whereAsked: ReactNode;
}) {
  const stateFor = (target: string) => (state?.target === target ? state : undefined);
  const draftState = stateFor("draft");
  const roundState = stateFor("round");
  const noun = round.kind === "why" ? "answer" : "remediation";
  const groups = groupCandidates(round.candidates, new Map(Object.entries(round.votes)), new Set(round.myVotes));
  const votesLeft = SESSION_LIMITS.votesPerPerson - round.myVotes.length;
  return (
    <section className="panel round" aria-labelledby="round-title" id="round">
      <p className="small muted">{whereAsked}</p>
      <h2 id="round-title" className="round__question">
        {round.question}
      </h2>
      <FormError message={roundState?.formError ?? roundState?.errors.candidateIds?.[0]} />
      {round.state === "drafting" ? (
        <>
          <p className="round__count" role="status">
            {round.drafts === 0 ? `No candidate ${noun}s yet.` : `${round.drafts} candidate ${round.drafts === 1 ? noun : `${noun}s`} written.`}{" "}
            <span className="muted">They stay private until the facilitator reveals them{anonymous ? ", and nobody's name is kept with them" : ""}.</span>
          </p>
          {contribute ? (
            <>
              {drafts.length > 0 ? (
                <ol className="drafts" aria-label="Your drafts">
                  {drafts.map((d) => {
                    const own = stateFor(`draft-${d.token}`);
                    return (
                      <li key={d.token} className="draft">
                        <Form method="post" preventScrollReset key={`${d.token}:${d.body}`}>
                          <HiddenInputs values={{ roundId: String(round.id), token: d.token }} />
                          <Field label="Your draft (only you see it)" name="body" error={own?.errors.body ?? own?.formError} limit={FIELD_LIMITS.answer}>
                            {(p) => <textarea {...p} rows={2} required defaultValue={own?.values.body ?? d.body} />}
                          </Field>
                          <Nudges findings={d.findings} />
                          <div className="button-row">
                            <SubmitButton intent="save-draft" match={{ token: d.token }} className="button button--small" label={labelFor("Save draft", d.body)}>
                              Save
                            </SubmitButton>
                            <SubmitButton intent="withdraw-draft" match={{ token: d.token }} className="button button--quiet button--small" pendingText="Withdrawing…" label={labelFor("Withdraw draft", d.body)}>
                              Withdraw
                            </SubmitButton>
                          </div>
                        </Form>
                      </li>
                    );
                  })}
                </ol>
              ) : null}
              <Form method="post" preventScrollReset key={`new-draft-${round.id}-${drafts.length}-${draftState ? JSON.stringify(draftState.values) : ""}`} className="draft draft--new">
                <input type="hidden" name="roundId" value={round.id} />
                <Field
                  label={drafts.length === 0 ? `Your candidate ${noun}` : `Another candidate ${noun}`}
                  name="body"
                  error={draftState?.errors.body ?? draftState?.formError}
                  limit={FIELD_LIMITS.answer}
                  hint="Describe what in the system let it happen. The wording check tells only you what to reconsider."
                >
                  {(p) => <textarea {...p} rows={2} required defaultValue={draftState?.values.body ?? ""} />}
                </Field>
                <SubmitButton intent="save-draft" match={{ token: "" }} className="button button--small" pendingText="Adding…">
                  Add my candidate
                </SubmitButton>
              </Form>
            </>
          ) : (
            <p className="muted small">You are watching. The facilitator can make you a participant.</p>
          )}
          {lead ? (
            <div className="button-row round__lead">
              <Form method="post" preventScrollReset>
                <input type="hidden" name="roundId" value={round.id} />
                <SubmitButton intent="reveal" className="button" pendingText="Revealing…">
                  Reveal the candidates
                </SubmitButton>
              </Form>
              <CloseRound id={round.id} />
            </div>
          ) : null}
        </>
      ) : (
        <>
          <p className="small muted">
            {contribute ? `Vote for what you think is most likely: ${votesLeft} of ${SESSION_LIMITS.votesPerPerson} votes left.` : "The candidates, as revealed."}
            {lead ? ` Tick one to accept it${round.kind === "why" ? ", or several as contributing causes (branches)" : ""}.` : ""}
          </p>
          <Form method="post" id="accept-form" preventScrollReset>
            <input type="hidden" name="roundId" value={round.id} />
          </Form>
          <ol className="candidates" aria-label="Candidates">
            {groups.map((group) => {
              const first = group.candidates[0];
              return (
                <li key={group.key} className="candidate">
                  {lead ? (
                    <input
                      type={round.kind === "why" ? "checkbox" : "radio"}
                      name="candidateIds"
                      value={first.id}
                      form="accept-form"
                      id={`accept-${first.id}`}
                      aria-label={labelFor("Accept", group.body)}
                    />
                  ) : null}
                  <div className="candidate__body">
                    <p>{group.body}</p>
                    {group.candidates.length > 1 ? (
                      <p className="small muted">
                        Written {group.candidates.length} times
                        {group.candidates.some((c) => c.body !== group.body) ? `; also as: ${[...new Set(group.candidates.map((c) => c.body).filter((b) => b !== group.body))].map((b) => `“${b}”`).join(", ")}` : ""}
                      </p>
                    ) : null}
                    {!anonymous ? (
                      <p className="small muted">
                        by {[...new Set(group.candidates.map((c) => c.authorName ?? "someone no longer here"))].join(", ")}
                      </p>
                    ) : null}
                  </div>
                  <p className="candidate__votes" aria-label={`${group.votes} ${group.votes === 1 ? "vote" : "votes"}`}>
                    {group.votes} {group.votes === 1 ? "vote" : "votes"}
                  </p>
                  {contribute ? (
                    <Form method="post" preventScrollReset>
                      <HiddenInputs values={{ roundId: String(round.id), candidateId: String(first.id) }} />
                      {group.mine ? null : <input type="hidden" name="on" value="on" />}
                      <SubmitButton
                        intent="vote"
                        match={{ candidateId: String(first.id) }}
                        className={group.mine ? "button button--small" : "button button--quiet button--small"}
                        pendingText="…"
                        label={labelFor(group.mine ? "Take back my vote" : "Vote", group.body)}
                      >
                        {group.mine ? "Voted ✓" : "Vote"}
                      </SubmitButton>
                    </Form>
                  ) : null}
                </li>
              );
            })}
          </ol>
          {lead ? (
            <div className="button-row round__lead">
              {/* Outside its form (the vote forms sit between the boxes it reads), tied to it by `form`. */}
              <button type="submit" className="button" form="accept-form" name="intent" value="accept">
                {round.kind === "why" ? "Accept into the tree" : "Make it the remediation"}
              </button>
              <CloseRound id={round.id} />
            </div>
          ) : null}
        </>
      )}
    </section>
  );
}

function CloseRound({ id }: { id: number }) {
  return (
    <Form method="post" preventScrollReset>
      <input type="hidden" name="roundId" value={id} />
      <SubmitButton intent="close-round" className="button button--quiet" pendingText="Closing…">
        Close without accepting
      </SubmitButton>
    </Form>
  );
}
