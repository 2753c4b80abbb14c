// The digest as email markup: tables and inline styles only, no external assets.
import { ACCENT, BAD, CANVAS, FONT, INK, LINE, SOFT } from "./styles";

export type DigestContent = {
  /** The digest's number: each covers what was published since the one before. */
  seq: number;
  /** What it covers, in words: "published 3 Dec 14:02 to 4 Dec 09:00 UTC". */
  period: string;
  /** How many were published in the period; `analyses` lists the first of them. */
  analysesCount: number;
  analyses: {
    reference: string;
    title: string;
    severity: string;
    summary: string;
    chain: string[];
    remediations: string[];
    url: string;
  }[];
  completedCount: number;
  completed: { title: string; owner: string; incident: string; url: string }[];
  overdueByTeam: { team: string; count: number }[];
  topCauses: { cause: string; count: number }[];
  learningsUrl: string;
  /** How this recipient stops getting it: their subscription, or the list's page. */
  manage: { url: string; label: string };
};

const h2 = { fontFamily: FONT, fontSize: "16px", color: INK, margin: "24px 0 8px" };
const p = { fontFamily: FONT, fontSize: "14px", lineHeight: "20px", color: INK, margin: "0 0 8px" };
const small = { ...p, fontSize: "13px", color: SOFT };

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <tr>
      <td style={{ padding: "0 24px" }}>
        <h2 style={h2}>{title}</h2>
        {children}
      </td>
    </tr>
  );
}

export function DigestEmail({ content }: { content: DigestContent }) {
  return (
    <table role="presentation" width="100%" cellPadding={0} cellSpacing={0} style={{ background: CANVAS }}>
      <tbody>
        <tr>
          <td align="center" style={{ padding: "16px 8px" }}>
            <table role="presentation" width="600" cellPadding={0} cellSpacing={0} style={{ background: "#ffffff", border: `1px solid ${LINE}`, maxWidth: "600px" }}>
              <tbody>
                <tr>
                  <td style={{ background: INK, padding: "16px 24px" }}>
                    <p style={{ ...p, color: "#ffffff", fontSize: "18px", fontWeight: "bold", margin: 0 }}>Hindsight digest #{content.seq}</p>
                    <p style={{ ...p, color: "#d5dbe6", margin: "4px 0 0" }}>What we learned from incidents, {content.period}</p>
                  </td>
                </tr>
                <Section title={content.analyses.length > 0 ? `New post-mortems (${content.analysesCount})` : "No new post-mortems"}>
                  {content.analyses.length === 0 ? (
                    <p style={p}>No post-mortems were published since the last digest.</p>
                  ) : (
                    content.analyses.map((a) => (
                      <table key={a.reference} role="presentation" width="100%" cellPadding={0} cellSpacing={0} style={{ borderLeft: `4px solid ${ACCENT}`, margin: "0 0 16px" }}>
                        <tbody>
                          <tr>
                            <td style={{ padding: "4px 12px" }}>
                              <p style={{ ...p, fontSize: "15px", fontWeight: "bold" }}>
                                <a href={a.url} style={{ color: ACCENT, textDecoration: "none" }}>
                                  {a.title}
                                </a>
                              </p>
                              <p style={small}>
                                {a.reference} · {a.severity}
                              </p>
                              <p style={p}>{a.summary}</p>
                              <p style={{ ...small, fontWeight: "bold", margin: "8px 0 4px" }}>Why</p>
                              {a.chain.map((answer, i) => (
                                <p key={i} style={{ ...p, margin: "0 0 2px", paddingLeft: `${i * 12}px` }}>
                                  {i + 1}. {answer}
                                </p>
                              ))}
                              {a.remediations.length > 0 ? (
                                <>
                                  <p style={{ ...small, fontWeight: "bold", margin: "8px 0 4px" }}>What we change</p>
                                  {a.remediations.map((r, i) => (
                                    <p key={i} style={{ ...p, margin: "0 0 2px" }}>
                                      • {r}
                                    </p>
                                  ))}
                                </>
                              ) : null}
                              <p style={{ ...p, margin: "8px 0 0" }}>
                                <a href={a.url} style={{ color: ACCENT }}>
                                  Read the analysis
                                </a>
                              </p>
                            </td>
                          </tr>
                        </tbody>
                      </table>
                    ))
                  )}
                  {content.analysesCount > content.analyses.length ? (
                    <p style={p}>
                      And {content.analysesCount - content.analyses.length} more on{" "}
                      <a href={content.learningsUrl} style={{ color: ACCENT }}>
                        the learnings page
                      </a>
                      .
                    </p>
                  ) : null}
                </Section>
                {content.completed.length > 0 ? (
                  <Section title={`Actions completed (${content.completedCount})`}>
                    {content.completed.map((a, i) => (
                      <p key={i} style={p}>
                        ✓{" "}
                        <a href={a.url} style={{ color: ACCENT }}>
                          {a.title}
                        </a>{" "}
                        <span style={{ color: SOFT }}>
                          — {a.owner}, {a.incident}
                        </span>
                      </p>
                    ))}
                    {content.completedCount > content.completed.length ? <p style={small}>And {content.completedCount - content.completed.length} more.</p> : null}
                  </Section>
                ) : null}
                {content.overdueByTeam.length > 0 ? (
                  <Section title="Overdue actions by team">
                    <table role="presentation" cellPadding={0} cellSpacing={0}>
                      <tbody>
                        {content.overdueByTeam.map((o) => (
                          <tr key={o.team}>
                            <td style={{ ...p, padding: "2px 16px 2px 0" }}>{o.team}</td>
                            <td style={{ ...p, padding: "2px 0", color: BAD, fontWeight: "bold" }}>{o.count}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </Section>
                ) : null}
                {content.topCauses.length > 0 ? (
                  <Section title="Most frequent causes in this digest">
                    <p style={p}>{content.topCauses.map((t) => `${t.cause} (${t.count})`).join(" · ")}</p>
                  </Section>
                ) : null}
                <tr>
                  <td style={{ padding: "24px" }}>
                    <p style={small}>
                      <a href={content.learningsUrl} style={{ color: ACCENT }}>
                        All learnings
                      </a>{" "}
                      ·{" "}
                      <a href={content.manage.url} style={{ color: ACCENT }}>
                        {content.manage.label}
                      </a>
                    </p>
                  </td>
                </tr>
              </tbody>
            </table>
          </td>
        </tr>
      </tbody>
    </table>
  );
}
