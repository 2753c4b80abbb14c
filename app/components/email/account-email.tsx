// Email markup: inline styles and tables only, since mail clients ignore stylesheets.
import { ACCENT, FONT, INK, SOFT } from "./styles";

/** An email about a person's own account: a greeting, what it is about, one button, and a note. */
export function AccountEmail({ name, lines, button, note }: { name: string; lines: string[]; button: { label: string; url: string }; note: string }) {
  return (
    <table role="presentation" width="100%" cellPadding={0} cellSpacing={0} style={{ fontFamily: FONT, color: INK }}>
      <tbody>
        <tr>
          <td style={{ padding: "16px 0" }}>
            <p style={{ fontSize: "15px", margin: "0 0 12px" }}>Hello {name},</p>
            {lines.map((line) => (
              <p key={line} style={{ fontSize: "15px", margin: "0 0 12px" }}>
                {line}
              </p>
            ))}
            <p style={{ margin: "20px 0" }}>
              <a href={button.url} style={{ background: ACCENT, color: "#ffffff", padding: "10px 16px", borderRadius: "6px", textDecoration: "none", fontSize: "15px" }}>
                {button.label}
              </a>
            </p>
            <p style={{ fontSize: "13px", margin: "0 0 8px", color: SOFT }}>
              Or open this address: <a href={button.url} style={{ color: ACCENT }}>{button.url}</a>
            </p>
            <p style={{ fontSize: "13px", margin: "0", color: SOFT }}>{note}</p>
          </td>
        </tr>
      </tbody>
    </table>
  );
}
