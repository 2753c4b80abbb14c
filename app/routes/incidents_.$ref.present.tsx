import sessionStyles from "~/live-session.css?url";
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Countdown } from "~/components/live-session";
import { requireIncidentRoute } from "~/lib/guards.server";
import { useLiveIncident } from "~/lib/live";
import { PHASES, PHASE_LABELS, groupCandidates } from "~/models/live-session";
import { openSessionOf, sessionState } from "~/models/live-session.server";
import { latestChange } from "~/models/live.server";
import { listWhys } from "~/models/why.server";
import { buildTree, type TreeNode, type WhyRead } from "~/models/why-tree";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: sessionStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.reference} · Present · Hindsight` : "Present · Hindsight" }];

/**
 * The session for a shared screen: large type, the question the room is asked, the tree so far
 * and the timer. Read-only, and live like the session page; nobody's draft is ever on it.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, incident } = await requireIncidentRoute(request, params.ref);
  const liveSince = await latestChange(incident.id);
  const session = await openSessionOf(incident.id);
  const state = session ? await sessionState(user, incident, session) : null;
  const whys = await listWhys(incident.id);
  return {
    reference: incident.reference,
    title: incident.title,
    liveSince,
    serverNow: new Date().toISOString(),
    session: session && state ? { phase: session.phase, timerEndsAt: session.timerEndsAt, anonymous: session.anonymous, present: state.present, ready: state.ready } : null,
    round: state?.round ?? null,
    whys: whys.map(({ remediationMd: _source, version: _version, ...read }): WhyRead => read),
  };
}

export default function Present() {
  const data = useLoaderData<typeof loader>();
  useLiveIncident(data.reference, data.liveSince, { session: true });
  const tree = buildTree(data.whys);
  const round = data.round;
  const groups = round && round.state !== "drafting" ? groupCandidates(round.candidates, new Map(Object.entries(round.votes)), new Set()) : [];
  return (
    <div className="present">
      <header className="present__header">
        <p>
          <span className="ref">{data.reference}</span> {data.title}
        </p>
        {data.session ? (
          <ol className="present__phases" aria-label="Phases">
            {PHASES.map((p) => (
              <li key={p} aria-current={p === data.session!.phase ? "step" : undefined}>
                {PHASE_LABELS[p]}
              </li>
            ))}
          </ol>
        ) : null}
        <Countdown endsAt={data.session?.timerEndsAt ?? null} serverNow={data.serverNow} lead={false} large />
      </header>
      {!data.session ? (
        <p className="present__question">
          No live session is in progress. <Link to={`/incidents/${data.reference}`}>Back to the analysis</Link>
        </p>
      ) : round ? (
        <section aria-label="The question" className="present__round">
          <h1 className="present__question">{round.question}</h1>
          {round.state === "drafting" ? (
            <p className="present__status">
              {round.drafts} {round.drafts === 1 ? "candidate" : "candidates"} written · {data.session.ready} of {data.session.present} ready
            </p>
          ) : (
            <ol className="present__candidates">
              {groups.map((g) => (
                <li key={g.key}>
                  <span>{g.body}</span> <span className="present__votes">{g.votes}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
      ) : (
        <h1 className="present__question">{PHASE_LABELS[data.session.phase]}</h1>
      )}
      <section aria-label="The tree so far" className="present__tree">
        {tree.length === 0 ? <p>No whys yet.</p> : <PresentTree nodes={tree} current={round?.whyId ?? null} />}
      </section>
    </div>
  );
}

function PresentTree({ nodes, current }: { nodes: TreeNode<WhyRead>[]; current: number | null }) {
  return (
    <ol>
      {nodes.map((n) => (
        <li key={n.id} className={n.id === current ? "present__current" : undefined}>
          <p>
            <span className="present__level">L{n.level}</span> {n.answer}
          </p>
          {n.remediationHtml ? <div className="present__remediation prose" dangerouslySetInnerHTML={{ __html: n.remediationHtml }} /> : null}
          {n.children.length > 0 ? <PresentTree nodes={n.children} current={current} /> : null}
        </li>
      ))}
    </ol>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
