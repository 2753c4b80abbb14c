// A webhook receiver on loopback, for tests: it records every request it gets (headers, body,
// when it arrived) and answers as the test tells it to (a status, headers, a body), so a test can
// fail deliveries on purpose, ask for a Retry-After, answer 410, or hold an answer.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export type Received = {
  /** Headers as Node gives them: names in lower case. */
  headers: Record<string, string>;
  body: string;
  /** When it arrived (Date.now()). */
  at: number;
  path: string;
};

export type Answer = { status: number; headers?: Record<string, string>; body?: string };

/** Decides the answer to the n-th request (from 0), given the request; by default 200. */
export type Responder = (request: Received, n: number) => Answer | Promise<Answer>;

export async function startReceiver(port = 0) {
  const received: Received[] = [];
  let responder: Responder = () => ({ status: 200, body: "ok" });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]));
      const request: Received = { headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now(), path: req.url ?? "/" };
      const n = received.length;
      received.push(request);
      void Promise.resolve(responder(request, n)).then((answer) => {
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body ?? "");
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    received,
    port: bound,
    url: `http://127.0.0.1:${bound}/hooks`,
    /** Answers from now on with `next`. */
    answer(next: Responder) {
      responder = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** The event a delivery carries, verified as a Standard Webhooks receiver verifies it; throws when the signature does not match. */
export function verified(request: Received, secret: string): { type: string; timestamp: string; data: Record<string, unknown> } {
  return new Webhook(secret).verify(request.body, request.headers) as { type: string; timestamp: string; data: Record<string, unknown> };
}
