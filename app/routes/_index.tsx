import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/lib/session.server";
import { hasOpenActions } from "~/models/action.server";
import { countUsers } from "~/models/user.server";

/** People who owe follow-up actions start on My actions; everyone else on the incidents. */
export async function loader({ request }: LoaderFunctionArgs) {
  if (await countUsers() === 0) throw redirect("/setup");
  const user = await requireUser(request);
  throw redirect(await hasOpenActions(user) ? "/actions" : "/incidents");
}
