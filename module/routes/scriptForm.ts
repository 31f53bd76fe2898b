import { z } from "zod";
import { lt, InvalidInputError } from "../../host/contract";
import { STEP_TYPES, type ChatbotStepType } from "../models/ChatbotStep";
import type { AnswerThen, LoadedScript, ScriptInput } from "../services/chatbot/ChatbotScripts";
import { manyIds, manyStrings } from "./formFields";

/** Which fields each type of step has; the editor shows only these and the server keeps only these. */
export const STEP_FIELDS: Record<"answers" | "expertise" | "ends", readonly ChatbotStepType[]> = {
  answers: ["question"],
  expertise: ["forward"],
  ends: ["message", "text", "textarea", "email", "phone"],
};

/** A list posted as `x[0]`, `x[1]`, …: an array, or an object when the indices are many or sparse. */
function postedList<T extends z.ZodType>(item: T) {
  return z
    .union([z.array(item), z.record(z.string(), item)])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : Object.values(v)));
}

const answerFields = z.object({
  label: z.string().optional().default(""),
  then: z.string().optional().default("next"),
});

const stepFields = z.object({
  key: z.string().max(32).optional(),
  type: z.string(),
  text: z.string().optional().default(""),
  answers: postedList(answerFields),
  expertise_ids: manyIds("Expertise must be chosen from the list."),
  ends_script: z.string().optional(),
});

const scriptForm = z.object({
  name: z.string().optional().default(""),
  bot_name: z.string().optional().default(""),
  steps: postedList(stepFields),
});

/** An answer's target as the form posts it: `next`, `end`, or `step:<key>` (a step of the form). */
function parseThen(value: string): AnswerThen {
  if (value === "next" || value === "end") return value;
  if (value.startsWith("step:") && value.length > 5) return { step: value.slice(5) };
  throw new InvalidInputError(lt("The script form is incomplete; reload the page and try again."));
}

/** Reads the script form (steps posted as `steps[i][field]`, answers as `steps[i][answers][j][field]`, in page order). */
export function parseScriptForm(body: unknown): ScriptInput {
  const parsed = scriptForm.safeParse(body ?? {});
  if (!parsed.success) throw new InvalidInputError(lt("The script form is incomplete; reload the page and try again."));
  return {
    name: parsed.data.name,
    botName: parsed.data.bot_name,
    steps: parsed.data.steps.map((step, i) => {
      if (!(STEP_TYPES as readonly string[]).includes(step.type)) throw new InvalidInputError(lt("Step {step}: choose a step type."), { step: i + 1 });
      const type = step.type as ChatbotStepType;
      return {
        key: step.key,
        type,
        text: step.text,
        expertiseIds: STEP_FIELDS.expertise.includes(type) ? step.expertise_ids : [],
        endsScript: STEP_FIELDS.ends.includes(type) && step.ends_script === "on",
        // A row left empty is no answer.
        answers: STEP_FIELDS.answers.includes(type)
          ? step.answers.filter((a) => a.label.trim() !== "").map((a) => ({ label: a.label, then: parseThen(a.then) }))
          : [],
      };
    }),
  };
}

/** One step as the form shows it: answers lead to `next`, `end` or `step:<key>`. */
export interface StepFormValues {
  key: string;
  type: string;
  text: string;
  endsScript: boolean;
  expertiseIds: number[];
  answers: { label: string; then: string }[];
}

/** The form's values for a saved script: each step's key is its id, so jumps name steps, not places. */
export function scriptFormValues(loaded: LoadedScript): { id: number; name: string; botName: string; steps: StepFormValues[] } {
  return {
    id: loaded.script.id,
    name: loaded.script.name,
    botName: loaded.script.botName,
    steps: loaded.steps.map((s) => ({
      key: String(s.id),
      type: s.type,
      text: s.text,
      endsScript: s.endsScript,
      expertiseIds: loaded.expertise.get(s.id) ?? [],
      answers: (loaded.answers.get(s.id) ?? []).map((a) => ({
        label: a.label,
        then: a.endsScript ? "end" : a.jumpToStepId ? `step:${a.jumpToStepId}` : "next",
      })),
    })),
  };
}

const postedStep = z.object({
  key: z.string().optional().catch(undefined),
  type: z.string().optional().catch(undefined),
  text: z.string().optional().catch(undefined),
  answers: postedList(answerFields).catch([]),
  expertise_ids: manyStrings.catch([]),
  ends_script: z.string().optional().catch(undefined),
});

/** The form's values as they were posted (shown again with the error that refused them). */
export function postedFormValues(body: Record<string, unknown>): StepFormValues[] {
  return postedList(postedStep)
    .catch([])
    .parse(body.steps)
    .map((s, i) => ({
      key: s.key ?? `posted-${i}`,
      type: s.type ?? "message",
      text: s.text ?? "",
      endsScript: s.ends_script === "on",
      expertiseIds: s.expertise_ids.map(Number).filter(Number.isInteger),
      answers: s.answers,
    }));
}
