import { useFetcher } from "@remix-run/react";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { labelFor } from "~/lib/item-label";
import { PRIORITIES, PRIORITY_LABELS, type Priority } from "~/models/action";
import { nextQuestion } from "~/models/why-tree";
import { Field, FormError, type ControlProps } from "./form";
import { focusOn, formKey, useFetcherSaved, type FormState } from "./form-state";
import type { PersonOption } from "./incident-form";
import { PastDueConfirm } from "./action-form";

// The facilitator's short forms on the incident page: the next why on one row, and a follow-up
// action added or replanned on a why's card. With JavaScript each is sent by a fetcher (the page
// stays, focus moves to what was saved). Without it the quick row is a plain form post that comes
// back to the new why, and actions are added and changed on their own pages
// (docs/decisions/0024-quick-forms-on-the-incident-page.md).

/** What a refused save answers: the form's values and messages, as FormState, maybe a confirmation to give. */
type Refusal = FormState & { ok: false; confirm?: string };

/** The refusal to show: the fetcher's, or the page's after a post without JavaScript. */
function refusalOf(data: unknown, page: FormState | undefined): (FormState & { confirm?: string }) | undefined {
  const fetched = data as Refusal | undefined;
  return fetched && fetched.ok === false ? fetched : page;
}

/** The why a quick form hangs off, as the forms name it. */
export type QuickWhyNode = { id: number; level: number; question: string; answer: string };

/** The item a control acts on, for its accessible name: "level 2, The lock had no timeout". */
const itemOf = (node: QuickWhyNode) => `level ${node.level}, ${node.answer.trim() || node.question}`;

/**
 * The next why under `node` on one row: question (offered from the answer above), answer and
 * remediation; Enter saves. Category, root cause and the rest are in the full form.
 */
export function QuickWhy({ node, state, onSend }: { node: QuickWhyNode; state?: FormState; onSend?: () => void }) {
  const fetcher = useFetcher();
  const form = useRef<HTMLFormElement>(null);
  const refusal = refusalOf(fetcher.data, state);
  const errors = refusal?.errors ?? {};
  const shown = refusal?.values ?? {};
  const level = node.level + 1;
  useFetcherSaved(fetcher, (saved) => {
    form.current?.reset();
    if (!saved) return;
    // On to the new why's own row, so the next level is typed at once.
    const next = saved.querySelector<HTMLElement>(":scope > .why__card [data-quick='answer']");
    focusOn(next ?? saved);
  });
  return (
    <fetcher.Form method="post" preventScrollReset className="quick-why" ref={form} key={formKey(`quick-${node.id}`, state)} onSubmit={onSend}>
      <input type="hidden" name="intent" value="add-why" />
      <input type="hidden" name="parentId" value={node.id} />
      <input type="hidden" name="quick" value="yes" />
      <FormError message={refusal?.formError} />
      <div className="quick-why__row">
        <Field label={`Level ${level} question`} name="question" error={errors.question} className="quick-why__question">
          {(p) => <input {...p} type="text" required placeholder="Why did …?" defaultValue={shown.question ?? nextQuestion(node.answer)} />}
        </Field>
        <Field label={`Level ${level} answer`} name="answer" error={errors.answer} className="quick-why__answer">
          {(p) => <input {...p} type="text" required placeholder="What let this happen" defaultValue={shown.answer} data-quick="answer" />}
        </Field>
        <Field label={`Level ${level} remediation`} name="remediationMd" error={errors.remediationMd} className="quick-why__remedy">
          {(p) => <input {...p} type="text" placeholder="What changes at this level" defaultValue={shown.remediationMd} />}
        </Field>
        <button type="submit" className="button button--small quick-why__add" disabled={fetcher.state !== "idle"} aria-label={labelFor(`Add level ${level}`, `under ${itemOf(node)}`)}>
          {fetcher.state === "idle" ? `Add level ${level}` : "Adding…"}
        </button>
      </div>
    </fetcher.Form>
  );
}

/**
 * A follow-up action for a why's remediation, on its card: title (from the remediation), owner,
 * due date, priority. Built once it is opened, and only with JavaScript: without it, "Add
 * follow-up action" beside it opens the same form on a page of its own.
 */
export function QuickAction({
  node,
  title,
  owners,
  ownerId,
  state,
}: {
  node: QuickWhyNode;
  /** The remediation's first line, as the title to start from. */
  title: string;
  owners: PersonOption[];
  /** The owner to start from: the person adding it. */
  ownerId: number;
  state?: FormState;
}) {
  return (
    <OnDemand key={formKey(`action-for-${node.id}`, state)} summary="Add an action here" label={labelFor("Add an action here", itemOf(node))} className="quick-action" refused={Boolean(state)}>
      {(close) => <QuickActionForm node={node} title={title} owners={owners} ownerId={ownerId} state={state} close={close} />}
    </OnDemand>
  );
}

/**
 * A form opened on demand and sent without a page load: what it was refused with (from this
 * fetcher, or from the page's own post without JavaScript), and, once saved, closed with the
 * focus on what was saved.
 */
function useOnDemandFetcher(state: FormState | undefined, close: () => void) {
  const fetcher = useFetcher();
  const refusal = refusalOf(fetcher.data, state);
  useFetcherSaved(fetcher, (saved) => {
    close();
    if (saved) focusOn(saved);
  });
  return { fetcher, refusal, errors: refusal?.errors ?? {}, shown: refusal?.values ?? {} };
}

