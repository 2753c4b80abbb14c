import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { beginProviderSignIn, ProviderSignInError } from "~/lib/oidc.server";

// A provider that takes connections and never answers: what a sign-in does when it is down.
let silent: net.Server;
let connections = 0;
const held: net.Socket[] = [];

beforeAll(async () => {
  silent = net.createServer((socket) => {
    connections += 1;
    held.push(socket);
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  process.env.OIDC_ISSUER = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
  process.env.OIDC_CLIENT_ID = "hindsight";
  process.env.OIDC_CLIENT_SECRET = "secret";
  process.env.SESSION_SECRET = "a-test-secret-of-enough-length";
});

afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
  delete process.env.OIDC_ISSUER;
  delete process.env.OIDC_CLIENT_ID;
  delete process.env.OIDC_CLIENT_SECRET;
  delete process.env.SESSION_SECRET;
});

const start = () => beginProviderSignIn(new Request("http://localhost/signin/sso"), "/");

describe("a provider that does not answer", () => {
  it("costs one request to it, shared by every sign-in begun meanwhile, then refuses for a while without asking again", async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => start()));
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      const reason = (outcome as PromiseRejectedResult).reason as Error;
      expect(reason).toBeInstanceOf(ProviderSignInError);
      expect(reason.message).toMatch(/cannot reach the identity provider/);
    }
    expect(connections).toBe(1);
    const again = await start().catch((error: unknown) => error);
    expect((again as Error).message).toMatch(/cannot reach the identity provider/);
    expect(connections).toBe(1);
  }, 30_000);
});
