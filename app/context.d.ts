import "@remix-run/node";

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The client's address as Express sees it (X-Forwarded-For only when TRUST_PROXY=true). */
    clientAddress: string;
  }
}
