import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation } from "@remix-run/react";
import { WhyActions, type ActionView } from "~/components/actions";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { LiveNotice } from "~/components/live-notice";
import { Field, FormError, HiddenInputs, SubmitButton } from "~/components/form";
import type { FormState } from "~/components/form-state";
import { PersonField } from "~/components/incident-form";
import { Countdown, People, PhaseBar, Readiness, RoundPanel } from "~/components/live-session";
import { Timeline } from "~/components/timeline";
import { requireIncidentRoute, sessionPace } from "~/lib/guards.server";
import { actionView } from "~/lib/action-views.server";
import { handleIntent } from "~/lib/intents.server";
import { labelFor } from "~/lib/item-label";
import { useLiveIncident } from "~/lib/live";
import { revalidateAfterRefusal } from "~/lib/revalidate";
import { formatTime, toInputValue } from "~/lib/time";
import { PRIORITIES, PRIORITY_LABELS } from "~/models/action";
import { listIncidentActions, today } from "~/models/action.server";
import { permissionsFor } from "~/models/authorization";
import { ownerChoices } from "~/models/incident.server";
import { FIELD_LIMITS } from "~/models/limits";
import { PHASES, PHASE_HINTS, PHASE_LABELS, type Phase } from "~/models/live-session";
import { viewSession } from "~/models/live-session.server";
import { latestChange } from "~/models/live.server";
import { listTimeline, nextEntryTime } from "~/models/timeline.server";
import { listWhys } from "~/models/why.server";
import { buildTree, flatten, nextQuestion, remediationGuidance, type TreeNode, type WhyRead } from "~/models/why-tree";
import { SESSION_PAGE_INTENTS, draftTokens } from "./intents.server";

export const meta: MetaFunction = () => [{ title: "Live session · Hindsight" }];

export const shouldRevalidate = revalidateAfterRefusal;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, incident } = await requireIncidentRoute(request, params.ref);
  // Read before the rest: a change made while they are read comes through the live stream.
  const liveSince = await latestChange(incident.id);
  const permissions = permissionsFor(user, incident);
  const base = { reference: incident.reference, liveSince, permissions, serverNow: new Date().toISOString() };
  const view = await viewSession(user, incident, await draftTokens(request, incident.reference));
  if (!view.open) {
    return {
      ...base,
      open: false as const,
      canStart: view.canStart,
      status: incident.status,
      past: view.past.map((p) => ({ id: p.id, started: formatTime(p.startedAt), ended: formatTime(p.endedAt), idle: p.endedReason === "idle" })),
    };
  }
  const { session, state, lead, drafts } = view;
  const whys = await listWhys(incident.id);
  const timeline = await listTimeline(incident.id);
  const round = state.round;
  const todayDate = await today();
  const actionsByWhy: Record<number, ActionView[]> = {};
  for (const action of await listIncidentActions(incident.id)) {
    if (action.whyId === null) continue;
    (actionsByWhy[action.whyId] ??= []).push(actionView(user, incident, action, todayDate));
  }
  const me = state.members.find((m) => m.id === user.id);
  return {
    ...base,
    open: true as const,
    me: user.id,
    lead,
    severity: incident.severity,
    session: {
      phase: session.phase,
      anonymous: session.anonymous,
      timerEndsAt: session.timerEndsAt,
      facilitatorName: state.facilitatorName,
      started: formatTime(session.startedAt),
    },
    members: state.members,
    present: state.present,
    ready: state.ready,
    readyMine: Boolean(me?.ready),
    joined: me !== undefined,
    round,
    drafts: drafts.map(({ token, candidateId, body, findings }) => ({ token, candidateId, body, findings })),
    previous: state.previous,
    whys: whys.map(({ remediationMd: _source, version: _version, ...read }): WhyRead => read),
    remediationSources: permissions.contribute ? Object.fromEntries(whys.map((w) => [w.id, w.remediationMd])) : {},
    actionsByWhy,
    timeline: timeline.map((e) => ({ id: e.id, at: e.at, atLabel: formatTime(e.at), bodyHtml: e.bodyHtml })),
    timelineEditing: permissions.contribute
      ? {
          sources: Object.fromEntries(timeline.map((e) => [e.id, { bodyMd: e.bodyMd, version: e.version, atInput: toInputValue(e.at) }])),
          defaultAt: toInputValue(nextEntryTime(incident, timeline)),
        }
      : undefined,
    owners: permissions.contribute && session.phase === "actions" ? await ownerChoices(user, incident) : [],
    summary: permissions.contribute ? { summaryMd: incident.summaryMd, version: incident.version } : null,
    summaryHtml: incident.summaryHtml,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, incident } = await requireIncidentRoute(request, params.ref);
  const writes = sessionPace();
  if (!(await writes.take(user.id))) {
    const wait = await writes.retryAfter(user.id);
    throw new Response(`Too many changes at once: wait ${wait} seconds and try again.`, {
      status: 429,
      headers: { "Retry-After": String(wait) },
    });
  }
  return handleIntent(request, { user, incident, request }, SESSION_PAGE_INTENTS);
}

