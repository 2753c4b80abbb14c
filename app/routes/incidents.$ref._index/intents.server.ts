import { redirect } from "@remix-run/node";
import { formFailure } from "~/lib/http.server";
import { intent, type Intent } from "~/lib/intents.server";
import { redirectWithFlash } from "~/lib/session.server";
import type { Viewer } from "~/models/authorization";
import { NotFound } from "~/models/errors";
import { STATUS_LABELS } from "~/models/incident";
import type { Incident } from "~/models/incident.server";
import { moveIncident } from "~/models/incident.server";
import { createAction, pastDueRefusal, replanAction } from "~/models/action.server";
import { formatDate, formatTime } from "~/lib/time";
import {
  acknowledgement,
  actionPlanChange,
  findingRef,
  gateExceptionEnd,
  gateExceptionGrant,
  lifecycleMove,
  newActionInput,
  newWhyInput,
  relatedLink,
  suggestionAcceptance,
  timelineEntryChange,
  timelineEntryDeletion,
  timelineEntryInput,
  whyChange,
  whyDeletion,
} from "~/models/inputs";
import { endGateException, grantGateException } from "~/models/gate.server";
import { republish } from "~/models/publication.server";
import { linkIncidents, unlinkIncidents } from "~/models/recurrence.server";
import { addTimelineEntry, deleteTimelineEntry, updateTimelineEntry } from "~/models/timeline.server";
import { acknowledgeFinding, addWhy, applySuggestion, deleteWhy, updateWhy, withdrawAcknowledgement } from "~/models/why.server";
import { z } from "zod";

// What the incident page's forms change, one intent each: the why tree, follow-up actions added
// or replanned on a why's card, the timeline, the wording findings, related incidents, the
// lifecycle and exceptions to the deploy gate. Each reads a domain input (app/models/inputs.ts), calls one model, and answers with
// where to go back on the page.

/** Who asks, about which incident; every intent acts on the incident in the address. */
export type IncidentPageContext = { user: Viewer; incident: Incident };

const pageOf = (incident: Incident) => `/incidents/${incident.reference}`;
const findingsOf = (values: Record<string, string>) => `findings-${values.whyId}`;
const actionFormOf = (values: Record<string, string>) => `action-for-${values.whyId || "incident"}`;

