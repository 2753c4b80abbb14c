import { and, desc, eq, gt, isNull, lt } from "drizzle-orm";
import { afterCommit, db, schema } from "~/lib/db.server";
import { answerReview, apiUrl, callbackUnderApi, forgetInstallationTokens, gitHubApp, GitHubRefused, installationToken } from "~/lib/github.server";
import { EVERYONE, type Viewer } from "./authorization";
import { assertAdmin } from "./authorization.server";
import { Invalid, NotFound } from "./errors";
import { decisionComment, serviceOfRepository } from "./gate";
import { decideGate, repositoryServices } from "./gate.server";

// GitHub's custom deployment protection rule: GitHub asks whether a deployment may go ahead
// (a deployment_protection_rule event), Hindsight decides with the deploy gate, as nobody in
// particular, and answers GitHub's callback as the App. The decision is stored first, keyed by
// the delivery, so a delivery GitHub sends again is answered once; the answer is sent after the
// commit and tried again for a few hours when GitHub does not take it. docs/decisions/0030-deploy-gate.md

const { deploymentReviews } = schema;

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
    afterCommit(() => answerSoon(review.id));
    return { review, repeated: false };
  });
}

async function reviewOfDelivery(deliveryId: string): Promise<DeploymentReview | undefined> {
  return await db().select().from(deploymentReviews).where(eq(deploymentReviews.deliveryId, deliveryId)).get();
}

/**
 * Sends a review's answer to GitHub's callback, as the App's installation, unless it was
 * answered already; marks it answered once GitHub took it. A refusal is thrown (GitHubRefused),
 * for the caller to try again or give up. The one way an answer is sent: when the outbox sends
 * more than email, it is this function that sends a "github" row.
 */
export async function answerGitHub(reviewId: number): Promise<"answered" | "already answered"> {
  const review = await db().select().from(deploymentReviews).where(eq(deploymentReviews.id, reviewId)).get();
  if (!review) throw new NotFound("deployment review");
  if (review.answeredAt) return "already answered";
  const { app, problem } = gitHubApp();
  if (!app) throw new GitHubRefused(400, problem);
  const callback = callbackUnderApi(review.callbackUrl, app.apiUrl);
  if (!callback) throw new GitHubRefused(400, `The callback URL is no longer under ${app.apiUrl}.`);
  const token = await installationToken(app, review.installationId);
  try {
    await answerReview(callback, token, { environment_name: review.environment, state: review.decision, comment: review.comment });
  } catch (error) {
    // A token GitHub no longer takes (the App's key changed, the installation was renewed): the next try makes a new one.
    if (error instanceof GitHubRefused && error.status === 401) {
      forgetInstallationTokens();
      throw new GitHubRefused(503, error.message);
    }
    throw error;
  }
  await db().update(deploymentReviews).set({ answeredAt: new Date().toISOString() }).where(and(eq(deploymentReviews.id, reviewId), isNull(deploymentReviews.answeredAt))).run();
  return "answered";
}

/** When an answer GitHub did not take is tried again: at once, then for about three and a half hours. */
export const RETRY_DELAYS_MS = [0, 5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000];

let answering = false;
/** Reviews being answered now (one sender per review in this process). */
const inFlight = new Set<number>();
/** Why the last try of a review failed, for the admin page; forgotten once it is answered. */
const lastErrors = new Map<number, string>();

/**
 * Has the server answer the review now, and again later while GitHub does not take it (no
 * answer, a 5xx, a rate limit); a refusal that trying again cannot change (GitHub says the
 * review is not wanted, or the App is not configured) ends it. Does nothing until the server has
 * started answering (startAnswering), so tests and scripts send answers themselves.
 */
export function answerSoon(reviewId: number): void {
  if (!answering || inFlight.has(reviewId)) return;
  inFlight.add(reviewId);
  const attempt = (n: number) => {
    const timer = setTimeout(() => {
      answerGitHub(reviewId).then(
        () => {
          inFlight.delete(reviewId);
          lastErrors.delete(reviewId);
        },
        (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          lastErrors.set(reviewId, message.slice(0, 500));
          const again = (!(error instanceof GitHubRefused) || error.transient) && n + 1 < RETRY_DELAYS_MS.length;
          console.error(JSON.stringify({ job: "github-review", review: reviewId, attempt: n + 1, error: message.slice(0, 500), again }));
          if (again) attempt(n + 1);
          else inFlight.delete(reviewId);
        },
      );
    }, RETRY_DELAYS_MS[n]);
    timer.unref();
  };
  attempt(0);
}

/** The server answers reviews as they come (answerSoon), beginning with the last day's unanswered ones. */
export async function startAnswering(now: Date = new Date()): Promise<void> {
  answering = true;
  const since = new Date(now.getTime() - 86_400_000).toISOString();
  const unanswered = await db()
    .select({ id: deploymentReviews.id })
    .from(deploymentReviews)
    .where(and(isNull(deploymentReviews.answeredAt), gt(deploymentReviews.createdAt, since)))
    .all();
  for (const { id } of unanswered) answerSoon(id);
}

export type DeploymentReviewRow = Pick<DeploymentReview, "id" | "repository" | "environment" | "service" | "decision" | "comment" | "createdAt" | "answeredAt"> & {
  /** Why the last try to answer failed, while it is not answered. */
  lastError: string | null;
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
    })
    .from(deploymentReviews)
    .orderBy(desc(deploymentReviews.id))
    .limit(limit)
    .all();
  return rows.map((row) => ({ ...row, lastError: row.answeredAt ? null : (lastErrors.get(row.id) ?? null) }));
}
