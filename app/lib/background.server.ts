/**
 * Runs `batch` until it does nothing more (returns 0), one batch per turn of the event loop so
 * requests are still served meanwhile; a failure stops the run and is logged as `what` failing.
 * For work the server catches up on after it starts (data stored before a feature existed).
 */
export function inBatches(what: string, batch: () => Promise<number>, options: { pauseMs?: number } = {}): void {
  // A pause between batches lets requests through: one turn of the event loop is not enough for
  // a request, which takes several.
  const next = () => (options.pauseMs ? setTimeout(step, options.pauseMs) : setImmediate(step));
  const step = () => {
    batch().then(
      (done) => {
        if (done > 0) next();
      },
      (error: unknown) => console.error(`${what} failed:`, error),
    );
  };
  setImmediate(step);
}
