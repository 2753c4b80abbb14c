// Email markup: inline styles and tables only, since mail clients ignore stylesheets.
import { ACCENT, BAD, CANVAS, FONT, INK, LINE } from "./styles";

export type ReminderLine = {
  url: string;
  title: string;
  incident: string;
  due: string;
  /** "3 days overdue", "due today", "due in 2 days" */
  when: string;
  overdue: boolean;
};

const cell = { padding: "8px 10px", borderBottom: `1px solid ${LINE}`, fontSize: "14px", verticalAlign: "top" as const };

export function ReminderEmail({ name, lines, more = 0, actionsUrl }: { name: string; lines: ReminderLine[]; /** Actions not listed. */ more?: number; actionsUrl: string }) {
  return (
    <table role="presentation" width="100%" cellPadding={0} cellSpacing={0} style={{ fontFamily: FONT, color: INK }}>
      <tbody>
        <tr>
          <td style={{ padding: "16px 0" }}>
            <p style={{ fontSize: "15px", margin: "0 0 12px" }}>Hello {name},</p>
            <p style={{ fontSize: "15px", margin: "0 0 16px" }}>
              These follow-up actions from post-mortems are yours and are overdue or due soon. Each one is a fix that keeps an
              incident from happening again.
            </p>
            <table role="presentation" width="100%" cellPadding={0} cellSpacing={0} style={{ borderCollapse: "collapse", border: `1px solid ${LINE}` }}>
              <tbody>
                <tr style={{ background: CANVAS }}>
                  <th align="left" style={cell}>
                    Action
                  </th>
                  <th align="left" style={cell}>
                    Incident
                  </th>
                  <th align="left" style={cell}>
                    Due
                  </th>
                </tr>
                {lines.map((line) => (
                  <tr key={line.url}>
                    <td style={cell}>
                      <a href={line.url} style={{ color: ACCENT }}>
                        {line.title}
                      </a>
                    </td>
                    <td style={cell}>{line.incident}</td>
                    <td style={{ ...cell, color: line.overdue ? BAD : INK, whiteSpace: "nowrap" }}>
                      {line.due}
                      <br />
                      <span style={{ fontSize: "12px" }}>{line.when}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {more > 0 ? <p style={{ fontSize: "14px", margin: "12px 0 0" }}>And {more} more.</p> : null}
            <p style={{ fontSize: "14px", margin: "16px 0 0" }}>
              <a href={actionsUrl} style={{ color: ACCENT }}>
                See all your actions in Hindsight
              </a>
            </p>
          </td>
        </tr>
      </tbody>
    </table>
  );
}
