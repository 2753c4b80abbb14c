import type { MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { env } from "~/lib/env.server";

// The benchmark's framework floor: a page of this app, through the same server, root layout and
// rendering, with no database work. It exists only when HINDSIGHT_BENCH=true.

export const meta: MetaFunction = () => [{ title: "Floor · Hindsight" }];

export function loader() {
  if (env().HINDSIGHT_BENCH !== "true") throw new Response("Not found", { status: 404 });
  return { items: ["Incidents", "Actions", "Learnings"] };
}

export default function Floor() {
  const { items } = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>Floor</h1>
      <ul>
        {items.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </section>
  );
}
