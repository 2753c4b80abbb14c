import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/lib/session.server";
import { countUsers } from "~/models/user.server";

export async function loader({ request }: LoaderFunctionArgs) {
  if (countUsers() === 0) throw redirect("/setup");
  await requireUser(request);
  throw redirect("/incidents");
}
