import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormError, SubmitButton } from "~/components/form";
import { labelFor } from "~/lib/item-label";
import { formFailure, formValues, modelFailure, readForm, validate } from "~/lib/http.server";
import { redirectWithFlash, requireAdmin } from "~/lib/session.server";
import { FIELD_LIMITS } from "~/models/limits";
import { addCategory, listCategoriesWithUse, mergeCategories, renameCategory } from "~/models/category.server";
import { categoryLabel, categoryMerge } from "~/models/inputs";

const addSchema = categoryLabel;
const renameSchema = categoryLabel.extend({ slug: z.string().min(1) });
const mergeSchema = categoryMerge.extend({ slug: z.string().min(1) });

export const meta: MetaFunction = () => [{ title: "Cause categories · Hindsight" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  return { categories: await listCategoriesWithUse(admin) };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const values = formValues(await readForm(request));
  const target = values.intent === "add" ? "add" : `${values.intent}-${values.slug}`;
  try {
    switch (values.intent) {
      case "add": {
        const parsed = validate(addSchema, values);
        if (!parsed.ok) return formFailure(400, { target, errors: parsed.errors, values });
        const category = await addCategory(admin, parsed.data.label);
        return redirectWithFlash("/admin/categories", `Added “${category.label}”.`);
      }
      case "rename": {
        const parsed = validate(renameSchema, values);
        if (!parsed.ok) return formFailure(400, { target, errors: parsed.errors, values });
        await renameCategory(admin, parsed.data.slug, parsed.data.label);
        return redirectWithFlash("/admin/categories", `Renamed to “${parsed.data.label}”.`);
      }
      case "merge": {
        const parsed = validate(mergeSchema, values);
        if (!parsed.ok) return formFailure(400, { target, errors: parsed.errors, values });
        const moved = await mergeCategories(admin, parsed.data.slug, parsed.data.into);
        return redirectWithFlash("/admin/categories", `Merged: ${moved} ${moved === 1 ? "why" : "whys"} moved.`);
      }
    }
  } catch (error) {
    return modelFailure(error, values, target);
  }
  throw new Response("Bad request", { status: 400 });
}

export default function Categories() {
  const { categories } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const failed = (target: string) => (failure?.target === target ? failure : undefined);
  const adding = failed("add");
  return (
    <>
      <div className="page-header">
        <h1>Cause categories</h1>
      </div>
      <p className="muted">
        Every why can be filed under a cause category. Insights and the learnings feed count them, so a small set of recurring causes shows
        up. Renaming changes the name everywhere; merging files every why of one category under another.
      </p>
      <section className="panel" aria-labelledby="categories-title">
        <h2 id="categories-title">Categories</h2>
        <div className="table-wrap">
        <table className="list list--stack">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Whys</th>
              <th scope="col">Rename</th>
              <th scope="col">Merge into another</th>
            </tr>
          </thead>
          <tbody>
            {categories.map((c) => {
              const renaming = failed(`rename-${c.slug}`);
              const merging = failed(`merge-${c.slug}`);
              return (
                <tr key={c.slug}>
                  <td>
                    <strong>{c.label}</strong>
                  </td>
                  <td data-label="Whys">{c.whyCount}</td>
                  <td data-label="Rename">
                    <Form method="post" className="inline-form" preventScrollReset>
                      <input type="hidden" name="slug" value={c.slug} />
                      <FormError message={renaming?.formError} />
                      <Field label={`New name for ${c.label}`} name="label" error={renaming?.errors.label} className="field--compact" limit={FIELD_LIMITS.category}>
                        {(p) => <input {...p} type="text" required defaultValue={renaming?.values.label ?? c.label} />}
                      </Field>
                      <SubmitButton intent="rename" match={{ slug: c.slug }} className="button button--small" label={labelFor("Rename", c.label)}>
                        Rename
                      </SubmitButton>
                    </Form>
                  </td>
                  <td data-label="Merge into another">
                    {categories.length > 1 ? (
                      <Form method="post" className="inline-form" preventScrollReset>
                        <input type="hidden" name="slug" value={c.slug} />
                        <FormError message={merging?.formError} />
                        <Field label={`Merge ${c.label} into`} name="into" error={merging?.errors.into} className="field--compact">
                          {(p) => (
                            <select {...p} required defaultValue={merging?.values.into ?? ""}>
                              <option value="">Choose…</option>
                              {categories
                                .filter((o) => o.slug !== c.slug)
                                .map((o) => (
                                  <option key={o.slug} value={o.slug}>
                                    {o.label}
                                  </option>
                                ))}
                            </select>
                          )}
                        </Field>
                        <SubmitButton intent="merge" match={{ slug: c.slug }} className="button button--small button--quiet" pendingText="Merging…" label={labelFor("Merge", c.label)}>
                          Merge
                        </SubmitButton>
                      </Form>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        </div>
      </section>
      <section className="panel" aria-labelledby="add-category-title">
        <h2 id="add-category-title">Add a category</h2>
        <Form method="post" className="inline-form">
          <FormError message={adding?.formError} />
          <Field label="Name" name="label" error={adding?.errors.label} hint="e.g. Data migration, Feature flags, Third-party API" limit={FIELD_LIMITS.category}>
            {(p) => <input {...p} type="text" required defaultValue={adding?.values.label ?? ""} />}
          </Field>
          <SubmitButton intent="add" pendingText="Adding…">
            Add category
          </SubmitButton>
        </Form>
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
