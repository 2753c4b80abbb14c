import { createContext, useContext } from "react";

/**
 * The nonce of this response's Content-Security-Policy, for the inline scripts Remix writes
 * (set by entry.server; empty in the browser, which hides nonces from the page anyway).
 */
export const NonceContext = createContext("");

export function useNonce(): string {
  return useContext(NonceContext);
}