export const INCIDENT_PAGE_INTENTS: Record<string, Intent<IncidentPageContext>> = {
  "add-why": intent({
    input: newWhyInput,
    // The first why, a deeper one (from the full form or the quick row), or another answer to the
    // same question: each has its form.
    target: (values) =>
      values.branchOf
        ? `branch-${values.branchOf}`
        : values.parentId
          ? `${values.quick ? "quick" : "child"}-${values.parentId}`
          : "first-why",
    run: async ({ user, incident }: IncidentPageContext, { parentId, ...fields }) => {
      const why = await addWhy(user, incident.id, parentId, fields);
      return redirect(`${pageOf(incident)}#why-${why.id}`);
    },
  }),
  "update-why": intent({
    input: whyChange,
    target: (values) => `why-${values.whyId}`,
    run: async ({ user, incident }: IncidentPageContext, { whyId, version, ...fields }) => {
      await updateWhy(user, incident.id, whyId, version, fields);
      return redirect(`${pageOf(incident)}#why-${whyId}`);
    },
  }),
  "delete-why": intent({
    input: whyDeletion,
    target: (values) => `delete-${values.whyId}`,
    refused: "bad-request",
    run: async ({ user, incident }: IncidentPageContext, { whyId, confirm }) => {
      const removed = await deleteWhy(user, incident.id, whyId, confirm === "yes");
      const page = pageOf(incident);
      const whysGone = removed.whys === 1 ? "Why deleted." : `${removed.whys} whys deleted.`;
      if (removed.actionsKept === 0) return redirectWithFlash(`${page}#whys`, whysGone);
      return redirectWithFlash(
        `${page}#actions-unlinked`,
        `${whysGone} ${removed.actionsKept === 1 ? "1 follow-up action is kept" : `${removed.actionsKept} follow-up actions are kept`} under Follow-up actions, not linked to a why.`,
      );
    },
  }),
  "add-action": intent({
    input: newActionInput,
    target: actionFormOf,
    run: async ({ user, incident }: IncidentPageContext, { whyId, ...fields }, values) => {
      const pastDue = await pastDueRefusal(fields.dueDate, values.pastDue === "confirmed");
      if (pastDue) return formFailure(400, { target: actionFormOf(values), errors: { dueDate: [pastDue] }, values, confirm: "pastDue" });
      const created = await createAction(user, incident.id, whyId, fields);
      return redirectWithFlash(`${pageOf(incident)}#action-${created.id}`, `Action added for ${created.ownerName}, due ${formatDate(created.dueDate)}.`);
    },
  }),
  "replan-action": intent({
    input: actionPlanChange,
    target: (values) => `action-${values.actionId}`,
    run: async ({ user, incident }: IncidentPageContext, { actionId, version, ...plan }) => {
      const changed = await replanAction(user, incident.id, actionId, version, plan);
      return redirectWithFlash(
        `${pageOf(incident)}#action-${actionId}`,
        `“${changed.title}” saved: ${changed.ownerName}, due ${formatDate(changed.dueDate)}, ${changed.priority}.`,
      );
    },
  }),
  "add-entry": intent({
    input: timelineEntryInput,
    target: () => "new-entry",
    run: async ({ user, incident }: IncidentPageContext, fields) => {
      const entry = await addTimelineEntry(user, incident.id, fields);
      return redirect(`${pageOf(incident)}#entry-${entry.id}`);
    },
  }),
  "update-entry": intent({
    input: timelineEntryChange,
    target: (values) => `entry-${values.entryId}`,
    run: async ({ user, incident }: IncidentPageContext, { entryId, version, ...fields }) => {
      await updateTimelineEntry(user, incident.id, entryId, version, fields);
      return redirect(`${pageOf(incident)}#entry-${entryId}`);
    },
  }),
  "delete-entry": intent({
    input: timelineEntryDeletion,
    target: () => "timeline",
    refused: "bad-request",
    run: async ({ user, incident }: IncidentPageContext, { entryId }) => {
      await deleteTimelineEntry(user, incident.id, entryId);
      return redirectWithFlash(`${pageOf(incident)}#timeline`, "Timeline entry removed.");
    },
  }),
  "apply-suggestion": intent({
    input: suggestionAcceptance,
    // Its own target: the why's Edit form must not open with only these hidden fields in it.
    target: findingsOf,
    refused: "bad-request",
    run: async ({ user, incident }: IncidentPageContext, { whyId, version, field, match }) => {
      await applySuggestion(user, incident.id, whyId, version, field, match);
      return redirectWithFlash(`${pageOf(incident)}#why-${whyId}`, "Reworded with the suggestion. Adjust it in Edit if it needs more.");
    },
  }),
  "acknowledge-finding": intent({
    input: acknowledgement,
    target: findingsOf,
    run: async ({ user, incident }: IncidentPageContext, { whyId, field, match, reason }) => {
      await acknowledgeFinding(user, incident.id, whyId, field, match, reason);
      return redirect(`${pageOf(incident)}#why-${whyId}`);
    },
  }),
  "withdraw-acknowledgement": intent({
    input: findingRef,
    target: findingsOf,
    refused: "bad-request",
    run: async ({ user, incident }: IncidentPageContext, { whyId, field, match }) => {
      await withdrawAcknowledgement(user, incident.id, whyId, field, match);
      return redirect(`${pageOf(incident)}#why-${whyId}`);
    },
  }),
  "link-incident": intent({
    input: relatedLink,
    target: () => "related",
    run: async ({ user, incident }: IncidentPageContext, { relatedId, whyId }, values) => {
      try {
        await linkIncidents(user, incident.id, relatedId);
      } catch (error) {
        // Said next to the reference typed, whether it does not exist or is not theirs to see.
        if (error instanceof NotFound) return formFailure(400, { target: "related", errors: { relatedId: ["No incident you can see has that reference."] }, values });
        throw error;
      }
      const page = pageOf(incident);
      return redirectWithFlash(whyId ? `${page}#why-${whyId}` : `${page}#related`, `${incident.reference} and INC-${relatedId} are marked as related.`);
    },
  }),
  "unlink-incident": intent({
    input: relatedLink,
    target: () => "related",
    refused: "bad-request",
    run: async ({ user, incident }: IncidentPageContext, { relatedId }) => {
      await unlinkIncidents(user, incident.id, relatedId);
      return redirectWithFlash(`${pageOf(incident)}#related`, `INC-${relatedId} is no longer marked as related.`);
    },
  }),
  republish: intent({
    input: z.object({}),
    target: () => "move",
    run: async ({ user, incident }: IncidentPageContext) => {
      const revision = await republish(user, incident.id);
      return redirectWithFlash(pageOf(incident), `${incident.reference} is republished (revision ${revision}); the learnings feed shows the new version.`);
    },
  }),
  move: intent({
    input: lifecycleMove,
    target: () => "move",
    refused: "bad-request",
    run: async ({ user, incident }: IncidentPageContext, { to }) => {
      const moved = await moveIncident(user, incident.id, to);
      const message =
        moved.status === "published"
          ? `${moved.reference} is published. Thank you for running a blameless 5 Whys.`
          : `${moved.reference} moved to ${STATUS_LABELS[moved.status].toLowerCase()}.`;
      return redirectWithFlash(pageOf(incident), message);
    },
  }),
  "grant-gate-exception": intent({
    input: gateExceptionGrant,
    target: () => "gate",
    run: async ({ user, incident }: IncidentPageContext, grant) => {
      const exception = await grantGateException(user, incident.id, grant);
      return redirectWithFlash(`${pageOf(incident)}#deploy-gate`, `Deploys are let through the gate despite ${incident.reference} until ${formatTime(exception.expiresAt)}.`);
    },
  }),
  "end-gate-exception": intent({
    input: gateExceptionEnd,
    target: () => "gate",
    refused: "bad-request",
    run: async ({ user, incident }: IncidentPageContext, { exceptionId }) => {
      await endGateException(user, incident.id, exceptionId);
      return redirectWithFlash(`${pageOf(incident)}#deploy-gate`, `The exception is ended: ${incident.reference} holds deploys again.`);
    },
  }),
};
