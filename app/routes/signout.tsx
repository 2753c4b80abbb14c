import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { signOut } from "~/lib/session.server";

export async function action({ request }: ActionFunctionArgs) {
  return signOut(request);
}

export function loader() {
  return redirect("/");
}
