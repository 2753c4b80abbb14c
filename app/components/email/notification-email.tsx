// Email markup: inline styles and tables only, since mail clients ignore stylesheets.
import { ACCENT, FONT, INK, LINE, SOFT } from "./styles";

export type NotificationAction = { title: string; detail: string; url: string };

/**
 * An email about something that concerns the reader: what happened, the actions it is about (if
 * any), one link to where it happened, and how to stop emails of this kind.
 */
export function NotificationEmail({
  name,
  lines,
  actions = [],
  more = 0,
  button,
  why,
  preferences,
}: {
  name: string;
  lines: string[];
  actions?: NotificationAction[];
  /** Actions not listed. */
  more?: number;
  button: { label: string; url: string };
  /** When the reader gets this kind of email. */
  why: string;
  /** Their profile, where they turn it off. */
  preferences: string;
}) {
  const text = { fontSize: "15px", lineHeight: "21px", margin: "0 0 12px" };
  return (
    <table role="presentation" width="100%" cellPadding={0} cellSpacing={0} style={{ fontFamily: FONT, color: INK }}>
      <tbody>
        <tr>
          <td style={{ padding: "16px 0" }}>
            <p style={text}>Hello {name},</p>
            {lines.map((line) => (
              <p key={line} style={text}>
                {line}
              </p>
            ))}
            {actions.length > 0 ? (
              <table role="presentation" width="100%" cellPadding={0} cellSpacing={0} style={{ borderCollapse: "collapse", margin: "0 0 12px" }}>
                <tbody>
                  {actions.map((action) => (
                    <tr key={action.url}>
                      <td style={{ padding: "8px 10px", borderLeft: `4px solid ${ACCENT}`, borderBottom: `1px solid ${LINE}`, fontSize: "14px" }}>
                        <a href={action.url} style={{ color: ACCENT, fontWeight: "bold" }}>
                          {action.title}
                        </a>
                        <br />
                        <span style={{ color: SOFT }}>{action.detail}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            {more > 0 ? <p style={{ ...text, fontSize: "14px" }}>And {more} more.</p> : null}
            <p style={{ margin: "20px 0" }}>
              <a href={button.url} style={{ background: ACCENT, color: "#ffffff", padding: "10px 16px", borderRadius: "6px", textDecoration: "none", fontSize: "15px" }}>
                {button.label}
              </a>
            </p>
            <p style={{ fontSize: "13px", margin: "0 0 8px", color: SOFT }}>
              Or open this address: <a href={button.url} style={{ color: ACCENT }}>{button.url}</a>
            </p>
            <p style={{ fontSize: "13px", margin: "16px 0 0", paddingTop: "12px", borderTop: `1px solid ${LINE}`, color: SOFT }}>
              {why} You can turn these emails off in <a href={preferences} style={{ color: ACCENT }}>your profile</a>.
            </p>
          </td>
        </tr>
      </tbody>
    </table>
  );
}
