import { Form, Link, useLocation } from "@remix-run/react";
import { useEffect, useId, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { applyRewrite, type Finding, type WhyText } from "~/models/blame";
import { useWordingCheck } from "./use-wording-check";
import { labelFor } from "~/lib/item-label";
import { shorten } from "~/lib/shorten";
import { labelsFor, type Severity } from "~/models/incident";
import { FIELD_LIMITS, LIMITS, limitMessage } from "~/models/limits";
import { flatten, nestedTo, remediationGuidance, shallowBranchHint, type TreeNode, type WhyRead, type WhySource } from "~/models/why-tree";
import { WhyActions, type ActionView } from "./actions";
import { BlameFindings, SavedFindings, type SavedFinding } from "./blame-findings";
import { Field, FormError, SubmitButton } from "./form";
import { formKey, type FormState } from "./form-state";
import type { PersonOption } from "./incident-form";
import { QuickAction, QuickWhy } from "./quick-forms";
import { RecordForm } from "./record-form";
import { SeenBefore, type SeenBeforeView } from "./seen-before";
import { WhyAnswer } from "./why-answer";

export type CategoryOption = { slug: string; label: string };


const WHY_LABELS = labelsFor(["question", "answer", "category", "remediationMd", "noRemediationReason", "noActionReason", "rootReached"]);

/** A why as the page shows it to anyone who may see the incident. */
type WhyNode = TreeNode<WhyRead>;

/** What the why forms need: given only to those who may contribute, so readers get no forms. */
export type WhyEditing = {
  /** Each why's remediation source and version, by why. */
  sources: Record<number, WhySource>;
  /** The names of those taking part, for the blame-language check as people type. */
  people: string[];
  categories: CategoryOption[];
  /** Blame-language findings on the saved whys, by why. */
  findings: Record<number, SavedFinding[]>;
  /** The facilitator or an admin: may keep flagged wording with a reason. */
  canAcknowledge: boolean;
  /** Who may own a follow-up action, and the person adding one (its owner to start from). */
  owners: PersonOption[];
  me: number;
  /** Each why's remediation as plain text, the title a follow-up action starts from, by why. */
  actionTitles: Record<number, string>;
};

type TreeProps = {
  /** Labels of every category slug, merged ones included. */
  categoryLabels: Record<string, string>;
  nodes: WhyNode[];
  severity: Severity;
  /** Present for those who may contribute: the forms and what they need. */
  editing?: WhyEditing;
  /** Similar whys in other incidents, by why. */
  seenBefore: Record<number, SeenBeforeView[]>;
  /** The page's address, for forms that come back here. */
  page: string;
  /** Follow-up actions by the why whose remediation they carry out. */
  actions: Record<number, ActionView[]>;
  /** The form that came back from a failed save, if any. */
  state?: FormState;
};

/** The analysis as nested ordered lists: each level's answer with its remediation beside it. */
export function WhyTree({ nodes, ...rest }: TreeProps) {
  const all = flatten(nodes);
  const full = all.length >= LIMITS.whysPerIncident;
  const shown = nestedTo(nodes, LIMITS.depth);
  const branches = useBranches(shown);
  return (
    <>
      {full && rest.editing ? <p className="guidance">{limitMessage("whysPerIncident")}</p> : null}
      {all.length > 1 ? <WhyOutline nodes={shown} reveal={branches.reveal} /> : null}
      <ol className="why-tree">
        {shown.map((node) => (
          <WhyItem key={node.id} node={node} siblings={nodes.length} full={full} branches={branches} {...rest} />
        ))}
      </ol>
    </>
  );
}

/** Which branches are folded, and how to fold, unfold and show one why. */
type Branches = {
  /** Present once scripts run: without them every branch stays open. */
  ready: boolean;
  isFolded: (id: number) => boolean;
  toggle: (id: number) => void;
  /** Shows the whys below this one. */
  unfold: (id: number) => void;
  /** Unfolds whatever hides the why, so a link to it lands on it. */
  reveal: (id: number) => void;
};

/**
 * Folded branches are kept by why for as long as the page is open: a change that arrives live,
 * or one's own save, reloads the data but leaves them folded. A link to a why inside a folded
 * branch (the outline, a save landing on `#why-12`) unfolds the branches above it.
 */
function useBranches(nodes: WhyNode[]): Branches {
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  const [folded, setFolded] = useState<ReadonlySet<number>>(new Set());
  const parents = new Map<number, number>();
  for (const node of flatten(nodes)) for (const child of node.children) parents.set(child.id, node.id);
  const reveal = (id: number) =>
    setFolded((current) => {
      const next = new Set(current);
      for (let above = parents.get(id); above !== undefined; above = parents.get(above)) next.delete(above);
      return next.size === current.size ? current : next;
    });
  // Only when the address changes: a branch folded while the address names a why in it stays folded.
  const revealed = useRef(reveal);
  revealed.current = reveal;
  const { hash } = useLocation();
  useEffect(() => {
    const id = /^#why-(\d+)$/.exec(hash)?.[1];
    if (id) revealed.current(Number(id));
  }, [hash]);
  return {
    ready,
    isFolded: (id) => folded.has(id),
    toggle: (id) =>
      setFolded((current) => {
        const next = new Set(current);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    unfold: (id) =>
      setFolded((current) => {
        if (!current.has(id)) return current;
        const next = new Set(current);
        next.delete(id);
        return next;
      }),
    reveal,
  };
}

/** Every why by level, each a link to its card: the shape of the analysis at a glance. */
function WhyOutline({ nodes, reveal }: { nodes: WhyNode[]; reveal: (id: number) => void }) {
  return (
    <nav className="why-outline no-print" aria-labelledby="why-outline-title">
      <p className="why-outline__title" id="why-outline-title">
        Outline
      </p>
      <OutlineLevel nodes={nodes} reveal={reveal} />
    </nav>
  );
}

function OutlineLevel({ nodes, reveal }: { nodes: WhyNode[]; reveal: (id: number) => void }) {
  return (
    <ol>
      {nodes.map((node) => (
        <li key={node.id}>
          {/* The branch unfolds first; the card is then brought into view even when the address already names it. */}
          <a
            href={`#why-${node.id}`}
            onClick={() => {
              flushSync(() => reveal(node.id));
              document.getElementById(`why-${node.id}`)?.scrollIntoView();
            }}
          >
            <span className="why-outline__level">L{node.level}</span> <span className="why-outline__text">{shorten(node.answer.trim() || node.question, 70)}</span>
          </a>
          {node.children.length > 0 ? <OutlineLevel nodes={node.children} reveal={reveal} /> : null}
        </li>
      ))}
    </ol>
  );
}

function WhyItem({
  node,
  siblings,
  full,
  branches,
  ...rest
}: {
  node: WhyNode;
  /** How many answers its question has, this one included. */
  siblings: number;
  /** The incident holds as many whys as it may. */
  full: boolean;
  branches: Branches;
} & Omit<TreeProps, "nodes">) {
  const { severity, editing, state, page, actions, categoryLabels, seenBefore } = rest;
  const source = editing?.sources[node.id];
  const canEdit = Boolean(editing && source);
  const hint = shallowBranchHint(node);
  const findingsState = state?.target === `findings-${node.id}` ? state : undefined;
  const mine = actions[node.id] ?? [];
  const hasRemediation = Boolean(node.remediationHtml);
  const missing = !node.answer.trim() || (!hasRemediation && !node.noRemediationReason.trim());
  const stateFor = (target: string) => (state?.target === target ? state : undefined);
  const canGoDeeper = !full && node.level < LIMITS.depth;
  const folded = branches.ready && branches.isFolded(node.id);
  const deeperId = `why-${node.id}-deeper`;
  return (
    <li id={`why-${node.id}`} className={missing ? "why why--problem" : "why"}>
      <div className="why__card">
        <div className="why__chain">
          <span className="why__level">Level {node.level}</span>
          <h3 className="why__question">{node.question}</h3>
          <WhyAnswer answer={node.answer} />
        </div>
        <div className="why__remedy">
          <span className="why__remedy-label">Remediation at level {node.level}</span>
          {node.remediationHtml ? (
            <div className="prose" dangerouslySetInnerHTML={{ __html: node.remediationHtml }} />
          ) : node.noRemediationReason.trim() ? (
            <p>
              <em>None needed:</em> {node.noRemediationReason}
            </p>
          ) : (
            <p className="muted">
              <em>No remediation yet</em>
            </p>
          )}
          <WhyActions actions={mine} redirectTo={`${page}#why-${node.id}`} owners={editing?.owners} state={state} />
          {hasRemediation && mine.length === 0 && node.noActionReason.trim() ? (
            <p className="small">
              <em>No follow-up action needed:</em> {node.noActionReason}
            </p>
          ) : null}
          {editing && canEdit && hasRemediation ? (
            <div className="why__add-action no-print">
              <QuickAction
                node={node}
                title={editing.actionTitles[node.id] ?? ""}
                owners={editing.owners}
                ownerId={editing.me}
                state={stateFor(`action-for-${node.id}`)}
              />
              <p className="small">
                <Link to={`${page}/actions/new?why=${node.id}`}>Add follow-up action with every field</Link>
              </p>
            </div>
          ) : null}
        </div>
        {node.category || node.rootReached ? (
          <div className="why__meta">
            {node.category ? <span>Cause: {categoryLabels[node.category] ?? node.category}</span> : null}
            {node.rootReached ? <span className="root-reached">✓ Root cause reached</span> : null}
          </div>
        ) : null}
        {node.children.length > 0 && branches.ready ? (
          <p className="why__fold no-print">
            <button
              type="button"
              className="link-button"
              aria-expanded={!folded}
              aria-controls={deeperId}
              aria-label={labelFor(foldWords(node, folded), whyItem(node))}
              onClick={() => branches.toggle(node.id)}
            >
              {foldWords(node, folded)}
            </button>
          </p>
        ) : null}
        {hint && canEdit ? <p className="why__hint">{hint}</p> : null}
        {editing && source && (editing.findings[node.id] || findingsState) ? (
          <div className="why__blame">
            <SavedFindings
              whyId={node.id}
              level={node.level}
              question={node.question}
              version={source.version}
              findings={editing.findings[node.id] ?? []}
              canEdit={canEdit}
              canAcknowledge={editing.canAcknowledge}
              failure={
                findingsState
                  ? {
                      intent: findingsState.values.intent,
                      field: findingsState.values.field,
                      match: findingsState.values.match,
                      reason: findingsState.values.reason,
                      message: findingsState.errors.reason?.[0] ?? findingsState.formError ?? "",
                    }
                  : undefined
              }
            />
          </div>
        ) : null}
        {seenBefore[node.id] ? (
          <div className="why__seen">
            <SeenBefore whyId={node.id} items={seenBefore[node.id]} canLink={canEdit} />
          </div>
        ) : null}
        {editing && source ? (
          <div className="why__tools">
            {canGoDeeper ? <QuickWhy node={node} state={stateFor(`quick-${node.id}`)} onSend={() => branches.unfold(node.id)} /> : null}
            {/* At a limit the forms give way; a refused form still shows, with what was typed. */}
            {(full || node.level >= LIMITS.depth) && !stateFor(`child-${node.id}`) ? (
              full ? null : <p className="small muted">{limitMessage("depth")}</p>
            ) : (
              <WhyDisclosure
                summary="Ask why again"
                node={node}
                formKeyBase={`child-${node.id}-${node.children.length}`}
                state={stateFor(`child-${node.id}`)}
              >
                <p className="small muted">Why did this happen: “{node.answer || node.question}”?</p>
                <WhyForm
                  intent="add-why"
                  hidden={{ parentId: String(node.id) }}
                  values={{ question: "" }}
                  level={node.level + 1}
                  severity={severity}
                  people={editing.people}
                  categories={editing.categories}
                  state={stateFor(`child-${node.id}`)}
                  submit="Add the deeper why"
                />
              </WhyDisclosure>
            )}
            {full && !stateFor(`branch-${node.id}`) ? null : (
              <WhyDisclosure
                summary="Add another answer"
                node={node}
                formKeyBase={`branch-${node.id}-${siblings}`}
                state={stateFor(`branch-${node.id}`)}
              >
                <p className="small muted">Another contributing cause for the same question.</p>
                <WhyForm
                  intent="add-why"
                  hidden={{ parentId: node.parentId === null ? "" : String(node.parentId), branchOf: String(node.id) }}
                  values={{ question: node.question }}
                  level={node.level}
                  severity={severity}
                  people={editing.people}
                  categories={editing.categories}
                  state={stateFor(`branch-${node.id}`)}
                  submit="Add this answer"
                />
              </WhyDisclosure>
            )}
            <WhyDisclosure summary="Edit" node={node} formKeyBase={`edit-${node.id}-${source.version}`} state={stateFor(`why-${node.id}`)}>
              <WhyForm
                intent="update-why"
                hidden={{ whyId: String(node.id), version: state?.target === `why-${node.id}` && state.conflict ? state.conflict.version : String(source.version) }}
                values={{
                  question: node.question,
                  answer: node.answer,
                  category: node.category,
                  remediationMd: source.remediationMd,
                  noRemediationReason: node.noRemediationReason,
                  noActionReason: node.noActionReason,
                  rootReached: node.rootReached ? "on" : "",
                }}
                level={node.level}
                severity={severity}
                people={editing.people}
                categories={editing.categories}
                state={stateFor(`why-${node.id}`)}
                submit="Save changes"
              />
            </WhyDisclosure>
            <DeleteWhy node={node} actionCount={flatten([node]).reduce((n, w) => n + (actions[w.id]?.length ?? 0), 0)} state={stateFor(`delete-${node.id}`)} />
          </div>
        ) : null}
      </div>
      {node.children.length > 0 ? (
        <ol id={deeperId} hidden={folded}>
          {node.children.map((child) => (
            <WhyItem key={child.id} node={child} siblings={node.children.length} full={full} branches={branches} {...rest} />
          ))}
        </ol>
      ) : null}
    </li>
  );
}

function WhyDisclosure({
  summary,
  node,
  formKeyBase,
  state,
  children,
}: {
  summary: string;
  /** The why it acts on, named in the summary's accessible name. */
  node: WhyNode;
  formKeyBase: string;
  state?: FormState;
  children: React.ReactNode;
}) {
  return (
    <details className="disclosure" open={state ? true : undefined} key={formKey(formKeyBase, state)}>
      <summary aria-label={labelFor(summary, whyItem(node))}>{summary}</summary>
      {children}
    </details>
  );
}

/** The fold button's words: what it does to the whys below. */
function foldWords(node: WhyNode, folded: boolean): string {
  const n = node.descendantCount;
  const whys = n === 1 ? "the deeper why" : `the ${n} deeper whys`;
  return folded ? `Show ${whys}` : `Hide ${whys}`;
}

/** A why as the controls acting on it name it: its level and answer (siblings share a question). */
function whyItem(node: WhyNode): string {
  return `level ${node.level}, ${node.answer.trim() || node.question}`;
}

function DeleteWhy({ node, actionCount, state }: { node: WhyNode; /** Follow-up actions of this why and those below it. */ actionCount: number; state?: FormState }) {
  const deeper = node.descendantCount;
  return (
    <details className="disclosure" open={state ? true : undefined}>
      <summary aria-label={labelFor("Delete", whyItem(node))}>Delete</summary>
      <Form method="post" preventScrollReset>
        <FormError message={state?.formError} />
        <input type="hidden" name="whyId" value={node.id} />
        {deeper > 0 ? (
          <>
            <input type="hidden" name="confirm" value="yes" />
            <p>
              This why has {deeper} deeper {deeper === 1 ? "why" : "whys"} below it. Deleting it deletes{" "}
              {deeper === 1 ? "that one" : `all ${deeper}`} too.
            </p>
          </>
        ) : (
          <p>Delete this why and its remediation?</p>
        )}
        {actionCount > 0 ? (
          <p>
            {actionCount === 1
              ? `1 follow-up action of ${deeper > 0 ? "these whys" : "this why"} is kept, no longer linked to a why: find it under Follow-up actions, in “Not linked to a why”.`
              : `${actionCount} follow-up actions of ${deeper > 0 ? "these whys" : "this why"} are kept, no longer linked to a why: find them under Follow-up actions, in “Not linked to a why”.`}
          </p>
        ) : null}
        <SubmitButton intent="delete-why" match={{ whyId: String(node.id) }} className="button button--danger button--small" pendingText="Deleting…" label={labelFor(deeper > 0 ? `Delete ${deeper + 1} whys` : "Delete this why", whyItem(node))}>
          {deeper > 0 ? `Delete ${deeper + 1} whys` : "Delete this why"}
        </SubmitButton>
      </Form>
    </details>
  );
}

/** Question, answer, cause and the remediation at this level, with guidance for its size. */
export function WhyForm({
  intent,
  hidden,
  values,
  level,
  severity,
  people,
  categories,
  state,
  submit,
}: {
  intent: "add-why" | "update-why";
  hidden: Record<string, string>;
  values: Record<string, string>;
  level: number;
  severity: Severity;
  people: string[];
  categories: CategoryOption[];
  state?: FormState;
  submit: string;
}) {
  // The check runs in the browser once typing pauses, in a worker, on the text in the fields then;
  // never while the page renders (the findings of saved whys are stored when they are saved).
  const { findings: live, of: checkedText, stale, check } = useWordingCheck(people);
  const current = (): WhyText => ({
    question: refs.question.current?.value ?? "",
    answer: refs.answer.current?.value ?? "",
    remediationMd: refs.remediationMd.current?.value ?? "",
  });
  const track = () => check(current());
  const refs = {
    question: useRef<HTMLInputElement>(null),
    answer: useRef<HTMLTextAreaElement>(null),
    remediationMd: useRef<HTMLTextAreaElement>(null),
  };
  // "Use this wording" needs JavaScript; before the page is hydrated the button would do nothing.
  const findingsId = useId();
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  // A rewording applies only to the text it was found in: while the text has changed since, no button.
  const applier = (field: keyof WhyText) =>
    hydrated && !stale
      ? (finding: Finding) => {
          const element = refs[field].current;
          if (!element || !finding.rewrite || element.value !== checkedText?.[field]) return;
          element.value = applyRewrite(element.value, finding.rewrite);
          // The field's character count listens for input; a rewording changes the length too.
          element.dispatchEvent(new Event("input", { bubbles: true }));
          check(current(), true);
          element.focus();
        }
      : undefined;
  // Enter in the one-line question would submit a why before its answer is written: it moves on.
  const nextOnEnter = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== "Enter" || event.nativeEvent.isComposing) return;
    event.preventDefault();
    refs.answer.current?.focus();
  };
  return (
    <RecordForm intent={intent} hidden={hidden} values={values} state={state} labels={WHY_LABELS} submit={submit} className="why-form">
      {(shown, errors) => (
        <>
          <Field label={`Question (level ${level})`} name="question" error={errors.question} describedBy={`${findingsId}-question`} limit={FIELD_LIMITS.question}>
            {(p) => (
              <input
                {...p}
                ref={refs.question}
                type="text"
                required
                placeholder="Why did …?"
                defaultValue={shown.question}
                onChange={track}
                onKeyDown={nextOnEnter}
              />
            )}
          </Field>
          <BlameFindings findings={live.question} onApply={applier("question")} id={`${findingsId}-question`} label="Blameless wording in the question" />
          <Field
            label="Answer"
            name="answer"
            error={errors.answer}
            hint="Shown after “Because”: what in the system let this happen? Describe conditions, not culprits."
            describedBy={`${findingsId}-answer`}
            limit={FIELD_LIMITS.answer}
          >
            {(p) => <textarea {...p} ref={refs.answer} rows={2} required={intent === "add-why"} defaultValue={shown.answer} onChange={track} />}
          </Field>
          <BlameFindings findings={live.answer} onApply={applier("answer")} id={`${findingsId}-answer`} label="Blameless wording in the answer" />
          <Field label="Cause category" name="category" error={errors.category}>
            {(p) => (
              <select {...p} defaultValue={shown.category ?? ""}>
                <option value="">Not categorised yet</option>
                {categories.map((c) => (
                  <option key={c.slug} value={c.slug}>
                    {c.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <p className="guidance">
            <strong>Level {level}:</strong> {remediationGuidance(severity, level)}
          </p>
          <Field
            label={`Remediation at level ${level}`}
            name="remediationMd"
            error={errors.remediationMd}
            hint="Markdown."
            describedBy={`${findingsId}-remediation`}
            limit={FIELD_LIMITS.remediation}
          >
            {(p) => <textarea {...p} ref={refs.remediationMd} rows={2} defaultValue={shown.remediationMd} onChange={track} />}
          </Field>
          <BlameFindings findings={live.remediation} onApply={applier("remediationMd")} id={`${findingsId}-remediation`} label="Blameless wording in the remediation" />
          <Field
            label="Or: no remediation needed at this level, because"
            name="noRemediationReason"
            error={errors.noRemediationReason}
            hint="Leave empty when there is a remediation."
            limit={FIELD_LIMITS.reason}
          >
            {(p) => <input {...p} type="text" defaultValue={shown.noRemediationReason} />}
          </Field>
          <Field
            label="No follow-up action needed for this remediation, because"
            name="noActionReason"
            error={errors.noActionReason}
            hint="Every remediation needs a follow-up action before publishing, or a reason here (e.g. done during the response)."
            limit={FIELD_LIMITS.reason}
          >
            {(p) => <input {...p} type="text" defaultValue={shown.noActionReason} />}
          </Field>
          <div className="field">
            <label className="checkbox">
              <input type="checkbox" name="rootReached" defaultChecked={shown.rootReached === "on"} /> Root cause reached: no
              need to ask why again on this branch
            </label>
          </div>
        </>
      )}
    </RecordForm>
  );
}
