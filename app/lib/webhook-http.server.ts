import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { forbiddenAddress, isIpAddress } from "./addresses";

// Posting a webhook: resolve the host once, refuse it if any of its addresses is not on the public
// internet (unless private addresses are allowed), and connect to the very address that was
// checked, so a DNS answer that changes between the check and the connection (DNS rebinding)
// cannot send the request elsewhere. The Host header and TLS's server name stay the host name.
// Redirects are not followed; at most a few kilobytes of the answer are read.

export type ResolvedAddress = { address: string; family: 4 | 6 };

/** Looks a host name up: every address it has. Replaced in tests to play a DNS server. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

const systemResolver: Resolver = async (hostname) =>
  (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

let resolver: Resolver = systemResolver;

/** Plays DNS for tests (a rebinding server); `undefined` puts the system's resolver back. */
export function useResolver(next: Resolver | undefined): void {
  resolver = next ?? systemResolver;
}

/** The URL's host may not be reached: it is, or resolves to, an address that is not public. */
export class AddressRefused extends Error {}

/**
 * The address to connect to for `hostname`: itself when it is an IP address, else the first it
 * resolves to. Every address it resolves to is checked, so a name with one public and one private
 * address is refused whichever a connection would use. Throws AddressRefused, or DNS's error.
 */
export async function checkedAddress(hostname: string, allowPrivate: boolean): Promise<ResolvedAddress> {
  const literal = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  const addresses: ResolvedAddress[] = isIpAddress(literal) ? [{ address: literal, family: literal.includes(":") ? 6 : 4 }] : await resolver(hostname);
  if (addresses.length === 0) throw new Error(`${hostname} has no address.`);
  if (!allowPrivate) {
    for (const { address } of addresses) {
      const why = forbiddenAddress(address);
      if (why) {
        const named = address === literal ? address : `${hostname} (${address})`;
        throw new AddressRefused(`${named} is ${why}. Webhooks go only to public addresses unless an admin allows private ones.`);
      }
    }
  }
  return addresses[0];
}

export type PostAnswer = {
  status: number;
  /** The raw Retry-After header, if any. */
  retryAfter: string | null;
  /** Where a redirect pointed, if it was one (not followed). */
  location: string | null;
  /** The start of the answer's body, for the Outbox page. */
  body: string;
};

/** Bytes of an answer's body read: enough for an error message, never a whole page. */
const BODY_READ = 4096;

/**
 * Posts `body` to `url` with these headers and answers with the receiver's status, whatever it
 * is. Throws when no answer came: refused address, DNS failure, connection error, or nothing
 * within `timeoutMs` (counted from the look-up).
 */
export async function postWebhook(
  url: URL,
  body: string,
  headers: Record<string, string>,
  options: { allowPrivate: boolean; timeoutMs: number },
): Promise<PostAnswer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    const target = await Promise.race([
      checkedAddress(url.hostname, options.allowPrivate),
      new Promise<never>((_, reject) => controller.signal.addEventListener("abort", () => reject(new Error(`No answer within ${options.timeoutMs / 1000} seconds.`)))),
    ]);
    // The connection gets only the address that was checked, whatever name it is asked for.
    const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
      if (lookupOptions.all) (callback as unknown as (error: null, addresses: dns.LookupAddress[]) => void)(null, [target]);
      else callback(null, target.address, target.family);
    };
    return await new Promise<PostAnswer>((resolve, reject) => {
      const request = (url.protocol === "https:" ? https : http).request(
        url,
        {
          method: "POST",
          headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
          lookup,
          // A connection of its own each time: a pooled one could be to an address checked under other settings.
          agent: false,
          signal: controller.signal,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let read = 0;
          const answer = (): PostAnswer => ({
            status: response.statusCode ?? 0,
            retryAfter: headerOf(response.headers["retry-after"]),
            location: headerOf(response.headers.location),
            body: Buffer.concat(chunks).toString("utf8").slice(0, BODY_READ),
          });
          response.on("data", (chunk: Buffer) => {
            chunks.push(chunk);
            read += chunk.length;
            if (read >= BODY_READ) {
              resolve(answer());
              response.destroy();
            }
          });
          response.on("end", () => resolve(answer()));
          // The status has come: an answer cut short is still an answer.
          response.on("error", () => resolve(answer()));
          response.on("close", () => resolve(answer()));
        },
      );
      request.on("error", (error) => reject(controller.signal.aborted ? new Error(`No answer within ${options.timeoutMs / 1000} seconds.`) : error));
      request.end(body);
    });
  } finally {
    clearTimeout(timer);
  }
}

function headerOf(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}
