import { z } from "zod";
import { PRIORITIES } from "./action";
import { FIELD_LIMITS, tooLongMessage } from "./limits";
import { lineField } from "./form-fields.server";

/** The fields of the new-action and edit-action forms. An empty due date means "by the policy". */
export const actionFieldsSchema = z.object({
  title: lineField(FIELD_LIMITS.actionTitle, "Give the action a title."),
  descriptionMd: z.string().trim().max(FIELD_LIMITS.actionDescription, tooLongMessage(FIELD_LIMITS.actionDescription)).default(""),
  ownerId: z.coerce.number({ message: "Choose an owner." }).int().positive("Choose an owner."),
  dueDate: z
    .string()
    .trim()
    .refine((v) => v === "" || (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))), "Enter a date, or leave it empty for the default.")
    .default(""),
  priority: z.enum(PRIORITIES, { message: "Choose a priority." }),
  trackerUrl: z
    .string()
    .trim()
    .max(FIELD_LIMITS.trackerUrl, tooLongMessage(FIELD_LIMITS.trackerUrl))
    .refine((v) => v === "" || /^https?:\/\/\S+$/i.test(v), "Enter a link starting with https://, or leave it empty.")
    .default(""),
});
