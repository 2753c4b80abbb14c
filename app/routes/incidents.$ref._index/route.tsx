import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ActionFigures } from "~/components/action-figures";
import { WhyActions, type ActionView } from "~/components/actions";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { GateNotice, type GateNoticeView } from "~/components/gate-notice";
import { LiveNotice } from "~/components/live-notice";
import type { FormState } from "~/components/form-state";
import { Lifecycle } from "~/components/lifecycle";
import { Timeline, type TimelineEditing } from "~/components/timeline";
import { WhyForm, WhyTree, type WhyEditing } from "~/components/why-tree";
import { requireIncidentRoute } from "~/lib/guards.server";
import { actionView } from "~/lib/action-views.server";
import { handleIntent } from "~/lib/intents.server";
import { useLiveIncident } from "~/lib/live";
import { revalidateAfterRefusal } from "~/lib/revalidate";
import { shorten } from "~/lib/shorten";
import { formatDate, formatSpan, formatTime, toInputValue } from "~/lib/time";
import { GLANCE } from "~/models/learning.server";
import { figuresOfActions, listIncidentActions, today } from "~/models/action.server";
import { permissionsFor } from "~/models/authorization";
import { changesSincePublication } from "~/models/publication.server";
import { findingsOf } from "~/models/blame.server";
import { categoryLabels, listCategories } from "~/models/category.server";
import { heldServices, holdingSince, holdLine, remedyText } from "~/models/gate";
import { incidentGate } from "~/models/gate.server";
import { VISIBILITY_LABELS } from "~/models/incident";
import { ownerChoices, publishCheck, type Incident } from "~/models/incident.server";
import { firstParagraphText } from "~/lib/markdown.server";
import { latestChange } from "~/models/live.server";
import { listRelated, similarWhys } from "~/models/recurrence.server";
import type { User } from "~/models/user.server";
import { listTimeline, nextEntryTime, type TimelineEntry } from "~/models/timeline.server";
import { listWhys } from "~/models/why.server";
import { buildTree, type WhyRead, type WhyRow } from "~/models/why-tree";
import type { SeenBeforeView } from "~/components/seen-before";
import { RelatedIncidents } from "~/components/related-incidents";
import { INCIDENT_PAGE_INTENTS } from "./intents.server";

export const shouldRevalidate = revalidateAfterRefusal;

/** Shown only from what the database holds for the person signed in: served from the page cache while unchanged (app/lib/page-cache.server.ts). */
export const handle = { pageCache: true };

/** What the page's forms need; only those who may contribute get it. */
type PageEditing = { whys: WhyEditing; timeline: TimelineEditing };

export async function loader({ request, params }: LoaderFunctionArgs) {
  // The page reads nothing from its query, and each of its forms would repeat it (a query of
  // 16 KB made a page of many megabytes): an address with one is sent to the page's own.
  const url = new URL(request.url);
  if (url.search !== "") throw redirect(url.pathname);
  const { user, incident } = await requireIncidentRoute(request, params.ref);
  // Read before the rest: a change made while they are read comes through the live stream.
  const liveSince = await latestChange(incident.id);
  const permissions = permissionsFor(user, incident);
  const edits = await changesSincePublication(incident.id);
  const whys = await listWhys(incident.id);
  const timeline = await listTimeline(incident.id);
  return {
    incident: {
      id: incident.id,
      reference: incident.reference,
      severity: incident.severity,
      status: incident.status,
      visibility: incident.visibility,
      impactHtml: incident.impactHtml,
      summaryHtml: incident.summaryHtml,
      services: incident.services,
      facilitatorName: incident.facilitator.name,
      participantNames: incident.participants.map((p) => p.name),
      started: formatTime(incident.startedAt),
      detected: formatTime(incident.detectedAt),
      resolved: formatTime(incident.resolvedAt),
      timeToDetect: formatSpan(incident.startedAt, incident.detectedAt),
      timeToResolve: formatSpan(incident.startedAt, incident.resolvedAt),
      published: incident.publishedAt ? { at: formatTime(incident.publishedAt), by: incident.publishedByName } : null,
      changesSincePublication: edits.count > 0 ? { count: edits.count, last: formatTime(edits.lastAt) } : null,
    },
    permissions,
    liveSince,
    gate: await gateNotice(incident, permissions.manage),
    whys: whys.map(readOnly),
    categoryLabels: await categoryLabels(),
    seenBefore: await seenBefore(user, incident, whys),
    related: (await listRelated(user, incident.id)).map((r) => ({ ...r, started: formatDate(r.startedAt.slice(0, 10)) })),
    ...(await followUp(user, incident)),
    timeline: timeline.map((e) => ({ id: e.id, at: e.at, atLabel: formatTime(e.at), bodyHtml: e.bodyHtml })),
    problems: permissions.manage && incident.status === "review" ? await publishCheck(incident) : [],
    // Everything the page's forms need, for those who may use them; readers get the page only.
    editing: permissions.contribute ? await editingOf(user, incident, whys, timeline, permissions.manage) : null,
  };
}

