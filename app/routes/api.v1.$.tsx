import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { serveApi } from "~/lib/api.server";
import { API } from "~/lib/api/openapi.server";
import { apiOrigin } from "~/lib/env.server";

// Every /api/v1 address: the API routes its requests itself, from the operations that also write
// its OpenAPI document (app/lib/api/).

export const loader = ({ request, context }: LoaderFunctionArgs) => serveApi(API, request, context.clientAddress, apiOrigin(request));
export const action = ({ request, context }: ActionFunctionArgs) => serveApi(API, request, context.clientAddress, apiOrigin(request));
