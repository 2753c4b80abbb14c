import { type LoaderFunctionArgs } from "@remix-run/node";
import { actionFiltersFrom } from "~/lib/action-filters.server";
import { requireUser } from "~/lib/session.server";
import { LimitReached } from "~/models/errors";
import { actionsCsv } from "~/models/export.server";

/** The filtered All actions list as CSV, for spreadsheets and reports. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const { filters } = actionFiltersFrom(new URL(request.url));
  try {
    const { text, fileName } = await actionsCsv(user, filters);
    return new Response(text, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${fileName}"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (error) {
    if (!(error instanceof LimitReached)) throw error;
    return new Response(error.message, { status: 422, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
}
