import { useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";

// Keeps a page on an incident current while others change it: the page listens to the incident's
// changes (its event stream) and loads its data again when one arrives, so a second laptop in the
// meeting sees the tree grow without a reload. Someone in the middle of typing is never pulled
// away: the page waits and says that there are changes to show.

/** How long to gather changes that arrive together (a why and its action) into one reload. */
const GATHER_MS = 250;
/** The longest changes wait while more keep coming: a busy meeting still shows them. */
const GATHER_AT_MOST_MS = 1_000;

/**
 * Whether someone is at work on the page: a form opened to edit, or unsaved text. Their form would
 * be replaced under them by new data. (Focus alone is not work: after a quick add it rests in the
 * next empty row, and the page stays current around it.)
 */
function typing(): boolean {
  if (document.querySelector("details[open] form")) return true;
  const fields = document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>(
    "form textarea, form input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=submit]):not([type=button])",
  );
  for (const field of fields) if (field.value !== field.defaultValue) return true;
  return false;
}

/**
 * Listens to the incident's changes from `since` (the last one the page's data includes) and
 * reloads the page's data when others change it. Returns whether changes wait because someone is
 * typing, and how to show them.
 */
export function useLiveIncident(
  reference: string,
  since: number,
  options: { session?: boolean } = {},
): { waiting: boolean; show: () => void; connected: boolean } {
  const revalidator = useRevalidator();
  const revalidate = useRef(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;
  const [waiting, setWaiting] = useState(false);
  const [connected, setConnected] = useState(false);
  const session = Boolean(options.session);
  const first = useRef(since);
  // The last change the page's data includes: one's own save comes back with its data already.
  const shown = useRef(since);
  shown.current = Math.max(shown.current, since);

  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let waitingSince: number | undefined;
    // The last event heard: where a stream opened again starts (the browser's own reconnection
    // sends it as Last-Event-ID; one reopened after going offline sends it as `after`).
    let heard = first.current;
    let ended = false;
    const changed = (event: MessageEvent) => {
      heard = Math.max(heard, Number(event.lastEventId) || 0);
      clearTimeout(timer);
      waitingSince ??= Date.now();
      const wait = Math.max(0, Math.min(GATHER_MS, waitingSince + GATHER_AT_MOST_MS - Date.now()));
      timer = setTimeout(() => {
        waitingSince = undefined;
        // Offline, a reload of the page's data would fail: it waits for the stream to come back.
        if (heard <= shown.current || !navigator.onLine) return;
        if (typing()) setWaiting(true);
        else revalidate.current();
      }, wait);
    };
    const open = () => {
      source?.close();
      // A live session's page also follows the session, and counts its reader as here while open.
      const next = new EventSource(`/incidents/${encodeURIComponent(reference)}/events?after=${heard}${session ? "&presence=1" : ""}`);
      source = next;
      next.addEventListener("change", changed);
      if (session) next.addEventListener("session", changed);
      next.addEventListener("open", () => setConnected(true));
      next.addEventListener("error", () => setConnected(false));
      // Signed out, removed, or no longer allowed to see the incident: no reconnecting.
      next.addEventListener("closed", () => {
        ended = true;
        setConnected(false);
        next.close();
      });
    };
    // A laptop that loses its network (or sleeps) drops the stream, and opens it again from the
    // last event it heard once it is back: it gets exactly what it missed.
    const offline = () => {
      source?.close();
      setConnected(false);
    };
    const online = () => {
      if (!ended) open();
    };
    open();
    window.addEventListener("offline", offline);
    window.addEventListener("online", online);
    return () => {
      clearTimeout(timer);
      window.removeEventListener("offline", offline);
      window.removeEventListener("online", online);
      source?.close();
    };
  }, [reference, session]);

  // New data (after a reload or one's own save) shows whatever was waiting.
  useEffect(() => setWaiting(false), [since]);

  return {
    waiting,
    connected,
    show: () => {
      setWaiting(false);
      revalidate.current();
    },
  };
}
