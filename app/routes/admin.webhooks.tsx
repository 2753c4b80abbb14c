import { type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CopyButton, Field, FormError, SubmitButton } from "~/components/form";
import { formFailure, formValues, modelFailure, readForm, validateForm } from "~/lib/http.server";
import { labelFor } from "~/lib/item-label";
import { redirectWithFlash, requireAdmin } from "~/lib/session.server";
import { formatTime } from "~/lib/time";
import { webhookAddressSetting, webhookEndpointChange, webhookEndpointInput, webhookEndpointRef } from "~/models/inputs";
import { TEST_EVENT_TYPE, WEBHOOK_EVENT_LABELS, WEBHOOK_EVENT_TYPES, WEBHOOK_FORMAT_LABELS, WEBHOOK_FORMATS, WEBHOOK_LIMITS } from "~/models/webhook";
import {
  createEndpoint,
  deleteEndpoint,
  endpointSecrets,
  listEndpoints,
  ROTATION_OVERLAP_HOURS,
  rotateSecret,
  sendTestEvent,
  setEndpointEnabled,
  setWebhooksAllowPrivate,
  updateEndpoint,
  webhookSettings,
} from "~/models/webhook.server";

export const meta: MetaFunction = () => [{ title: "Webhooks · Hindsight" }];

// The page may show a signing secret: no cache keeps a copy.
export const headers: HeadersFunction = () => ({ "Cache-Control": "private, no-store" });

