import { saysBecause } from "~/models/why-tree";

/** A why's answer after its "Because" label, unless the answer already says it. */
export function WhyAnswer({ answer }: { answer: string }) {
  return (
    <p className="why__answer">
      {saysBecause(answer) ? null : <span className="why__answer-label">Because</span>}
      {answer.trim() ? answer : <em className="muted">No answer yet</em>}
    </p>
  );
}

