import { useCallback, useEffect, useRef, useState } from "react";
import type { Finding, WhyField, WhyText } from "~/models/blame";
import type { WordingRequest } from "./wording.worker";

export type WhyFindings = Record<WhyField, Finding[]>;
export const NO_FINDINGS: WhyFindings = { question: [], answer: [], remediation: [] };

/** How long typing must pause before the text is checked. */
const PAUSE_MS = 350;

/**
 * The wording check of a why's form as people type: after typing pauses, in a Web Worker that
 * loads the language model on first use. Until it answers (or where workers are unavailable)
 * there are no findings; the server checks every why when it is saved in any case.
 */
export function useWordingCheck(people: readonly string[], teams: readonly string[] = []) {
  const [state, setState] = useState<{ findings: WhyFindings; of: WhyText | null; stale: boolean }>({ findings: NO_FINDINGS, of: null, stale: false });
  const sent = useRef<WhyText | null>(null);
  const worker = useRef<Worker | null>(null);
  const latest = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(
    () => () => {
      clearTimeout(timer.current);
      worker.current?.terminate();
      worker.current = null;
    },
    [],
  );

  const send = useCallback(
    (why: WhyText) => {
      if (typeof Worker === "undefined") return;
      if (!worker.current) {
        try {
          worker.current = new Worker(new URL("./wording.worker.ts", import.meta.url), { type: "module" });
        } catch {
          return;
        }
        worker.current.onmessage = (event: MessageEvent<{ id: number; findings: WhyFindings }>) => {
          // Only the answer to the latest text counts: an older one would show stale findings.
          if (event.data.id === latest.current) setState({ findings: event.data.findings, of: sent.current, stale: false });
        };
      }
      latest.current += 1;
      sent.current = why;
      const request: WordingRequest = { id: latest.current, why, people: [...people], teams: [...teams] };
      worker.current.postMessage(request);
    },
    [people, teams],
  );

  /** Checks this text once typing pauses; `now` checks at once (after a suggested wording is applied). */
  const check = useCallback(
    (why: WhyText, now = false) => {
      clearTimeout(timer.current);
      // Until the check answers for this text, the findings shown are of an older one: marked stale.
      setState((s) => (s.stale ? s : { ...s, stale: true }));
      if (now) send(why);
      else timer.current = setTimeout(() => send(why), PAUSE_MS);
    },
    [send],
  );

  /** The findings, the text they are of, and whether the text has changed since (then no rewording may be applied). */
  return { findings: state.findings, of: state.of, stale: state.stale, check };
}
