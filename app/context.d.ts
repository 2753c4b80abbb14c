import "@remix-run/node";

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The client's address: the socket's, or with TRUST_PROXY the one the trusted proxies saw. */
    clientAddress: string;
  }
}
