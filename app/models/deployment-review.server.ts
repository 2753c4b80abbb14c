import { and, desc, eq, gt, isNull, lt, sql } from "drizzle-orm";
import { afterCommit, db, schema } from "~/lib/db.server";
import { apiUrl, callbackUnderApi } from "~/lib/github.server";
import { EVERYONE, type Viewer } from "./authorization";
import { assertAdmin } from "./authorization.server";
import { Invalid } from "./errors";
import { decisionComment, serviceOfRepository } from "./gate";
import { decideGate, repositoryServices } from "./gate.server";
import { deliverSoon, enqueueGitHubAnswer, GITHUB_ANSWER_KEY_PREFIX } from "./outbox.server";

// GitHub's custom deployment protection rule: GitHub asks whether a deployment may go ahead
// (a deployment_protection_rule event), Hindsight decides with the deploy gate, as nobody in
// particular, and answers GitHub's callback as the App. The decision is stored first, keyed by
// the delivery, so a delivery GitHub sends again is answered once; its answer is written to the
// outbox in the same transaction, sent after the commit, and tried again for about a day while
// GitHub does not take it (deployment-answer.server.ts). docs/decisions/0030-deploy-gate.md

const { deploymentReviews, outbox } = schema;

/** What Hindsight reads of a deployment_protection_rule event ("requested"). */
export type DeploymentRequest = {
  /** X-GitHub-Delivery. */
  deliveryId: string;
  environment: string;
  /** What started the deployment ("push", "workflow_dispatch"…): for the log. */
  event: string;
  callbackUrl: string;
  installationId: number;
  repository: { fullName: string; name: string };
};

export type DeploymentReview = typeof deploymentReviews.$inferSelect;

/** Reviews are kept this long: for the admin page, and to recognise a delivery GitHub sends again. */
export const REVIEWS_KEPT_DAYS = 30;

/**
 * Decides a deployment GitHub asks about and stores the answer to send, once per delivery. A
 * callback URL outside the configured API is refused before anything is decided or stored.
 * `repeated`: the delivery was received before (its answer is the one decided then).
 */
export async function receiveDeploymentRequest(request: DeploymentRequest, now: Date = new Date()): Promise<{ review: DeploymentReview; repeated: boolean }> {
  if (!callbackUnderApi(request.callbackUrl)) {
    throw new Invalid(
      `The deployment_callback_url is not a deployment protection rule's address under ${apiUrl()} (GITHUB_API_URL); Hindsight answers only there.`,
      "deployment_callback_url",
    );
  }
  const before = await reviewOfDelivery(request.deliveryId);
  if (before) return { review: before, repeated: true };
  const service = serviceOfRepository(request.repository, await repositoryServices());
  // A repository whose name is no service name (GitHub allows 100 characters, services 60) is
  // still answered, and listed on the Deploy gate page: rejected, saying how to map it.
  const decided = await decideGate(EVERYONE, service, now).then(
    (decision) => ({ service: decision.service, approved: decision.open, comment: decisionComment(decision) }),
    (error: unknown) => {
      if (!(error instanceof Invalid)) throw error;
      return {
        service: service.slice(0, 60),
        approved: false,
        comment: `Hindsight cannot take "${request.repository.name}" as a service name (${error.message}) Map ${request.repository.fullName} to a service on Hindsight's Deploy gate page, then re-run the deployment.`,
      };
    },
  );
  return await db().transaction(async (tx) => {
    // Old reviews go as new ones come: the table holds about a month of deployments.
    const keptSince = new Date(now.getTime() - REVIEWS_KEPT_DAYS * 86_400_000).toISOString();
    await tx.delete(deploymentReviews).where(lt(deploymentReviews.createdAt, keptSince)).run();
    const review = await tx
      .insert(deploymentReviews)
      .values({
        deliveryId: request.deliveryId,
        installationId: request.installationId,
        repository: request.repository.fullName,
        environment: request.environment,
        service: decided.service,
        callbackUrl: request.callbackUrl,
        decision: decided.approved ? "approved" : "rejected",
        comment: decided.comment,
        createdAt: now.toISOString(),
      })
      .onConflictDoNothing({ target: deploymentReviews.deliveryId })
      .returning()
      .get();
    if (!review) return { review: (await reviewOfDelivery(request.deliveryId))!, repeated: true };
    await enqueueGitHubAnswer(review, tx);
    afterCommit(() => deliverSoon("http"));
    return { review, repeated: false };
  });
}

async function reviewOfDelivery(deliveryId: string): Promise<DeploymentReview | undefined> {
  return await db().select().from(deploymentReviews).where(eq(deploymentReviews.deliveryId, deliveryId)).get();
}

/**
 * Queues the answers to the last day's reviews that have none in the outbox yet (those received
 * before answers went through it). A review queued already is left as it is: the key is the review's.
 */
export async function queueUnanswered(now: Date = new Date()): Promise<number> {
  const since = new Date(now.getTime() - 86_400_000).toISOString();
  const unanswered = await db().select().from(deploymentReviews).where(and(isNull(deploymentReviews.answeredAt), gt(deploymentReviews.createdAt, since))).all();
  let queued = 0;
  for (const review of unanswered) if (await enqueueGitHubAnswer(review)) queued += 1;
  if (queued > 0) deliverSoon("http");
  return queued;
}

export type DeploymentReviewRow = Pick<DeploymentReview, "id" | "repository" | "environment" | "service" | "decision" | "comment" | "createdAt" | "answeredAt"> & {
  /** Why the last try to answer failed, while it is not answered. */
  lastError: string | null;
  /** Whether the answer is still being tried ("pending"), or was given up ("failed"). */
  delivery: "pending" | "sending" | "sent" | "failed" | null;
};

/** The latest deployments GitHub asked about, for the admins' deploy gate page. */
export async function listDeploymentReviews(actor: Viewer, limit = 20): Promise<DeploymentReviewRow[]> {
  assertAdmin(actor);
  const rows = await db()
    .select({
      id: deploymentReviews.id,
      repository: deploymentReviews.repository,
      environment: deploymentReviews.environment,
      service: deploymentReviews.service,
      decision: deploymentReviews.decision,
      comment: deploymentReviews.comment,
      createdAt: deploymentReviews.createdAt,
      answeredAt: deploymentReviews.answeredAt,
      lastError: outbox.lastError,
      delivery: outbox.status,
    })
    .from(deploymentReviews)
    .leftJoin(outbox, eq(outbox.key, sql`${GITHUB_ANSWER_KEY_PREFIX} || ${deploymentReviews.deliveryId}`))
    .orderBy(desc(deploymentReviews.id))
    .limit(limit)
    .all();
  return rows.map((row) => ({ ...row, lastError: row.answeredAt ? null : row.lastError }));
}
