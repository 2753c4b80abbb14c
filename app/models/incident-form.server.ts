import { z } from "zod";
import { fromInputValue } from "~/lib/time";
import { SEVERITIES, VISIBILITIES, parseServices, timeProblems } from "./incident";
import { FIELD_LIMITS, tooLongMessage } from "./limits";
import { lineField } from "./form-fields.server";

const requiredTime = (message: string) =>
  z.string().transform((value, ctx) => {
    const iso = fromInputValue(value);
    if (!iso) ctx.addIssue({ code: "custom", message });
    return iso ?? "";
  });

const optionalTime = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (!value?.trim()) return null;
    const iso = fromInputValue(value);
    if (!iso) ctx.addIssue({ code: "custom", message: "Enter a date and time, or leave it empty." });
    return iso;
  });

/** The incident fields as the report and edit forms post them. */
export const incidentFieldsSchema = z
  .object({
    title: lineField(FIELD_LIMITS.incidentTitle, "Give the incident a title."),
    severity: z.enum(SEVERITIES, { message: "Choose a severity." }),
    startedAt: requiredTime("Enter when the incident started (UTC)."),
    detectedAt: optionalTime,
    resolvedAt: optionalTime,
    services: z
      .string()
      .optional()
      .transform((v) => parseServices(v ?? ""))
      .pipe(
        z
          .array(z.string().max(FIELD_LIMITS.service, `Keep each service name under ${FIELD_LIMITS.service} characters.`))
          .max(FIELD_LIMITS.servicesPerIncident, `List at most ${FIELD_LIMITS.servicesPerIncident} services.`),
      ),
    impactMd: z.string().max(FIELD_LIMITS.impact, tooLongMessage(FIELD_LIMITS.impact)).default(""),
    summaryMd: z.string().max(FIELD_LIMITS.summary, tooLongMessage(FIELD_LIMITS.summary)).default(""),
    visibility: z.enum(VISIBILITIES, { message: "Choose who can see this incident." }),
  })
  .superRefine((fields, ctx) => {
    if (!fields.startedAt) return;
    for (const [path, message] of Object.entries(timeProblems(fields))) {
      ctx.addIssue({ code: "custom", path: [path], message });
    }
  });
