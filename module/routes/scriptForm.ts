import { z } from "zod";
import { InvalidInputError } from "../../host/contract";
import { STEP_TYPES } from "../models/ChatbotStep";
import type { LoadedScript, ScriptInput } from "../services/chatbot/ChatbotScripts";
import { manyIds } from "./formFields";

const stepFields = z.object({
  type: z.string(),
  text: z.string().optional().default(""),
  answers: z.string().optional().default(""),
  expertise_ids: manyIds("Expertise must be chosen from the list."),
  ends_script: z.string().optional(),
});

const scriptForm = z.object({
  name: z.string().optional().default(""),
  bot_name: z.string().optional().default(""),
  steps: z.union([z.array(stepFields), z.record(z.string(), stepFields)]).optional(),
});

/**
 * Answers are written one per line: `Label` goes on with the next step, `Label > end` ends the
 * script, `Label > 4` jumps to step 4.
 */
function parseAnswers(text: string, stepNumber: number): NonNullable<ScriptInput["steps"][number]["answers"]> {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [label, target] = line.split(/\s*>\s*/, 2).map((p) => p.trim());
      if (target === undefined || target === "" || target.toLowerCase() === "next") return { label, then: "next" as const };
      if (target.toLowerCase() === "end") return { label, then: "end" as const };
      const step = Number(target);
      if (!Number.isInteger(step)) throw new InvalidInputError(`Step ${stepNumber}: "${line}" should end with "> end" or "> <step number>".`);
      return { label, then: step - 1 };
    });
}

/** Reads the script form (steps posted as `steps[i][field]`, in page order). */
export function parseScriptForm(body: unknown): ScriptInput {
  const parsed = scriptForm.safeParse(body ?? {});
  if (!parsed.success) throw new InvalidInputError("The script form is incomplete; reload the page and try again.");
  const raw = parsed.data.steps === undefined ? [] : Array.isArray(parsed.data.steps) ? parsed.data.steps : Object.values(parsed.data.steps);
  return {
    name: parsed.data.name,
    botName: parsed.data.bot_name,
    steps: raw.map((step, i) => {
      if (!(STEP_TYPES as readonly string[]).includes(step.type)) throw new InvalidInputError(`Step ${i + 1}: choose a step type.`);
      return {
        type: step.type as ScriptInput["steps"][number]["type"],
        text: step.text,
        expertiseIds: step.type === "forward" ? step.expertise_ids : [],
        endsScript: step.ends_script === "on",
        answers: step.type === "question" ? parseAnswers(step.answers, i + 1) : [],
      };
    }),
  };
}

/** The form's values for a saved script (answers written back in the same one-per-line form). */
export function scriptFormValues(loaded: LoadedScript) {
  const position = new Map(loaded.steps.map((s, i) => [s.id, i + 1]));
  return {
    id: loaded.script.id,
    name: loaded.script.name,
    botName: loaded.script.botName,
    steps: loaded.steps.map((s) => ({
      type: s.type,
      text: s.text,
      endsScript: s.endsScript,
      expertiseIds: loaded.expertise.get(s.id) ?? [],
      answers: (loaded.answers.get(s.id) ?? [])
        .map((a) => (a.endsScript ? `${a.label} > end` : a.jumpToStepId ? `${a.label} > ${position.get(a.jumpToStepId)}` : a.label))
        .join("\n"),
    })),
  };
}
