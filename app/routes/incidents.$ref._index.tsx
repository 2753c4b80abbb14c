import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ActionFigures } from "~/components/action-figures";
import { WhyActions, type ActionView } from "~/components/actions";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import type { FormState } from "~/components/form-state";
import { Lifecycle } from "~/components/lifecycle";
import { Timeline } from "~/components/timeline";
import { WhyForm, WhyTree } from "~/components/why-tree";
import { requireIncidentRoute } from "~/lib/guards.server";
import { formFailure, formValues, modelFailure, readForm, validate } from "~/lib/http.server";
import { revalidateAfterRefusal } from "~/lib/revalidate";
import { redirectWithFlash } from "~/lib/session.server";
import { shorten } from "~/lib/shorten";
import { formatDate, formatSpan, formatTime, fromInputValue, toInputValue } from "~/lib/time";
import { GLANCE } from "~/models/learning.server";
import { isOverdue } from "~/models/action";
import { figuresOfActions, listIncidentActions, today } from "~/models/action.server";
import { canChangeAction, permissionsFor } from "~/models/authorization";
import { changesSincePublication, republish } from "~/models/publication.server";
import { WHY_FIELDS } from "~/models/blame";
import { findingsOf } from "~/models/blame.server";
import { categoryLabels, listCategories } from "~/models/category.server";
import { parseReference, STATUSES, STATUS_LABELS, VISIBILITY_LABELS } from "~/models/incident";
import { NotFound } from "~/models/errors";
import { moveIncident, publishCheck, type Incident } from "~/models/incident.server";
import { linkIncidents, listRelated, similarWhys, unlinkIncidents } from "~/models/recurrence.server";
import type { User } from "~/models/user.server";
import { addTimelineEntry, deleteTimelineEntry, listTimeline, nextEntryTime, updateTimelineEntry } from "~/models/timeline.server";
import { acknowledgeFinding, addWhy, applySuggestion, deleteWhy, listWhys, updateWhy, withdrawAcknowledgement } from "~/models/why.server";
import { buildTree, type WhyRow } from "~/models/why-tree";
import type { SeenBeforeView } from "~/components/seen-before";
import { RelatedIncidents } from "~/components/related-incidents";
import { FIELD_LIMITS, tooLongMessage } from "~/models/limits";
import { lineField } from "~/models/form-fields.server";

const id = z.coerce.number().int().positive();
const version = z.coerce.number().int().positive();

const whySchema = z.object({
  question: lineField(FIELD_LIMITS.question, "Write the question, e.g. “Why did the CPU spike?”"),
  answer: z.string().trim().max(FIELD_LIMITS.answer, tooLongMessage(FIELD_LIMITS.answer)).default(""),
  category: z.string().trim().max(FIELD_LIMITS.category, tooLongMessage(FIELD_LIMITS.category)).default(""),
  remediationMd: z.string().trim().max(FIELD_LIMITS.remediation, tooLongMessage(FIELD_LIMITS.remediation)).default(""),
  noRemediationReason: z.string().trim().max(FIELD_LIMITS.reason, tooLongMessage(FIELD_LIMITS.reason)).default(""),
  noActionReason: z.string().trim().max(FIELD_LIMITS.reason, tooLongMessage(FIELD_LIMITS.reason)).default(""),
  rootReached: z
    .string()
    .optional()
    .transform((v) => v === "on"),
});
// A why is added with its answer: the quick path must not leave half-whys for the publish check.
const addWhySchema = whySchema.extend({
  parentId: z.union([z.literal("").transform(() => null), id]).default(null),
  answer: z
    .string()
    .default("")
    .pipe(
      z
        .string()
        .trim()
        .min(1, "Write the answer too: a why is added with its answer.")
        .max(FIELD_LIMITS.answer, tooLongMessage(FIELD_LIMITS.answer)),
    ),
});
const updateWhySchema = whySchema.extend({ whyId: id, version });
const deleteWhySchema = z.object({ whyId: id, confirm: z.string().optional() });

