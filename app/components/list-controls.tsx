import { Link, useSearchParams } from "@remix-run/react";
import { Field } from "./form";

export type Option = { value: string; label: string };

/** A labelled select of a GET filter form, with an "any" choice that sends nothing. */
export function SelectFilter({
  label,
  name,
  anyLabel,
  options,
  defaultValue,
}: {
  label: string;
  name: string;
  /** The empty choice, e.g. "Any status"; omit when a choice is always made. */
  anyLabel?: string;
  options: Option[];
  defaultValue: string | undefined;
}) {
  return (
    <Field label={label} name={name}>
      {(p) => (
        <select {...p} defaultValue={defaultValue ?? ""}>
          {anyLabel ? <option value="">{anyLabel}</option> : null}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Strings as options that read as they are. */
export function plainOptions(values: readonly string[]): Option[] {
  return values.map((value) => ({ value, label: value }));
}

/**
 * Links to the newer and older neighbouring pages of a list paged by keyset: `newer` and `older`
 * are the cursors the model returned, kept with the current filters.
 */
export function CursorPagination({ newer, older }: { newer: number | null; older: number | null }) {
  const [params] = useSearchParams();
  if (newer === null && older === null) return null;
  const link = (key: "before" | "after", cursor: number) => {
    const search = new URLSearchParams(params);
    search.delete("before");
    search.delete("after");
    search.set(key, String(cursor));
    return `?${search}`;
  };
  return (
    <nav className="pagination" aria-label="Pages">
      {newer !== null ? <Link to={link("before", newer)}>← Newer</Link> : <span />}
      {older !== null ? <Link to={link("after", older)}>Older →</Link> : <span />}
    </nav>
  );
}

/** How many a list holds, as the models count it (boundedCount): "3 incidents", "More than 1,000 incidents". */
export function countText({ total, capped }: { total: number; capped: boolean }, one: string, many: string): string {
  return capped ? `More than ${total.toLocaleString("en")} ${many}` : `${total.toLocaleString("en")} ${total === 1 ? one : many}`;
}

/** Previous and next page links that keep the current filters. */
export function Pagination({ page, pageCount }: { page: number; pageCount: number }) {
  const [params] = useSearchParams();
  if (pageCount <= 1) return null;
  const link = (to: number) => {
    const search = new URLSearchParams(params);
    search.set("page", String(to));
    return `?${search}`;
  };
  return (
    <nav className="pagination" aria-label="Pages">
      {page > 1 ? <Link to={link(page - 1)}>← Previous</Link> : <span />}
      <span className="muted">
        Page {page} of {pageCount}
      </span>
      {page < pageCount ? <Link to={link(page + 1)}>Next →</Link> : <span />}
    </nav>
  );
}