/** What the incident does to the deploy gate, when it holds deploys (or would, but for an exception). */
async function gateNotice(incident: Incident, canManage: boolean): Promise<GateNoticeView | null> {
  const { holds, exception } = await incidentGate(incident);
  if (holds.length === 0) return null;
  return {
    services: heldServices(holds),
    since: formatTime(holdingSince(holds)),
    lines: holds.map(holdLine),
    remedy: remedyText(holds),
    exception: exception ? { id: exception.id, until: formatTime(exception.expiresAt), grantedBy: exception.grantedByName, reason: exception.reason } : null,
    canManage,
  };
}

/** A why as readers get it: no Markdown source, no version. */
function readOnly({ remediationMd: _source, version: _version, ...read }: WhyRow): WhyRead {
  return read;
}

/** The sources, choices and findings the forms of the page need, for someone who may contribute. */
async function editingOf(user: User, incident: Incident, whys: WhyRow[], timeline: TimelineEntry[], canAcknowledge: boolean): Promise<PageEditing> {
  return {
    whys: {
      sources: Object.fromEntries(whys.map((w) => [w.id, { remediationMd: w.remediationMd, version: w.version }])),
      // A follow-up action added on a why's card starts from its remediation and from its author.
      actionTitles: Object.fromEntries(whys.filter((w) => w.remediationMd.trim()).map((w) => [w.id, firstParagraphText(w.remediationMd, 200)])),
      owners: await ownerChoices(user, incident),
      me: user.id,
      // For the wording check as people type: the names of those taking part, not the whole directory.
      people: [incident.facilitator.name, ...incident.participants.map((p) => p.name)],
      categories: (await listCategories()).map(({ slug, label }) => ({ slug, label })),
      findings: Object.fromEntries(await findingsOf(incident.id)),
      canAcknowledge,
    },
    timeline: {
      sources: Object.fromEntries(timeline.map((e) => [e.id, { bodyMd: e.bodyMd, version: e.version, atInput: toInputValue(e.at) }])),
      defaultAt: toInputValue(nextEntryTime(incident, timeline)),
    },
  };
}

/** Similar whys of other incidents, as the panel under each why shows them. */
async function seenBefore(user: User, incident: Incident, whys: WhyRow[]): Promise<Record<number, SeenBeforeView[]>> {
  const views: Record<number, SeenBeforeView[]> = {};
  for (const [whyId, similar] of await similarWhys(user, incident, whys)) {
    views[whyId] = similar.map((s) => ({
      whyId: s.whyId,
      incidentId: s.incidentId,
      reference: s.reference,
      title: s.title,
      severity: s.severity,
      date: formatDate(s.startedAt.slice(0, 10)),
      // A glance at the other why, as the learnings card shows one: its page has the whole text.
      question: shorten(s.question, GLANCE.textLength),
      answer: shorten(s.answer, GLANCE.textLength),
      matchedOn: s.matchedOn,
      earlier: s.earlier,
      related: s.related,
      progress:
        s.actions.total === 0
          ? "No follow-up actions"
          : `${s.actions.done} of ${s.actions.total} ${s.actions.total === 1 ? "action" : "actions"} done`,
      fixMayNotHaveWorked: s.fixMayNotHaveWorked ? { titles: s.actions.titles, doneOn: formatDate(s.actions.lastDoneAt!.slice(0, 10)) } : null,
    }));
  }
  return views;
}

/** The incident's follow-up actions, by the why they carry out, and how far along they are. */
async function followUp(user: User, incident: Incident) {
  const todayDate = await today();
  const byWhy: Record<number, ActionView[]> = {};
  const unlinked: ActionView[] = [];
  const list = await listIncidentActions(incident.id);
  for (const action of list) {
    const view = actionView(user, incident, action, todayDate);
    if (view.canChange) {
      view.plan = { version: action.version, ownerId: action.ownerId, ownerName: action.ownerName, dueDate: action.dueDate, priority: action.priority };
    }
    if (action.whyId === null) unlinked.push(view);
    else (byWhy[action.whyId] ??= []).push(view);
  }
  return { actionsByWhy: byWhy, unlinkedActions: unlinked, actionFigures: figuresOfActions(list, todayDate) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, incident } = await requireIncidentRoute(request, params.ref);
  return handleIntent(request, { user, incident }, INCIDENT_PAGE_INTENTS);
}