const PAGE = "/admin/webhooks";
const at = (id: number) => `${PAGE}#endpoint-${id}`;

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const endpoints = await listEndpoints(admin);
  // The signing secret is shown when asked for (and after it is made): one endpoint's, never all.
  const asked = Number(new URL(request.url).searchParams.get("secret"));
  const shown = endpoints.find((e) => e.id === asked && e.format === "standard");
  const secrets = shown ? await endpointSecrets(admin, shown.id) : null;
  return {
    endpoints: endpoints.map((e) => ({
      ...e,
      host: new URL(e.url).host,
      created: formatTime(e.createdAt),
      rotatingUntil: e.previousSecretUntil ? formatTime(e.previousSecretUntil) : null,
      lastDelivery: e.lastDelivery ? { ...e.lastDelivery, at: formatTime(e.lastDelivery.at) } : null,
    })),
    secret: shown && secrets ? { endpointId: shown.id, name: shown.description || new URL(shown.url).host, ...secrets, previousUntil: secrets.previous ? formatTime(secrets.previous.until) : null } : null,
    allowPrivate: (await webhookSettings(admin)).allowPrivate,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const form = await readForm(request);
  // Ticked event types come as repeated fields: kept together, so a refused form shows them all again.
  const values: Record<string, string> = { ...formValues(form), eventTypes: form.getAll("eventTypes").filter((v) => typeof v === "string").join(",") };
  const { intent } = values;
  const target = intent === "add" || intent === "addresses" ? intent : `${intent}-${values.endpointId}`;
  try {
    if (intent === "add") {
      const parsed = validateForm(webhookEndpointInput, values);
      if (!parsed.ok) return formFailure(400, { target, errors: parsed.errors, values });
      const { endpoint } = await createEndpoint(admin, parsed.data);
      if (endpoint.format === "slack") return redirectWithFlash(at(endpoint.id), "Endpoint added. Send it a test event to see the message in Slack.");
      return redirectWithFlash(`${PAGE}?secret=${endpoint.id}#secret`, "Endpoint added. Give its receiver the signing secret below to verify deliveries.");
    }
    if (intent === "addresses") {
      const parsed = validateForm(webhookAddressSetting, values);
      if (!parsed.ok) throw new Response("Bad request", { status: 400 });
      await setWebhooksAllowPrivate(admin, parsed.data.allowPrivate);
      return redirectWithFlash(`${PAGE}#addresses`, parsed.data.allowPrivate ? "Endpoints on private addresses are allowed." : "Endpoints on private addresses are refused.");
    }
    const ref = validateForm(webhookEndpointRef, values);
    if (!ref.ok) throw new Response("Bad request", { status: 400 });
    const id = ref.data.endpointId;
    switch (intent) {
      case "update": {
        const parsed = validateForm(webhookEndpointChange, values);
        if (!parsed.ok) return formFailure(400, { target, errors: parsed.errors, values });
        await updateEndpoint(admin, id, parsed.data);
        return redirectWithFlash(at(id), "Endpoint saved.");
      }
      case "rotate":
        await rotateSecret(admin, id);
        return redirectWithFlash(
          `${PAGE}?secret=${id}#secret`,
          `New signing secret made. Deliveries carry both signatures for ${ROTATION_OVERLAP_HOURS} hours: give the receiver the new secret before then.`,
        );
      case "enable":
      case "disable": {
        const endpoint = await setEndpointEnabled(admin, id, intent === "enable");
        return redirectWithFlash(at(id), endpoint.enabled ? "Endpoint turned on: it hears of what happens from now on." : "Endpoint turned off: it hears of nothing until it is turned on again.");
      }
      case "test": {
        const delivery = await sendTestEvent(admin, id);
        return redirectWithFlash(
          at(id),
          delivery.outcome === "sent" ? `Test event delivered: the endpoint answered ${delivery.status}.` : `Test event not delivered. ${delivery.error ?? ""}`.trim(),
        );
      }
      case "delete":
        await deleteEndpoint(admin, id);
        return redirectWithFlash(PAGE, "Endpoint deleted, with its deliveries.");
    }
  } catch (error) {
    return modelFailure(error, values, target);
  }
  throw new Response("Bad request", { status: 400 });
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;
type Endpoint = LoaderData["endpoints"][number];
type Failure = { target?: string; errors: Record<string, string[] | undefined>; formError?: string; values: Record<string, string> };

const STATUS_WORDS = { pending: "waiting", sending: "being sent", sent: "delivered", failed: "not delivered" } as const;

export default function Webhooks() {
  const { endpoints, secret, allowPrivate } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failure: Failure | undefined = result && !result.ok ? result : undefined;
  const failed = (target: string) => (failure?.target === target ? failure : undefined);
  const adding = failed("add");
  return (
    <>
      <div className="page-header">
        <h1>Webhooks</h1>
        <p className="muted">
          Hindsight posts what happens to incidents to the endpoints below: signed JSON events that follow Standard Webhooks, or messages for a Slack
          channel. Endpoints are heard by the whole organisation, so they are told only about incidents everyone may see, never about a restricted one.
          Every delivery is listed in the <Link to="/admin/outbox">Outbox</Link>, where it can be sent again.
        </p>
      </div>

      {secret ? (
        <section className="callout" id="secret" aria-labelledby="secret-title">
          <h2 id="secret-title">Signing secret of {secret.name}</h2>
          <p>Give this to the receiver: it verifies each delivery's webhook-signature with it. Keep it secret; rotate it if it leaks.</p>
          <p className="copy-line">
            <code className="one-time-link">{secret.secret}</code> <CopyButton text={secret.secret} label="Copy secret" />
          </p>
          {secret.previous ? (
            <p className="muted small">
              The previous secret also signs every delivery until {secret.previousUntil}, so the receiver can switch over: <code className="user-text">{secret.previous.secret}</code>
            </p>
          ) : null}
        </section>
      ) : null}

      <section className="panel" aria-labelledby="endpoints-title">
        <h2 id="endpoints-title">
          Endpoints ({endpoints.length} of {WEBHOOK_LIMITS.endpoints})
        </h2>
        {endpoints.length === 0 ? <p className="muted">No endpoints yet. Add one below.</p> : null}
        <ul className="endpoints">
          {endpoints.map((endpoint) => (
            <EndpointItem key={endpoint.id} endpoint={endpoint} failed={failed} />
          ))}
        </ul>
      </section>

      <section className="panel" aria-labelledby="add-endpoint">
        <h2 id="add-endpoint">Add an endpoint</h2>
        <Form method="post">
          <FormError message={adding?.formError} />
          <Field label="URL" name="url" error={adding?.errors.url} limit={WEBHOOK_LIMITS.url} hint="Where events are posted: https://… (a Slack incoming webhook URL for Slack).">
            {(p) => <input {...p} type="url" required maxLength={WEBHOOK_LIMITS.url} defaultValue={adding?.values.url ?? ""} />}
          </Field>
          <Field label="Description" name="description" error={adding?.errors.description} limit={WEBHOOK_LIMITS.description} hint="What it is for, e.g. “#incidents channel” or “Data warehouse”.">
            {(p) => <input {...p} type="text" maxLength={WEBHOOK_LIMITS.description} defaultValue={adding?.values.description ?? ""} />}
          </Field>
          <fieldset aria-describedby={adding?.errors.format ? "format-error" : undefined}>
            <legend>What the endpoint receives</legend>
            <div className="choices">
              {WEBHOOK_FORMATS.map((format) => (
                <label key={format}>
                  <input type="radio" name="format" value={format} defaultChecked={(adding?.values.format ?? "standard") === format} />
                  {WEBHOOK_FORMAT_LABELS[format]}
                </label>
              ))}
            </div>
            {adding?.errors.format ? (
              <p className="field__error" id="format-error">
                {adding.errors.format[0]}
              </p>
            ) : null}
          </fieldset>
          <EventChoices idPrefix="add" chosen={adding ? adding.values.eventTypes.split(",") : [...WEBHOOK_EVENT_TYPES]} error={adding?.errors.eventTypes} />
          <SubmitButton intent="add" pendingText="Adding…">
            Add endpoint
          </SubmitButton>
        </Form>
      </section>

      <section className="panel" id="addresses" aria-labelledby="addresses-title">
        <h2 id="addresses-title">Private addresses</h2>
        <p className="muted small">
          Off, endpoints must be on the public internet: a URL whose host is or resolves to a loopback, private, link-local, shared or other
          non-public address is refused when it is added and again at every delivery, so webhooks cannot reach into the network Hindsight runs
          in. Turn it on for a receiver inside your own network.
        </p>
        <Form method="post" className="inline-form">
          <div className="choices">
            <label>
              <input type="checkbox" name="allowPrivate" defaultChecked={allowPrivate} />
              Allow endpoints on private addresses
            </label>
          </div>
          <SubmitButton intent="addresses" className="button button--quiet">
            Save
          </SubmitButton>
        </Form>
      </section>

      <section className="panel" aria-labelledby="receivers-title">
        <h2 id="receivers-title">What a receiver gets</h2>
        <p className="muted small">
          A POST of JSON, <code>{"{type, timestamp, data}"}</code>, with the ids, reference, status and links to the API and the page; the headers{" "}
          <code>webhook-id</code> (the same on every retry), <code>webhook-timestamp</code> and <code>webhook-signature</code> (
          <code>v1,</code> and base64 HMAC-SHA256 of <code>id.timestamp.body</code> with the secret) let any Standard Webhooks library verify it.
          A failed delivery is tried again for about a day (Retry-After is honoured); an answer of 410 Gone turns the endpoint off. Slack
          endpoints get a Block Kit message instead, unsigned.
        </p>
      </section>
    </>
  );
}

function EventChoices({ idPrefix, chosen, error }: { idPrefix: string; chosen: string[]; error?: string[] }) {
  const errorId = `${idPrefix}-events-error`;
  return (
    <fieldset aria-describedby={error ? errorId : undefined}>
      <legend>Events to send</legend>
      <div className="choices">
        {WEBHOOK_EVENT_TYPES.map((type) => (
          <label key={type}>
            <input type="checkbox" name="eventTypes" value={type} defaultChecked={chosen.includes(type)} aria-invalid={error ? true : undefined} />
            <span>
              {WEBHOOK_EVENT_LABELS[type]} <code className="muted small">{type}</code>
            </span>
          </label>
        ))}
      </div>
      {error ? (
        <p className="field__error" id={errorId}>
          {error[0]}
        </p>
      ) : null}
    </fieldset>
  );
}

function EndpointItem({ endpoint, failed }: { endpoint: Endpoint; failed: (target: string) => Failure | undefined }) {
  const name = endpoint.description || endpoint.host;
  const editing = failed(`update-${endpoint.id}`);
  const refusal = ["test", "rotate", "enable", "disable", "delete"].map((intent) => failed(`${intent}-${endpoint.id}`)).find(Boolean);
  const last = endpoint.lastDelivery;
  const hidden = <input type="hidden" name="endpointId" value={endpoint.id} />;
  return (
    <li className="endpoint" id={`endpoint-${endpoint.id}`}>
      <h3>{name}</h3>
      <p className="endpoint__url">
        <code className="user-text">{endpoint.url}</code>
      </p>
      <p className="muted small">
        {WEBHOOK_FORMAT_LABELS[endpoint.format]} · {endpoint.eventTypes.length === WEBHOOK_EVENT_TYPES.length ? "every event" : endpoint.eventTypes.join(", ")} · added {endpoint.created}
      </p>
      <p>
        {endpoint.enabled ? <span className="status status--mail-sent">On</span> : <span className="status status--mail-failed">Off</span>}{" "}
        {endpoint.disabledReason ? <span className="small">{endpoint.disabledReason}</span> : null}
      </p>
      <p className="small">
        {last
          ? `Latest delivery: ${last.kind === TEST_EVENT_TYPE ? "a test" : last.kind}, ${STATUS_WORDS[last.status]}${last.lastStatus ? ` (answered ${last.lastStatus})` : ""}, ${last.at}.`
          : "Nothing delivered yet."}
        {endpoint.waiting > 0 ? ` ${endpoint.waiting} waiting to be sent.` : ""}
      </p>
      {last?.lastError && last.status !== "sent" ? <p className="field__error small">{last.lastError}</p> : null}
      {endpoint.rotatingUntil ? <p className="muted small">Deliveries also carry the previous secret's signature until {endpoint.rotatingUntil}.</p> : null}
      <FormError message={refusal?.formError} />
      <div className="endpoint__buttons">
        <Form method="post" preventScrollReset>
          {hidden}
          <SubmitButton intent="test" match={{ endpointId: String(endpoint.id) }} pendingText="Sending…" className="button button--small" label={labelFor("Send a test event", name)}>
            Send a test event
          </SubmitButton>
        </Form>
        {endpoint.format === "standard" ? (
          <>
            <Link className="button button--quiet button--small" to={`?secret=${endpoint.id}#secret`} aria-label={labelFor("Show the signing secret", name)}>
              Show the signing secret
            </Link>
            <Form method="post" preventScrollReset>
              {hidden}
              <SubmitButton intent="rotate" match={{ endpointId: String(endpoint.id) }} pendingText="Rotating…" className="button button--quiet button--small" label={labelFor("Rotate the secret", name)}>
                Rotate the secret
              </SubmitButton>
            </Form>
          </>
        ) : null}
        <Form method="post" preventScrollReset>
          {hidden}
          <SubmitButton
            intent={endpoint.enabled ? "disable" : "enable"}
            match={{ endpointId: String(endpoint.id) }}
            className="button button--quiet button--small"
            label={labelFor(endpoint.enabled ? "Turn off" : "Turn on", name)}
          >
            {endpoint.enabled ? "Turn off" : "Turn on"}
          </SubmitButton>
        </Form>
      </div>
      <details open={Boolean(editing)}>
        <summary>Edit {name}</summary>
        <Form method="post" preventScrollReset>
          {hidden}
          <input type="hidden" name="version" value={endpoint.version} />
          <FormError message={editing?.formError} />
          <Field label="URL" name="url" error={editing?.errors.url} limit={WEBHOOK_LIMITS.url}>
            {(p) => <input {...p} type="url" required maxLength={WEBHOOK_LIMITS.url} defaultValue={editing?.values.url ?? endpoint.url} />}
          </Field>
          <Field label="Description" name="description" error={editing?.errors.description} limit={WEBHOOK_LIMITS.description}>
            {(p) => <input {...p} type="text" maxLength={WEBHOOK_LIMITS.description} defaultValue={editing?.values.description ?? endpoint.description} />}
          </Field>
          <EventChoices idPrefix={`edit-${endpoint.id}`} chosen={editing ? editing.values.eventTypes.split(",") : endpoint.eventTypes} error={editing?.errors.eventTypes} />
          <SubmitButton intent="update" match={{ endpointId: String(endpoint.id) }} label={labelFor("Save changes", name)}>
            Save changes
          </SubmitButton>
        </Form>
      </details>
      <details>
        <summary>Delete {name}</summary>
        <p className="small">Deleting it also deletes its deliveries from the Outbox, sent or waiting. To stop it for a while, turn it off instead.</p>
        <Form method="post" preventScrollReset>
          {hidden}
          <SubmitButton intent="delete" match={{ endpointId: String(endpoint.id) }} pendingText="Deleting…" className="button button--danger button--small" label={labelFor("Delete endpoint", name)}>
            Delete endpoint
          </SubmitButton>
        </Form>
      </details>
    </li>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
