import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { gitHubApp, verifySignature, webhookSecret } from "~/lib/github.server";
import { problemResponse } from "~/lib/http.server";
import { receiveDeploymentRequest } from "~/models/deployment-review.server";
import { DomainError } from "~/models/errors";

// GitHub's webhook for the App's custom deployment protection rule. GitHub sends no cookie and
// no Origin: the signature over the exact bytes received is what lets a delivery in, checked
// before anything else is read. The answer to GitHub's question goes to its callback afterwards
// (app/models/deployment-review.server.ts); this only says the delivery was taken.

/** What Hindsight reads of a deployment_protection_rule delivery; GitHub sends much more. */
const deliverySchema = z.object({
  action: z.string(),
  environment: z.string().min(1).max(255),
  event: z.string().max(100).default(""),
  deployment_callback_url: z.string().min(1).max(2000),
  installation: z.object({ id: z.number().int().positive() }),
  repository: z.object({ full_name: z.string().min(1).max(200), name: z.string().min(1).max(100) }),
});

function answer(status: number, body: Record<string, unknown>): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export async function action({ request }: ActionFunctionArgs) {
  const secret = webhookSecret();
  // Without a secret nothing here is listening: GitHub shows the delivery as not found, with why.
  if (!secret) return answer(404, { message: "The deploy gate's GitHub App is not configured on this server (GITHUB_WEBHOOK_SECRET)." });
  const body = new Uint8Array(await request.arrayBuffer());
  if (!verifySignature(secret, body, request.headers.get("x-hub-signature-256"))) {
    return answer(401, { message: "The X-Hub-Signature-256 header does not sign this body with the webhook secret." });
  }
  const event = request.headers.get("x-github-event");
  if (event !== "deployment_protection_rule") {
    return answer(200, { message: `Hindsight answers deployment_protection_rule events only; this ${event ?? "unnamed"} event was ignored.` });
  }
  const deliveryId = request.headers.get("x-github-delivery")?.trim() ?? "";
  if (!/^[\w-]{1,100}$/.test(deliveryId)) return answer(400, { message: "The X-GitHub-Delivery header is missing." });
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return answer(400, { message: "The body is not JSON: set the App's webhook content type to application/json." });
  }
  const parsed = deliverySchema.safeParse(json);
  if (!parsed.success) return answer(400, { message: "This is not a deployment_protection_rule payload as GitHub documents it.", fields: z.flattenError(parsed.error).fieldErrors });
  const delivery = parsed.data;
  if (delivery.action !== "requested") return answer(200, { message: `The "${delivery.action}" action was ignored: only "requested" asks for a review.` });
  const { problem } = gitHubApp();
  if (problem) return answer(503, { message: `The deploy gate cannot answer GitHub: ${problem}` });
  try {
    const { review, repeated } = await receiveDeploymentRequest({
      deliveryId,
      environment: delivery.environment,
      event: delivery.event,
      callbackUrl: delivery.deployment_callback_url,
      installationId: delivery.installation.id,
      repository: { fullName: delivery.repository.full_name, name: delivery.repository.name },
    });
    return answer(202, {
      message: repeated ? "This delivery was received before; its answer is the one decided then." : "Decided; the answer goes to the callback URL.",
      service: review.service,
      state: review.decision,
    });
  } catch (error) {
    if (error instanceof DomainError) return problemResponse(error);
    throw error;
  }
}

export function loader() {
  return answer(405, { message: "GitHub posts deployment_protection_rule events here." });
}