const entrySchema = z.object({
  at: z.string().transform((value, ctx) => {
    const iso = fromInputValue(value);
    if (!iso) ctx.addIssue({ code: "custom", message: "Enter the time (UTC)." });
    return iso ?? "";
  }),
  bodyMd: z.string().trim().min(1, "Write what happened.").max(FIELD_LIMITS.timelineEntry, tooLongMessage(FIELD_LIMITS.timelineEntry)),
});
const updateEntrySchema = entrySchema.extend({ entryId: id, version });
const deleteEntrySchema = z.object({ entryId: id });
const moveSchema = z.object({ to: z.enum(STATUSES) });
const findingSchema = z.object({ whyId: id, field: z.enum(WHY_FIELDS), match: z.string().min(1).max(500) });
const acknowledgeSchema = findingSchema.extend({
  reason: z.string().trim().min(1, "Say why this wording stays, e.g. it quotes someone's own account.").max(FIELD_LIMITS.reason, tooLongMessage(FIELD_LIMITS.reason)),
});
const applySchema = findingSchema.extend({ version });
const relatedSchema = z.object({
  relatedId: z.union([id, z.string().transform((ref, ctx) => parseReference(ref.trim()) ?? (ctx.addIssue({ code: "custom", message: "Enter a reference like INC-12." }), z.NEVER))]),
  whyId: id.optional(),
});

export const shouldRevalidate = revalidateAfterRefusal;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, incident } = await requireIncidentRoute(request, params.ref);
  const permissions = permissionsFor(user, incident);
  const edits = await changesSincePublication(incident.id);
  const whys = await listWhys(incident.id);
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
    whys,
    // For the wording check as people type: the names of those taking part, not the whole directory.
    people: permissions.contribute ? [incident.facilitator.name, ...incident.participants.map((p) => p.name)] : [],
    categories: (await listCategories()).map(({ slug, label }) => ({ slug, label })),
    categoryLabels: await categoryLabels(),
    findings: permissions.contribute ? Object.fromEntries(await findingsOf(incident.id)) : {},
    seenBefore: await seenBefore(user, incident, whys),
    related: (await listRelated(user, incident.id)).map((r) => ({ ...r, started: formatDate(r.startedAt.slice(0, 10)) })),
    ...(await followUp(user, incident)),
    ...(await timelineOf(incident)),
    problems: permissions.manage && incident.status === "review" ? await publishCheck(incident) : [],
  };
}

