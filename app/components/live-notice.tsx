/**
 * Said to someone typing when others changed what the page shows: their text stays, and the
 * changes come when they ask (useLiveIncident in app/lib/live.ts).
 */
export function LiveNotice({ live, what }: { live: { waiting: boolean; show: () => void }; what: "incident" | "session" }) {
  if (!live.waiting) return null;
  return (
    <p className="live-notice no-print" role="status">
      Others changed this {what} while you were typing.{" "}
      <button type="button" className="button button--small" onClick={live.show}>
        Show their changes
      </button>
    </p>
  );
}