export default function Analysis() {
  const {
    incident,
    permissions,
    whys,
    categoryLabels,
    seenBefore,
    related,
    timeline,
    problems,
    editing,
    actionsByWhy,
    unlinkedActions,
    actionFigures,
    liveSince,
    gate,
  } = useLoaderData<typeof loader>();
  const live = useLiveIncident(incident.reference, liveSince);
  const page = `/incidents/${incident.reference}`;
  const failure = useActionData<typeof action>();
  const state: FormState | undefined = failure && !failure.ok && failure.target ? (failure as FormState) : undefined;
  const blocked = failure && "problems" in failure ? failure.problems : undefined;
  const tree = buildTree(whys);

  return (
    <>
      <LiveNotice live={live} what="incident" />
      <GateNotice gate={gate} state={state?.target === "gate" ? state : undefined} />
      <section className="panel" aria-labelledby="facts-title">
        <h2 id="facts-title" className="visually-hidden">
          Facts
        </h2>
        <dl className="facts">
          <div>
            <dt>Started</dt>
            <dd>{incident.started}</dd>
          </div>
          <div>
            <dt>Detected</dt>
            <dd>
              {incident.detected || "Not recorded"}
              {incident.timeToDetect ? <div className="muted small">Time to detect: {incident.timeToDetect}</div> : null}
            </dd>
          </div>
          <div>
            <dt>Resolved</dt>
            <dd>
              {incident.resolved || "Ongoing"}
              {incident.timeToResolve ? <div className="muted small">Time to resolve: {incident.timeToResolve}</div> : null}
            </dd>
          </div>
          <div>
            <dt>Services</dt>
            <dd>{incident.services.length > 0 ? incident.services.join(", ") : "None listed"}</dd>
          </div>
          <div>
            <dt>Facilitator</dt>
            <dd>{incident.facilitatorName}</dd>
          </div>
          <div>
            <dt>Participants</dt>
            <dd>{incident.participantNames.length > 0 ? incident.participantNames.join(", ") : "None yet"}</dd>
          </div>
          <div>
            <dt>Visible to</dt>
            <dd>{VISIBILITY_LABELS[incident.visibility]}</dd>
          </div>
          {incident.published ? (
            <div>
              <dt>Published</dt>
              <dd>
                {incident.published.at} by {incident.published.by}
                {incident.changesSincePublication ? (
                  <div className="muted small">
                    Updated since publication: {incident.changesSincePublication.count}{" "}
                    {incident.changesSincePublication.count === 1 ? "change" : "changes"}, the last {incident.changesSincePublication.last} (see
                    History)
                  </div>
                ) : null}
              </dd>
            </div>
          ) : null}
        </dl>
      </section>

      <section className="panel" aria-labelledby="impact-title">
        <h2 id="impact-title">Impact</h2>
        {incident.impactHtml ? (
          <div className="prose" dangerouslySetInnerHTML={{ __html: incident.impactHtml }} />
        ) : (
          <p className="muted">Not described yet.</p>
        )}
        <h2 id="summary-title" style={{ marginTop: "1.25rem" }}>
          Summary
        </h2>
        {incident.summaryHtml ? (
          <div className="prose" dangerouslySetInnerHTML={{ __html: incident.summaryHtml }} />
        ) : (
          <p className="muted">Not written yet. The summary is what readers who were not there will read first.</p>
        )}
      </section>

      <section className="panel" aria-labelledby="timeline-title" id="timeline">
        <h2 id="timeline-title">Timeline</h2>
        <Timeline entries={timeline} editing={editing?.timeline} state={state} />
      </section>

      <Lifecycle
        status={incident.status}
        canMove={permissions.manage}
        problems={blocked ?? problems}
        attempted={Boolean(blocked)}
        changesSincePublication={incident.changesSincePublication?.count ?? 0}
      />

      <section className="panel" aria-labelledby="whys-title" id="whys">
        <h2 id="whys-title">The 5 Whys</h2>
        <p className="muted small no-print">
          Ask why until the cause is understood, and decide a remediation at every level, proportional to the problem.
          Describe what in the system let the failure through, not who.
        </p>
        {tree.length > 0 ? (
          <WhyTree
            nodes={tree}
            severity={incident.severity}
            editing={editing?.whys}
            state={state}
            page={page}
            actions={actionsByWhy}
            categoryLabels={categoryLabels}
            seenBefore={seenBefore}
          />
        ) : null}
        {tree.length === 0 && !editing ? <p className="muted">No whys have been asked yet.</p> : null}
        {tree.length === 0 && editing ? (
          <div className="first-why">
            <h3>Start with the first why</h3>
            <WhyForm
              intent="add-why"
              hidden={{ parentId: "" }}
              values={{ question: "" }}
              level={1}
              severity={incident.severity}
              people={editing.whys.people}
              categories={editing.whys.categories}
              state={state?.target === "first-why" ? state : undefined}
              submit="Add the first why"
            />
          </div>
        ) : null}
      </section>

      <RelatedIncidents items={related} canEdit={permissions.contribute} state={state?.target === "related" ? state : undefined} />

      <section className="panel" aria-labelledby="actions-title" id="actions">
        <h2 id="actions-title">Follow-up actions</h2>
        <ActionFigures figures={actionFigures} />
        {unlinkedActions.length > 0 ? (
          <>
            <h3 id="actions-unlinked">Not linked to a why</h3>
            <WhyActions actions={unlinkedActions} redirectTo={`${page}#actions`} owners={editing?.whys.owners} state={state} />
          </>
        ) : null}
        <p className="small no-print">
          <Link to={`/actions/all?incident=${incident.id}`}>All actions of {incident.reference}</Link>
          {permissions.contribute ? (
            <>
              {" · "}
              <Link to={`${page}/actions/new`}>Add an action not tied to one why</Link>
            </>
          ) : null}
        </p>
      </section>

    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