async function timelineOf(incident: Incident) {
  const entries = await listTimeline(incident.id);
  return {
    timeline: entries.map((e) => ({ ...e, atLabel: formatTime(e.at), atInput: toInputValue(e.at) })),
    nextEntryAt: toInputValue(nextEntryTime(incident, entries)),
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
    const view: ActionView = {
      id: action.id,
      title: action.title,
      ownerName: action.ownerName,
      due: formatDate(action.dueDate),
      status: action.status,
      priority: action.priority,
      overdue: isOverdue(action, todayDate),
      canChange: canChangeAction(user, incident, action),
    };
    if (action.whyId === null) unlinked.push(view);
    else (byWhy[action.whyId] ??= []).push(view);
  }
  return { actionsByWhy: byWhy, unlinkedActions: unlinked, actionFigures: figuresOfActions(list, todayDate) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, incident } = await requireIncidentRoute(request, params.ref);
  const values = formValues(await readForm(request));
  const page = `/incidents/${incident.reference}`;

  switch (values.intent) {
    case "add-why": {
      const target = values.branchOf ? `branch-${values.branchOf}` : values.parentId ? `child-${values.parentId}` : "first-why";
      const parsed = validate(addWhySchema, values);
      if (!parsed.ok) return formFailure(400, { target, errors: parsed.errors, values });
      const { parentId, ...fields } = parsed.data;
      try {
        const why = await addWhy(user, incident.id, parentId, fields);
        return redirect(`${page}#why-${why.id}`);
      } catch (error) {
        return modelFailure(error, values, target);
      }
    }
    case "update-why": {
      const target = `why-${values.whyId}`;
      const parsed = validate(updateWhySchema, values);
      if (!parsed.ok) return formFailure(400, { target, errors: parsed.errors, values });
      const { whyId, version: base, ...fields } = parsed.data;
      try {
        await updateWhy(user, incident.id, whyId, base, fields);
        return redirect(`${page}#why-${whyId}`);
      } catch (error) {
        return modelFailure(error, values, target);
      }
    }
    case "delete-why": {
      const parsed = validate(deleteWhySchema, values);
      if (!parsed.ok) throw new Response("Bad request", { status: 400 });
      try {
        const removed = await deleteWhy(user, incident.id, parsed.data.whyId, parsed.data.confirm === "yes");
        const whysGone = removed.whys === 1 ? "Why deleted." : `${removed.whys} whys deleted.`;
        if (removed.actionsKept === 0) return redirectWithFlash(`${page}#whys`, whysGone);
        return redirectWithFlash(
          `${page}#actions-unlinked`,
          `${whysGone} ${removed.actionsKept === 1 ? "1 follow-up action is kept" : `${removed.actionsKept} follow-up actions are kept`} under Follow-up actions, not linked to a why.`,
        );
      } catch (error) {
        return modelFailure(error, values, `delete-${parsed.data.whyId}`);
      }
    }
    case "add-entry": {
      const parsed = validate(entrySchema, values);
      if (!parsed.ok) return formFailure(400, { target: "new-entry", errors: parsed.errors, values });
      try {
        const entry = await addTimelineEntry(user, incident.id, parsed.data);
        return redirect(`${page}#entry-${entry.id}`);
      } catch (error) {
        return modelFailure(error, values, "new-entry");
      }
    }
    case "update-entry": {
      const target = `entry-${values.entryId}`;
      const parsed = validate(updateEntrySchema, values);
      if (!parsed.ok) return formFailure(400, { target, errors: parsed.errors, values });
      const { entryId, version: base, ...fields } = parsed.data;
      try {
        await updateTimelineEntry(user, incident.id, entryId, base, fields);
        return redirect(`${page}#entry-${entryId}`);
      } catch (error) {
        return modelFailure(error, values, target);
      }
    }
    case "delete-entry": {
      const parsed = validate(deleteEntrySchema, values);
      if (!parsed.ok) throw new Response("Bad request", { status: 400 });
      try {
        await deleteTimelineEntry(user, incident.id, parsed.data.entryId);
        return redirectWithFlash(`${page}#timeline`, "Timeline entry removed.");
      } catch (error) {
        return modelFailure(error, values, "timeline");
      }
    }
    case "apply-suggestion": {
      // Its own target: the why's Edit form must not open with only these hidden fields in it.
      const target = `findings-${values.whyId}`;
      const parsed = validate(applySchema, values);
      if (!parsed.ok) throw new Response("Bad request", { status: 400 });
      const { whyId, version: base, field, match } = parsed.data;
      try {
        await applySuggestion(user, incident.id, whyId, base, field, match);
        return redirectWithFlash(`${page}#why-${whyId}`, "Reworded with the suggestion. Adjust it in Edit if it needs more.");
      } catch (error) {
        return modelFailure(error, values, target);
      }
    }
    case "acknowledge-finding": {
      const target = `findings-${values.whyId}`;
      const parsed = validate(acknowledgeSchema, values);
      if (!parsed.ok) return formFailure(400, { target, errors: parsed.errors, values });
      const { whyId, field, match, reason } = parsed.data;
      try {
        await acknowledgeFinding(user, incident.id, whyId, field, match, reason);
        return redirect(`${page}#why-${whyId}`);
      } catch (error) {
        return modelFailure(error, values, target);
      }
    }
    case "withdraw-acknowledgement": {
      const parsed = validate(findingSchema, values);
      if (!parsed.ok) throw new Response("Bad request", { status: 400 });
      const { whyId, field, match } = parsed.data;
      try {
        await withdrawAcknowledgement(user, incident.id, whyId, field, match);
        return redirect(`${page}#why-${whyId}`);
      } catch (error) {
        return modelFailure(error, values, `findings-${whyId}`);
      }
    }
    case "link-incident": {
      const parsed = validate(relatedSchema, values);
      if (!parsed.ok) return formFailure(400, { target: "related", errors: parsed.errors, values });
      try {
        await linkIncidents(user, incident.id, parsed.data.relatedId);
        const back = parsed.data.whyId ? `${page}#why-${parsed.data.whyId}` : `${page}#related`;
        return redirectWithFlash(back, `${incident.reference} and INC-${parsed.data.relatedId} are marked as related.`);
      } catch (error) {
        if (error instanceof NotFound) {
          return formFailure(400, { target: "related", errors: { relatedId: ["No incident you can see has that reference."] }, values });
        }
        return modelFailure(error, values, "related");
      }
    }
    case "unlink-incident": {
      const parsed = validate(relatedSchema, values);
      if (!parsed.ok) throw new Response("Bad request", { status: 400 });
      try {
        await unlinkIncidents(user, incident.id, parsed.data.relatedId);
        return redirectWithFlash(`${page}#related`, `INC-${parsed.data.relatedId} is no longer marked as related.`);
      } catch (error) {
        return modelFailure(error, values, "related");
      }
    }
    case "republish": {
      try {
        const revision = await republish(user, incident.id);
        return redirectWithFlash(page, `${incident.reference} is republished (revision ${revision}); the learnings feed shows the new version.`);
      } catch (error) {
        return modelFailure(error, values, "move");
      }
    }
    case "move": {
      const parsed = validate(moveSchema, values);
      if (!parsed.ok) throw new Response("Bad request", { status: 400 });
      try {
        const moved = await moveIncident(user, incident.id, parsed.data.to);
        const message =
          moved.status === "published"
            ? `${moved.reference} is published. Thank you for running a blameless 5 Whys.`
            : `${moved.reference} moved to ${STATUS_LABELS[moved.status].toLowerCase()}.`;
        return redirectWithFlash(page, message);
      } catch (error) {
        return modelFailure(error, values, "move");
      }
    }
  }
  throw new Response("Bad request", { status: 400 });
}

