import { Form } from "@remix-run/react";
import { SubmitButton } from "./form";

export type TokenRow = {
  id: number;
  name: string;
  prefix: string;
  scope: "read" | "write";
  /** Whose it is, on the admins' list of everyone's tokens. */
  owner: string | null;
  made: string;
  expires: string | null;
  lastUsed: string | null;
  /** Why it no longer works ("Revoked …", "Expired"), or null while it works. */
  ended: string | null;
};

/** Personal API tokens, each with what it may do, when it was last used, and a Revoke button while it works. */
export function TokenTable({ tokens }: { tokens: TokenRow[] }) {
  const withOwner = tokens.some((t) => t.owner !== null);
  return (
    <div className="table-wrap">
      <table className="list list--stack">
        <thead>
          <tr>
            <th scope="col">Token</th>
            {withOwner ? <th scope="col">Owner</th> : null}
            <th scope="col">May</th>
            <th scope="col">Made</th>
            <th scope="col">Works until</th>
            <th scope="col">Last used</th>
            <th scope="col">Revoke</th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id}>
              <td>
                <strong>{t.name}</strong>
                <div className="muted small">
                  <code>{t.prefix}…</code>
                </div>
              </td>
              {withOwner ? <td data-label="Owner">{t.owner}</td> : null}
              <td data-label="May">{t.scope === "write" ? "Read and change" : "Read only"}</td>
              <td data-label="Made">{t.made}</td>
              <td data-label="Works until">{t.ended ? "—" : (t.expires ?? "Until revoked")}</td>
              <td data-label="Last used">{t.lastUsed ?? "Never"}</td>
              <td data-label="Revoke">
                {t.ended ? (
                  <span className="muted small">{t.ended}</span>
                ) : (
                  <Form method="post">
                    <input type="hidden" name="tokenId" value={t.id} />
                    <SubmitButton intent="revoke" match={{ tokenId: String(t.id) }} className="button button--danger button--small" pendingText="Revoking…">
                      Revoke <span className="visually-hidden">the token {t.name}</span>
                    </SubmitButton>
                  </Form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
