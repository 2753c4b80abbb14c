import { useEffect, useState } from "react";

/**
 * Prints the page (the print stylesheet leaves out forms and navigation). It appears once
 * JavaScript runs; without it the browser's own Print menu gives the same result.
 */
export function PrintButton({ className }: { className?: string }) {
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  if (!ready) return null;
  return (
    <button type="button" className={className} onClick={() => window.print()}>
      Print
    </button>
  );
}
