import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormError, SubmitButton } from "~/components/form";
import { formFailure, formValues, modelFailure, readForm, validate, validateForm } from "~/lib/http.server";
import { redirectWithFlash, requireUser, sessionToken } from "~/lib/session.server";
import { formatTime } from "~/lib/time";
import { describeUserAgent } from "~/lib/user-agent";
import { requestPasswordReset } from "~/models/account-links.server";
import { notificationChoices, profileDetails } from "~/models/inputs";
import { FIELD_LIMITS, tooLongMessage } from "~/models/limits";
import { NOTIFICATION_KINDS, NOTIFICATION_LABELS } from "~/models/notification";
import { changeOwnPassword, passwordSignInFor, providerName } from "~/models/sign-in-policy.server";
import { isSubscribed } from "~/models/subscription.server";
import { endOtherSessions, endOwnSession, getProfile, listSessions, setPreferences, updateProfile } from "~/models/user.server";

const passwordSchema = z
  .object({
    current: z.string().min(1, "Enter your current password.").max(FIELD_LIMITS.password, tooLongMessage(FIELD_LIMITS.password)),
    password: z.string().min(10, "Use at least 10 characters.").max(FIELD_LIMITS.password, tooLongMessage(FIELD_LIMITS.password)),
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The two passwords are not the same." });

export const meta: MetaFunction = () => [{ title: "Your profile · Hindsight" }];

/** What a refused password form keeps: nothing (a password is never sent back). */
const NOTHING_KEPT: Record<string, string> = {};

const METHODS = { password: "with a password", provider: "with the identity provider", link: "from an emailed link" } as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const [profile, subscribed, sessions, passwords] = await Promise.all([
    getProfile(user),
    isSubscribed(user),
    listSessions(user, (await sessionToken(request)) ?? ""),
    passwordSignInFor(user.role),
  ]);
  return {
    profile,
    subscribed,
    passwords,
    provider: passwords ? null : await providerName(),
    sessions: sessions.map((s) => ({
      handle: s.handle,
      current: s.current,
      browser: describeUserAgent(s.userAgent),
      how: METHODS[s.method],
      address: s.address,
      since: formatTime(s.createdAt),
    })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const values = formValues(await readForm(request));
  const { intent } = values;
  try {
    if (intent === "details") {
      const parsed = validate(profileDetails, values);
      if (!parsed.ok) return formFailure(400, { target: intent, errors: parsed.errors, values });
      await updateProfile(user, parsed.data);
      return redirectWithFlash("/account", "Your details are saved.");
    }
    if (intent === "password") {
      const parsed = validate(passwordSchema, values);
      if (!parsed.ok) return formFailure(400, { target: intent, errors: parsed.errors, values: NOTHING_KEPT });
      const ended = await changeOwnPassword(user, { current: parsed.data.current, next: parsed.data.password }, { address: context.clientAddress }, (await sessionToken(request)) ?? "");
      return redirectWithFlash("/account", `Your password is changed${ended > 0 ? `, and your ${ended} other ${ended === 1 ? "session has" : "sessions have"} ended` : ""}.`);
    }
    if (intent === "password-link") {
      const result = await requestPasswordReset(user.email, { address: context.clientAddress });
      if (!result.ok) return formFailure(429, { target: intent, errors: {}, formError: `Too many requests for a link. Wait ${result.retryAfterSeconds} seconds.`, values: NOTHING_KEPT });
      // Their own address: nothing to hide by answering first, so the answer says it is on its way.
      await result.queued;
      return redirectWithFlash("/account", `We emailed a link to choose a password to ${user.email}.`);
    }
    if (intent === "subscribe" || intent === "unsubscribe") {
      await setPreferences(user, { digest: intent === "subscribe" });
      return redirectWithFlash("/account", intent === "subscribe" ? `You will get the digest at ${user.email}.` : "You will get no more digests at your address.");
    }
    if (intent === "reminders-on" || intent === "reminders-off") {
      await setPreferences(user, { reminderEmails: intent === "reminders-on" });
      return redirectWithFlash("/account", intent === "reminders-on" ? "You will get reminders of your actions by email." : "You will get no reminder emails; your actions stay on My actions.");
    }
    if (intent === "notifications") {
      const parsed = validateForm(notificationChoices, values);
      if (!parsed.ok) return formFailure(400, { target: intent, errors: parsed.errors, values });
      await setPreferences(user, { notifications: parsed.data });
      return redirectWithFlash("/account", "Your choice of emails is saved.");
    }
    if (intent === "end-session") {
      const ended = await endOwnSession(user, values.session ?? "");
      return redirectWithFlash("/account", ended ? "That session has ended: that browser is signed out." : "That session had already ended.");
    }
    if (intent === "end-others") {
      const ended = await endOtherSessions(user, (await sessionToken(request)) ?? "");
      return redirectWithFlash("/account", ended > 0 ? `Signed out everywhere else (${ended} ${ended === 1 ? "session" : "sessions"}).` : "You were signed in nowhere else.");
    }
  } catch (error) {
    return modelFailure(error, intent === "password" ? NOTHING_KEPT : values, intent);
  }
  throw new Response("Bad request", { status: 400 });
}

export default function Profile() {
  const { profile, subscribed, sessions, passwords, provider } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failure = result && !result.ok ? result : undefined;
  const about = (target: string) => (failure?.target === target ? failure : undefined);
  const details = about("details");
  const password = about("password");
  const others = sessions.filter((s) => !s.current).length;
  return (
    <>
      <div className="page-header">
        <h1>Your profile</h1>
        <p className="muted">
          {profile.email} · {profile.role === "admin" ? "Admin" : "Member"}
        </p>
      </div>

      <section className="panel" aria-labelledby="details-title">
        <h2 id="details-title">Your details</h2>
        <FormError message={details?.formError} />
        <Form method="post">
          <div className="grid-2">
            <Field label="Name" name="name" error={details?.errors.name} limit={FIELD_LIMITS.personName}>
              {(p) => <input {...p} type="text" autoComplete="name" required defaultValue={details?.values.name ?? profile.name} />}
            </Field>
            <Field label="Team" name="team" error={details?.errors.team} limit={FIELD_LIMITS.team}>
              {(p) => <input {...p} type="text" defaultValue={details?.values.team ?? profile.team} />}
            </Field>
          </div>
          <p className="muted small">Your email address and role are changed by a Hindsight admin.</p>
          <SubmitButton intent="details" pendingText="Saving…">
            Save details
          </SubmitButton>
        </Form>
      </section>

      <section className="panel" aria-labelledby="password-title">
        <h2 id="password-title">Password</h2>
        {!passwords ? (
          <p>You sign in with {provider}: Hindsight keeps no password for members.</p>
        ) : profile.hasPassword ? (
          <>
            <FormError message={password?.formError} />
            <Form method="post">
              <input type="hidden" name="username" autoComplete="username" value={profile.email} />
              <Field label="Current password" name="current" error={password?.errors.current}>
                {(p) => <input {...p} type="password" autoComplete="current-password" required />}
              </Field>
              <Field label="New password" name="password" hint="At least 10 characters." error={password?.errors.password}>
                {(p) => <input {...p} type="password" autoComplete="new-password" required minLength={10} />}
              </Field>
              <Field label="The same new password again" name="confirm" error={password?.errors.confirm}>
                {(p) => <input {...p} type="password" autoComplete="new-password" required />}
              </Field>
              <p className="muted small">Changing it signs you out of your other sessions.</p>
              <SubmitButton intent="password" pendingText="Changing…">
                Change password
              </SubmitButton>
            </Form>
          </>
        ) : (
          <Form method="post">
            <FormError message={about("password-link")?.formError} />
            <p>You have no Hindsight password{profile.providerLinked ? ": you sign in with the identity provider" : ""}. To have one as well, we email you a link to choose it.</p>
            <SubmitButton intent="password-link" className="button button--quiet" pendingText="Sending…">
              Email me a link to choose a password
            </SubmitButton>
          </Form>
        )}
      </section>

      <section className="panel" aria-labelledby="emails-title">
        <h2 id="emails-title">Emails</h2>
        <Form method="post" className="form-actions">
          <p>
            <strong>Reminders of your actions</strong>: on days when actions you own are overdue or due soon, one email listing them.{" "}
            {profile.reminderEmails ? "You get them." : "You do not get them."}
          </p>
          <SubmitButton intent={profile.reminderEmails ? "reminders-off" : "reminders-on"} className="button button--quiet" pendingText="Saving…">
            {profile.reminderEmails ? "Stop reminder emails" : "Get reminder emails"}
          </SubmitButton>
        </Form>
        <Form method="post" className="form-actions">
          <p>
            <strong>The digest</strong>: the post-mortems published since the one before, with what we change, the actions completed and the overdue ones;
            weekly, sometimes in between.{" "}
            {subscribed ? (
              <>
                You get it at <strong>{profile.email}</strong>, with the post-mortems you may see.
              </>
            ) : (
              "You do not get it at your own address (you may still get it through a company mailing list)."
            )}
          </p>
          <SubmitButton intent={subscribed ? "unsubscribe" : "subscribe"} className={subscribed ? "button button--quiet" : "button"} pendingText="Saving…">
            {subscribed ? "Stop the digest" : "Get the digest by email"}
          </SubmitButton>
        </Form>
      </section>

      <section className="panel" id="notifications" aria-labelledby="notifications-title">
        <h2 id="notifications-title">Emails about what concerns you</h2>
        <FormError message={about("notifications")?.formError} />
        <Form method="post">
          <fieldset>
            <legend>Email me when</legend>
            <div className="choices">
              {NOTIFICATION_KINDS.map((kind) => (
                <label key={kind}>
                  <input type="checkbox" name={kind} defaultChecked={profile.notifications[kind]} />
                  {NOTIFICATION_LABELS[kind]}
                </label>
              ))}
            </div>
          </fieldset>
          <p className="muted small">Each email says what happened, who did it, and links to it. None tells you of your own changes.</p>
          <SubmitButton intent="notifications" pendingText="Saving…">
            Save email choices
          </SubmitButton>
        </Form>
      </section>

      <section className="panel" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Where you are signed in ({sessions.length})</h2>
        <div className="table-wrap">
          <table className="list list--stack">
            <thead>
              <tr>
                <th scope="col">Browser</th>
                <th scope="col">Signed in</th>
                <th scope="col">From</th>
                <th scope="col">End</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={s.handle}>
                  <td>
                    {s.browser}
                    {s.current ? <div className="badge">This browser</div> : null}
                  </td>
                  <td data-label="Signed in">
                    {s.since}, {s.how}
                  </td>
                  <td data-label="From">{s.address || "—"}</td>
                  <td data-label="End">
                    {s.current ? (
                      <span className="muted small">Sign out to end it</span>
                    ) : (
                      <Form method="post">
                        <input type="hidden" name="session" value={s.handle} />
                        <SubmitButton intent="end-session" match={{ session: s.handle }} className="button button--quiet button--small" pendingText="Ending…">
                          End <span className="visually-hidden">the session of {s.browser} since {s.since}</span>
                        </SubmitButton>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {others > 0 ? (
          <Form method="post" className="form-actions">
            <SubmitButton intent="end-others" className="button button--danger button--small" pendingText="Signing out…">
              Sign out everywhere else
            </SubmitButton>
          </Form>
        ) : null}
      </section>

      <section className="panel" aria-labelledby="tokens-title">
        <h2 id="tokens-title">API tokens</h2>
        <p>
          Scripts and CI pipelines use Hindsight’s <Link to="/api">API</Link> with a token that acts as you. <Link to="/account/tokens">Make and revoke your API tokens</Link>.
        </p>
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