function QuickActionForm({ node, title, owners, ownerId, state, close }: { node: QuickWhyNode; title: string; owners: PersonOption[]; ownerId: number; state?: FormState; close: () => void }) {
  const { fetcher, refusal, errors, shown } = useOnDemandFetcher(state, close);
  return (
    <fetcher.Form method="post" preventScrollReset className="quick-action__form">
      <input type="hidden" name="intent" value="add-action" />
      <input type="hidden" name="whyId" value={node.id} />
      <FormError message={refusal?.formError} />
      <Field label="Action" name="title" error={errors.title}>
        {(p) => <input {...p} type="text" required defaultValue={shown.title ?? title} />}
      </Field>
      <div className="quick-action__row">
        <Field label="Owner" name="ownerId" error={errors.ownerId}>
          {(p) => <OwnerSelect {...p} owners={owners} defaultValue={shown.ownerId ?? String(ownerId)} />}
        </Field>
        <Field label="Due date" name="dueDate" error={errors.dueDate} hint="Empty: by the due-date policy.">
          {(p) => <input {...p} type="date" defaultValue={shown.dueDate} />}
        </Field>
        <Field label="Priority" name="priority" error={errors.priority}>
          {(p) => <PrioritySelect {...p} defaultValue={shown.priority ?? "P2"} />}
        </Field>
      </div>
      {refusal?.confirm === "pastDue" ? <PastDueConfirm /> : null}
      <button type="submit" className="button button--small" disabled={fetcher.state !== "idle"} aria-label={labelFor("Add action", itemOf(node))}>
        {fetcher.state === "idle" ? "Add action" : "Adding…"}
      </button>
    </fetcher.Form>
  );
}

/** What the person may change of an action where it is listed, and the version they read. */
export type ActionPlanView = { version: number; ownerId: number; ownerName: string; dueDate: string; priority: Priority };

/**
 * An action's owner, due date and priority, changed where it is listed. Built once it is opened,
 * and only with JavaScript: without it, the action's own page changes them.
 */
export function ActionPlanForm(props: { id: number; title: string; plan: ActionPlanView; owners: PersonOption[]; state?: FormState }) {
  const { id, title, plan, state } = props;
  return (
    <OnDemand key={formKey(`plan-${id}-${plan.version}`, state)} summary="Change owner or due date" label={labelFor("Change owner or due date", title)} refused={Boolean(state)}>
      {(close) => <ActionPlanFields {...props} close={close} />}
    </OnDemand>
  );
}

function ActionPlanFields({ id, title, plan, owners, state, close }: { id: number; title: string; plan: ActionPlanView; owners: PersonOption[]; state?: FormState; close: () => void }) {
  const { fetcher, refusal, errors, shown } = useOnDemandFetcher(state, close);
  // An owner who has left is still shown as the owner, and kept unless another is chosen.
  const choices = owners.some((o) => o.id === plan.ownerId) ? owners : [{ id: plan.ownerId, name: plan.ownerName, team: "" }, ...owners];
  const conflict = refusal?.conflict
    ? "Someone else changed this action while you were editing; the list shows their version now. Save again to keep yours."
    : undefined;
  return (
    <fetcher.Form method="post" preventScrollReset className="quick-action__form">
      <input type="hidden" name="intent" value="replan-action" />
      <input type="hidden" name="actionId" value={id} />
      <input type="hidden" name="version" value={plan.version} />
      <FormError message={conflict ?? refusal?.formError} />
      <div className="quick-action__row">
        <Field label="Owner" name="ownerId" error={errors.ownerId}>
          {(p) => <OwnerSelect {...p} owners={choices} defaultValue={shown.ownerId ?? String(plan.ownerId)} />}
        </Field>
        <Field label="Due date" name="dueDate" error={errors.dueDate} hint="Empty: by the due-date policy.">
          {(p) => <input {...p} type="date" defaultValue={shown.dueDate ?? plan.dueDate} />}
        </Field>
        <Field label="Priority" name="priority" error={errors.priority}>
          {(p) => <PrioritySelect {...p} defaultValue={shown.priority ?? plan.priority} />}
        </Field>
      </div>
      <button type="submit" className="button button--small" disabled={fetcher.state !== "idle"} aria-label={labelFor("Save", title)}>
        {fetcher.state === "idle" ? "Save" : "Saving…"}
      </button>
    </fetcher.Form>
  );
}

/**
 * A disclosure whose form is built only when it is opened. Every why and every action has one:
 * built up front, an incident at its limits would carry hundreds of lists of its people, twice
 * the page (ADR 0024). Without JavaScript it is not offered (the change has a page of its own),
 * unless a refused post came back to it.
 */
function OnDemand({
  summary,
  label,
  className,
  refused,
  children,
}: {
  summary: string;
  /** The accessible name: the words, then the item they act on. */
  label: string;
  className?: string;
  /** A post without JavaScript came back refused to this form: it is shown open, with its messages. */
  refused: boolean;
  children: (close: () => void) => ReactNode;
}) {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const [open, setOpen] = useState(refused);
  const details = useRef<HTMLDetailsElement>(null);
  if (!hydrated && !refused) return null;
  const close = () => {
    if (details.current) details.current.open = false;
  };
  return (
    <details className={["disclosure", className ?? ""].join(" ").trim()} open={refused ? true : undefined} ref={details} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary aria-label={label}>{summary}</summary>
      {open ? children(close) : null}
    </details>
  );
}

function OwnerSelect({ owners, ...props }: ControlProps & { owners: PersonOption[]; defaultValue: string }) {
  return (
    <select {...props}>
      {owners.map((person) => (
        <option key={person.id} value={person.id}>
          {person.name}
          {person.team ? ` (${person.team})` : ""}
        </option>
      ))}
    </select>
  );
}

function PrioritySelect(props: ControlProps & { defaultValue: string }) {
  return (
    <select {...props}>
      {PRIORITIES.map((priority) => (
        <option key={priority} value={priority}>
          {PRIORITY_LABELS[priority]}
        </option>
      ))}
    </select>
  );
}