export default function LiveSession() {
  const data = useLoaderData<typeof loader>();
  const live = useLiveIncident(data.reference, data.liveSince, { session: true });
  const failure = useActionData<typeof action>();
  const state: FormState | undefined = failure && !failure.ok ? ({ target: "", ...failure } as FormState) : undefined;
  const location = useLocation();
  const base = `/incidents/${data.reference}/session`;

  if (!data.open) {
    return (
      <section className="panel" aria-labelledby="session-title">
        <h2 id="session-title">Live session</h2>
        <p>
          Run the 5 Whys meeting here: everyone joins from their own laptop, writes candidate answers privately, votes, and sees the tree grow
          as the facilitator accepts them.
        </p>
        {data.canStart ? (
          <Form method="post" className="session-start">
            <FormError message={state?.target === "start" ? state.formError : undefined} />
            <label className="checkbox">
              <input type="checkbox" name="anonymous" defaultChecked /> Anonymous candidates: nobody's name is kept with what they write
            </label>
            <SubmitButton intent="start-session" pendingText="Starting…">
              Start a live session
            </SubmitButton>
          </Form>
        ) : (
          <p className="muted">
            No session is in progress.{" "}
            {data.status === "analysis" ? "The facilitator or an admin can start one." : "A live session runs while the incident is in analysis."}
          </p>
        )}
        {data.past.length > 0 ? (
          <>
            <h3>Earlier sessions</h3>
            <ul>
              {data.past.map((p) => (
                <li key={p.id}>
                  {p.started} to {p.ended}
                  {p.idle ? " (ended after a long pause)" : ""}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <p className="small">
          <Link to={`/incidents/${data.reference}`}>Back to the analysis</Link>
        </p>
      </section>
    );
  }

  const viewParam = new URLSearchParams(location.search).get("view");
  const viewing: Phase = PHASES.includes(viewParam as Phase) ? (viewParam as Phase) : data.session.phase;
  const following = viewing === data.session.phase;
  const tree = buildTree(data.whys);
  const nodes = flatten(tree);
  const stateFor = (target: string) => (state?.target === target ? state : undefined);
  const contribute = data.permissions.contribute;
  const roundWhy = data.round?.whyId ? nodes.find((n) => n.id === data.round!.whyId) : undefined;

  return (
    <div className="session">
      <LiveNotice live={live} what="session" />
      <section className="panel session-bar" aria-label="Session">
        <div className="session-bar__top">
          <p>
            <strong>Live session</strong> · facilitated by {data.session.facilitatorName}
            {data.lead ? " (you)" : ""} · started {data.session.started}
            {data.session.anonymous ? " · anonymous candidates" : ""}
          </p>
          <p className="small session-bar__links">
            <Link to={`/incidents/${data.reference}/present`} target="_blank" rel="noopener">
              Present view
            </Link>
            {" · "}
            {/* Without JavaScript nothing moves by itself: reload to see the others' changes. */}
            <a href={`${base}${location.search}`}>Reload</a>
          </p>
        </div>
        <PhaseBar phase={data.session.phase} viewing={viewing} lead={data.lead} base={base} />
        {!following ? (
          <p className="session-bar__away" role="status">
            You are looking at {PHASE_LABELS[viewing]}; the meeting is at {PHASE_LABELS[data.session.phase]}.{" "}
            <Link to={base} className="button button--small">
              Follow the facilitator
            </Link>
          </p>
        ) : null}
        {!data.joined ? (
          // With JavaScript the page's live stream joins by itself; without, this says "I'm here".
          <Form method="post" className="session-bar__join">
            <SubmitButton intent="join" className="button button--small" pendingText="Joining…">
              Join the session
            </SubmitButton>
          </Form>
        ) : null}
        <div className="session-bar__status">
          <Countdown endsAt={data.session.timerEndsAt} serverNow={data.serverNow} lead={data.lead} />
          <Readiness ready={data.ready} present={data.present} mine={data.readyMine} canSay={contribute} />
        </div>
        <FormError message={stateFor("timer")?.formError ?? stateFor("timer")?.errors.minutes?.[0] ?? stateFor("ready")?.formError ?? (state && !state.target ? state.formError : undefined)} />
      </section>

      <div className="session__main">
        <div className="session__phase">
          <section className="panel" aria-labelledby="phase-title">
            <h2 id="phase-title">{PHASE_LABELS[viewing]}</h2>
            <p className="muted small">{PHASE_HINTS[viewing]}</p>
            {viewing === "timeline" ? (
              <div id="timeline">
                <Timeline entries={data.timeline} editing={data.timelineEditing} state={state} />
              </div>
            ) : null}
          </section>

          {(viewing === "whys" || viewing === "remediations") && data.round && data.round.kind === (viewing === "whys" ? "why" : "remediation") ? (
            <RoundPanel
              round={data.round}
              drafts={data.drafts}
              lead={data.lead}
              contribute={contribute}
              anonymous={data.session.anonymous}
              state={state}
              whereAsked={roundWhy ? `Level ${roundWhy.level + (data.round.kind === "why" ? 1 : 0)}, ${data.round.kind === "why" ? "under" : "for"}: “${roundWhy.answer}”` : "Level 1"}
            />
          ) : null}

          {viewing === "whys" ? (
            <section className="panel" aria-labelledby="tree-title" id="tree">
              <h2 id="tree-title">The tree so far</h2>
              {data.lead ? <AskForm kind="why" nodes={nodes} state={stateFor("ask")} /> : null}
              <SessionTree nodes={tree} lead={data.lead} mode="whys" severity={data.severity} current={data.round ? data.round.whyId : undefined} />
            </section>
          ) : null}

          {viewing === "remediations" ? (
            <section className="panel" aria-labelledby="remediations-title" id="tree">
              <h2 id="remediations-title">A remediation at every level</h2>
              <SessionTree nodes={tree} lead={data.lead} mode="remediations" severity={data.severity} current={data.round ? data.round.whyId : undefined} />
            </section>
          ) : null}

          {viewing === "actions" ? (
            <section className="panel" aria-labelledby="session-actions-title" id="tree">
              <h2 id="session-actions-title">Follow-up actions</h2>
              {nodes.filter((n) => n.remediationHtml).length === 0 ? <p className="muted">No remediation has been chosen yet.</p> : null}
              <ol className="session-actions">
                {nodes
                  .filter((n) => n.remediationHtml)
                  .map((n) => (
                    <li key={n.id} id={`node-${n.id}`} className="session-actions__item">
                      <p className="small muted">
                        Level {n.level}: {n.answer}
                      </p>
                      <div className="prose" dangerouslySetInnerHTML={{ __html: n.remediationHtml }} />
                      <WhyActions actions={data.actionsByWhy[n.id] ?? []} redirectTo={`${base}#node-${n.id}`} />
                      {contribute ? (
                        <InlineAction
                          whyId={n.id}
                          title={firstLine(data.remediationSources[n.id] ?? "")}
                          owners={data.owners}
                          me={data.me}
                          state={stateFor(`actions-${n.id}`)}
                        />
                      ) : null}
                    </li>
                  ))}
              </ol>
            </section>
          ) : null}

          {viewing === "wrapup" ? (
            <section className="panel" aria-labelledby="wrapup-title" id="wrapup">
              <h2 id="wrapup-title">Wrap-up</h2>
              <h3>What changes</h3>
              <ul>
                {nodes.map((n) => (
                  <li key={n.id}>
                    Level {n.level}: {n.answer} — {n.remediationHtml ? "remediation chosen" : n.noRemediationReason ? "no remediation, with a reason" : "no remediation yet"}
                    {(data.actionsByWhy[n.id] ?? []).length > 0 ? `, ${data.actionsByWhy[n.id].length} ${data.actionsByWhy[n.id].length === 1 ? "action" : "actions"}` : ""}
                  </li>
                ))}
              </ul>
              <p className="small">
                <Link to={`/incidents/${data.reference}/history`}>Everything this session changed is in the history.</Link>
              </p>
              {data.summary ? (
                <Form method="post" id="summary" preventScrollReset key={`summary-${data.summary.version}`}>
                  <input type="hidden" name="version" value={stateFor("summary")?.conflict?.version ?? data.summary.version} />
                  <FormError message={stateFor("summary")?.formError} />
                  <Field label="Summary" name="summaryMd" error={stateFor("summary")?.errors.summaryMd} limit={FIELD_LIMITS.summary} hint="What readers who were not there read first. Markdown.">
                    {(p) => <textarea {...p} rows={6} defaultValue={stateFor("summary")?.values.summaryMd ?? data.summary!.summaryMd} />}
                  </Field>
                  <SubmitButton intent="write-summary">Save the summary</SubmitButton>
                </Form>
              ) : data.summaryHtml ? (
                <div className="prose" dangerouslySetInnerHTML={{ __html: data.summaryHtml }} />
              ) : null}
              {data.lead ? (
                <Form method="post" className="button-row">
                  <FormError message={stateFor("wrapup")?.formError} />
                  <SubmitButton intent="send-for-review" pendingText="Sending…">
                    Send for review and end the session
                  </SubmitButton>
                </Form>
              ) : null}
            </section>
          ) : null}

          {data.lead ? (
            <Form method="post" className="session-end">
              <SubmitButton intent="end-session" className="button button--quiet" pendingText="Ending…">
                End the session
              </SubmitButton>
            </Form>
          ) : null}
        </div>
        <People members={data.members} lead={data.lead} me={data.me} state={stateFor("people")} />
      </div>
    </div>
  );

  function firstLine(text: string): string {
    return text.split("\n").map((line) => line.replace(/^[-*#>\s]+/, "").trim()).find(Boolean)?.slice(0, FIELD_LIMITS.actionTitle) ?? "";
  }
}

/** The facilitator's question to the room, at the top or under any answer. */
function AskForm({ kind, nodes, state }: { kind: "why"; nodes: TreeNode<WhyRead>[]; state?: FormState }) {
  return (
    <details className="disclosure" open={state ? true : undefined}>
      <summary>Ask a question anywhere in the tree</summary>
      <Form method="post" preventScrollReset>
        <input type="hidden" name="kind" value={kind} />
        <FormError message={state?.formError} />
        <Field label="Under" name="whyId" error={state?.errors.whyId}>
          {(p) => (
            <select {...p} defaultValue={state?.values.whyId ?? ""}>
              <option value="">The incident itself (level 1)</option>
              {nodes.map((n) => (
                <option key={n.id} value={n.id}>
                  {"  ".repeat(n.level - 1)}L{n.level}: {n.answer.slice(0, 80)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Question" name="question" error={state?.errors.question} limit={FIELD_LIMITS.question}>
          {(p) => <input {...p} type="text" required defaultValue={state?.values.question ?? "Why did this happen?"} />}
        </Field>
        <SubmitButton intent="open-round" pendingText="Asking…">
          Ask the room
        </SubmitButton>
      </Form>
    </details>
  );
}

/** The tree as the session shows it: compact, with the facilitator's one-click question at each answer. */
function SessionTree({
  nodes,
  lead,
  mode,
  severity,
  current,
}: {
  nodes: TreeNode<WhyRead>[];
  lead: boolean;
  mode: "whys" | "remediations";
  severity: Parameters<typeof remediationGuidance>[0];
  /** The why the round in progress is at (null: the top), or undefined when no round is. */
  current: number | null | undefined;
}) {
  if (nodes.length === 0) {
    return (
      <>
        <p className="muted">No whys yet.</p>
        {lead && mode === "whys" && current === undefined ? <AskHere whyId={null} question="Why did this happen?" label="Ask the first why" /> : null}
      </>
    );
  }
  return (
    <ol className="session-tree">
      {nodes.map((n) => (
        <li key={n.id} id={`node-${n.id}`} className={n.id === current ? "session-tree__current" : undefined}>
          <div className="session-tree__node">
            <p className="session-tree__level">L{n.level}</p>
            <div>
              <p className="session-tree__q">{n.question}</p>
              <p className="session-tree__a">{n.answer}</p>
              {mode === "remediations" ? (
                <>
                  <p className="guidance small">{remediationGuidance(severity, n.level)}</p>
                  {n.remediationHtml ? (
                    <div className="prose session-tree__remediation" dangerouslySetInnerHTML={{ __html: n.remediationHtml }} />
                  ) : (
                    <p className="muted small">No remediation yet.</p>
                  )}
                </>
              ) : n.remediationHtml ? (
                <div className="prose small session-tree__remediation" dangerouslySetInnerHTML={{ __html: n.remediationHtml }} />
              ) : null}
            </div>
            {lead ? (
              mode === "whys" ? (
                <AskHere whyId={n.id} question={nextQuestion(n.answer)} label={labelFor("Ask why here", n.answer)} text="Ask why here" />
              ) : (
                <Form method="post" preventScrollReset>
                  <HiddenInputs values={{ kind: "remediation", whyId: String(n.id), question: `What would stop this at level ${n.level}? (${n.answer.slice(0, 200)})` }} />
                  <SubmitButton intent="open-round" match={{ whyId: String(n.id) }} className="button button--quiet button--small" pendingText="Asking…" label={labelFor("Ask for remediations", n.answer)}>
                    Ask for remediations
                  </SubmitButton>
                </Form>
              )
            ) : null}
          </div>
          {n.children.length > 0 ? <SessionTree nodes={n.children} lead={lead} mode={mode} severity={severity} current={current} /> : null}
        </li>
      ))}
    </ol>
  );
}

function AskHere({ whyId, question, label, text }: { whyId: number | null; question: string; label: string; text?: string }) {
  return (
    <Form method="post" preventScrollReset>
      <HiddenInputs values={{ kind: "why", whyId: whyId === null ? "" : String(whyId), question }} />
      <SubmitButton intent="open-round" match={{ whyId: whyId === null ? "" : String(whyId) }} className="button button--small" pendingText="Asking…" label={label}>
        {text ?? label}
      </SubmitButton>
    </Form>
  );
}

/** An action for a why's remediation, without leaving the meeting: claim it, or assign it. */
function InlineAction({ whyId, title, owners, me, state }: { whyId: number; title: string; owners: { id: number; name: string; team: string }[]; me: number; state?: FormState }) {
  return (
    <div className="inline-action" id={`actions-${whyId}`}>
      <FormError message={state?.formError} />
      <Form method="post" preventScrollReset>
        <input type="hidden" name="whyId" value={whyId} />
        <SubmitButton intent="claim-remediation" match={{ whyId: String(whyId) }} className="button button--small" pendingText="Taking it…" label={labelFor("I'll take it", title)}>
          I'll take it
        </SubmitButton>
      </Form>
      {owners.length > 0 ? (
        <details className="disclosure" open={state && state.errors && Object.keys(state.errors).length > 0 ? true : undefined}>
          <summary>Assign it</summary>
          <Form method="post" preventScrollReset className="inline-action__form" key={`assign-${whyId}-${JSON.stringify(state?.values ?? {})}`}>
            <input type="hidden" name="whyId" value={whyId} />
            <Field label="Title" name="title" error={state?.errors.title} limit={FIELD_LIMITS.actionTitle}>
              {(p) => <input {...p} type="text" required defaultValue={state?.values.title ?? title} />}
            </Field>
            <div className="grid-3">
              <PersonField label="Owner" name="ownerId" people={owners} defaultValue={state?.values.ownerId ?? me} error={state?.errors.ownerId} />
              <Field label="Priority" name="priority" error={state?.errors.priority}>
                {(p) => (
                  <select {...p} defaultValue={state?.values.priority ?? "P2"}>
                    {PRIORITIES.map((priority) => (
                      <option key={priority} value={priority}>
                        {PRIORITY_LABELS[priority]}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Due date" name="dueDate" error={state?.errors.dueDate} hint="Empty: by the due-date policy.">
                {(p) => <input {...p} type="date" defaultValue={state?.values.dueDate ?? ""} />}
              </Field>
            </div>
            <SubmitButton intent="add-action" match={{ whyId: String(whyId) }} pendingText="Adding…" label={labelFor("Add action", title)}>
              Add action
            </SubmitButton>
          </Form>
        </details>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

