import { and, eq, isNull } from "drizzle-orm";
import { db, schema } from "~/lib/db.server";
import { answerReview, callbackUnderApi, forgetInstallationTokens, gitHubApp, GitHubRefused, installationToken } from "~/lib/github.server";
import { NotFound } from "./errors";

// One attempt at answering a deployment GitHub asked about: the decision stored with the review
// is sent to GitHub's callback, as the App's installation. The outbox (outbox.server.ts) claims
// the message before and records what came of it after, as it does for a webhook delivery.

const { deploymentReviews } = schema;

/**
 * Sends a review's answer to GitHub's callback unless it was answered already, and marks it
 * answered once GitHub took it (with GitHub's status). A refusal is thrown (GitHubRefused); its
 * `transient` says whether trying again may help.
 */
export async function answerGitHub(reviewId: number): Promise<{ answered: "now"; status: number } | { answered: "before" }> {
  const review = await db().select().from(deploymentReviews).where(eq(deploymentReviews.id, reviewId)).get();
  if (!review) throw new NotFound("deployment review");
  if (review.answeredAt) return { answered: "before" };
  const { app, problem } = gitHubApp();
  if (!app) throw new GitHubRefused(400, problem);
  const callback = callbackUnderApi(review.callbackUrl, app.apiUrl);
  if (!callback) throw new GitHubRefused(400, `The callback URL is no longer under ${app.apiUrl}.`);
  const token = await installationToken(app, review.installationId);
  let status: number;
  try {
    status = await answerReview(callback, token, { environment_name: review.environment, state: review.decision, comment: review.comment });
  } catch (error) {
    // A token GitHub no longer takes (the App's key changed, the installation was renewed): the next try makes a new one.
    if (error instanceof GitHubRefused && error.status === 401) {
      forgetInstallationTokens();
      throw new GitHubRefused(503, error.message);
    }
    throw error;
  }
  await db().update(deploymentReviews).set({ answeredAt: new Date().toISOString() }).where(and(eq(deploymentReviews.id, reviewId), isNull(deploymentReviews.answeredAt))).run();
  return { answered: "now", status };
}