export default function Analysis() {
  const {
    incident,
    permissions,
    whys,
    people,
    categories,
    categoryLabels,
    findings,
    seenBefore,
    related,
    timeline,
    problems,
    nextEntryAt,
    actionsByWhy,
    unlinkedActions,
    actionFigures,
  } = useLoaderData<typeof loader>();
  const page = `/incidents/${incident.reference}`;
  const failure = useActionData<typeof action>();
  const state: FormState | undefined = failure && !failure.ok && failure.target ? (failure as FormState) : undefined;
  const blocked = failure && "problems" in failure ? failure.problems : undefined;
  const tree = buildTree(whys);

  return (
    <>
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
            canEdit={permissions.contribute}
            canAcknowledge={permissions.manage}
            state={state}
            page={page}
            actions={actionsByWhy}
            people={people}
            categories={categories}
            categoryLabels={categoryLabels}
            findings={findings}
            seenBefore={seenBefore}
          />
        ) : null}
        {tree.length === 0 && !permissions.contribute ? <p className="muted">No whys have been asked yet.</p> : null}
        {tree.length === 0 && permissions.contribute ? (
          <div className="first-why">
            <h3>Start with the first why</h3>
            <WhyForm
              intent="add-why"
              hidden={{ parentId: "" }}
              values={{ question: "" }}
              level={1}
              severity={incident.severity}
              people={people}
              categories={categories}
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
            <WhyActions actions={unlinkedActions} redirectTo={`${page}#actions`} />
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

      <section className="panel" aria-labelledby="timeline-title" id="timeline">
        <h2 id="timeline-title">Timeline</h2>
        <Timeline entries={timeline} canEdit={permissions.contribute} state={state} defaultAt={nextEntryAt} />
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
