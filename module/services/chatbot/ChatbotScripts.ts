import { In, type EntityManager } from "typeorm";
import { lt, InvalidInputError, NotFoundError, type HostContract } from "../../../host/contract";
import { ChatbotAnswer } from "../../models/ChatbotAnswer";
import { ChatbotScript } from "../../models/ChatbotScript";
import { ChatbotStep, STEP_TYPES, type ChatbotStepType } from "../../models/ChatbotStep";
import { ChatbotStepExpertise } from "../../models/ChatbotStepExpertise";
import { Expertise } from "../../models/Expertise";
import { parseTranslations, serializeTranslations } from "../contentTranslations";

function withTranslation(json: string | null, lang: string, text: string): string | null {
  return serializeTranslations({ ...parseTranslations(json), [lang]: text.trim() });
}

/** Where an answer leads: on with the next step, the end, or a later step (its 0-based position, or its key). */
export type AnswerThen = "next" | "end" | number | { step: string };

/** A script as it is edited: steps in order, answers leading to later steps. */
export interface ScriptInput {
  name: string;
  botName: string;
  steps: {
    /**
     * The step's reference in the editor: a saved step's id keeps that step (its id, translations
     * and the conversations standing on it); any other key is a new step.
     */
    key?: string;
    type: ChatbotStepType;
    text: string;
    expertiseIds?: number[];
    /** The script ends after this step. */
    endsScript?: boolean;
    /** For questions: each answer goes on (`next`), ends the script (`end`), or jumps to a later step. */
    answers?: { label: string; then: AnswerThen }[];
  }[];
}

export interface LoadedScript {
  script: ChatbotScript;
  steps: ChatbotStep[];
  answers: Map<number, ChatbotAnswer[]>;
  /** Expertise ids each forward step asks for, by step id. */
  expertise: Map<number, number[]>;
}

/** Chatbot scripts: validated as a whole when saved, loaded with their steps and answers. */
export class ChatbotScripts {
  constructor(private readonly host: HostContract) {}

  async list(): Promise<ChatbotScript[]> {
    return this.host.db.getRepository(ChatbotScript).find({ order: { name: "ASC" } });
  }

  async load(scriptId: number, m: EntityManager = this.host.db.manager): Promise<LoadedScript> {
    const script = await m.getRepository(ChatbotScript).findOneBy({ id: scriptId });
    if (!script) throw new NotFoundError(lt("This chatbot script does not exist."));
    const steps = await m.getRepository(ChatbotStep).find({ where: { scriptId }, order: { sequence: "ASC", id: "ASC" } });
    const stepIds = In(steps.map((s) => s.id));
    const [rows, links] = steps.length
      ? await Promise.all([
          m.getRepository(ChatbotAnswer).find({ where: { stepId: stepIds }, order: { sequence: "ASC", id: "ASC" } }),
          m.getRepository(ChatbotStepExpertise).find({ where: { stepId: stepIds }, order: { expertiseId: "ASC" } }),
        ])
      : [[], []];
    const answers = new Map<number, ChatbotAnswer[]>();
    for (const a of rows) answers.set(a.stepId, [...(answers.get(a.stepId) ?? []), a]);
    const expertise = new Map<number, number[]>();
    for (const l of links) expertise.set(l.stepId, [...(expertise.get(l.stepId) ?? []), l.expertiseId]);
    return { script, steps, answers, expertise };
  }

  /** Creates (id null) or replaces a script; refuses, saying what is wrong, anything that could not run. */
  async save(id: number | null, input: ScriptInput): Promise<number> {
    const name = input.name.trim();
    const botName = input.botName.trim() || "Bot";
    if (!name) throw new InvalidInputError(lt("Name is required."));
    if (name.length > 128 || botName.length > 64) throw new InvalidInputError(lt("The name is at most 128 characters, the bot's name 64."));
    if (input.steps.length === 0) throw new InvalidInputError(lt("A script needs at least one step."));
    const expertiseIds = [...new Set(input.steps.flatMap((s) => s.expertiseIds ?? []))];
    const known = expertiseIds.length ? (await this.host.db.getRepository(Expertise).findBy({ id: In(expertiseIds) })).map((e) => e.id) : [];
    const positionOfKey = new Map<string, number>();
    input.steps.forEach((step, i) => {
      if (step.key !== undefined && positionOfKey.has(step.key)) throw new InvalidInputError(lt("The script form is incomplete; reload the page and try again."));
      if (step.key !== undefined) positionOfKey.set(step.key, i);
    });
    const targets = input.steps.map((step) => (step.answers ?? []).map((answer) => (typeof answer.then === "object" ? (positionOfKey.get(answer.then.step) ?? null) : answer.then)));
    input.steps.forEach((step, i) => {
      const refuse = (message: string, vars: Record<string, string> = {}) => new InvalidInputError(message, { step: i + 1, ...vars });
      if (!STEP_TYPES.includes(step.type)) throw refuse(lt('Step {step}: "{type}" is not a step type.'), { type: step.type });
      if (!step.text.trim()) throw refuse(lt("Step {step}: the bot needs something to say."));
      if (step.text.length > 4000) throw refuse(lt("Step {step}: the text is at most 4000 characters."));
      const missing = (step.expertiseIds ?? []).filter((e) => !known.includes(e));
      if (missing.length) throw refuse(lt("Step {step}: no expertise with id {ids}."), { ids: missing.join(", ") });
      const answers = step.answers ?? [];
      if (step.type === "question" && answers.length === 0) throw refuse(lt("Step {step}: a question needs at least one answer."));
      if (step.type !== "question" && answers.length) throw refuse(lt("Step {step}: only questions have answers."));
      for (const [j, answer] of answers.entries()) {
        if (!answer.label.trim() || answer.label.length > 128) throw refuse(lt("Step {step}: an answer needs a label of at most 128 characters."));
        const target = targets[i][j];
        if (target === null) throw refuse(lt('Step {step}: the answer "{answer}" jumps to a step that is no longer in the script.'), { answer: answer.label });
        if (typeof target === "number" && !(target > i && target < input.steps.length)) {
          throw refuse(lt('Step {step}: the answer "{answer}" must jump to a later step.'), { answer: answer.label });
        }
      }
    });

    return this.host.db.transaction(async (m) => {
      const repo = m.getRepository(ChatbotScript);
      if (id !== null && !(await repo.findOneBy({ id }))) throw new NotFoundError(lt("This chatbot script does not exist."));
      const script = await repo.save({ ...(id !== null ? { id } : {}), name, botName });
      // Steps the editor kept are updated in place, so their ids, translations and the conversations
      // standing on them stay; answers are written again, keeping their translations by position.
      const before = id === null ? null : await this.load(script.id, m);
      // Without keys (scripts written by code), a step keeps the saved step at its place.
      const byKey = new Map((before?.steps ?? []).map((s) => [String(s.id), s]));
      const keyed = input.steps.some((s) => s.key !== undefined);
      const previousSteps = input.steps.map((s, i) => (keyed ? (s.key !== undefined ? byKey.get(s.key) : undefined) : before?.steps[i]));
      const keptIds = previousSteps.flatMap((s) => (s ? [s.id] : []));
      if (before?.steps.length) {
        const stepIds = before.steps.map((s) => s.id);
        await m.getRepository(ChatbotAnswer).delete({ stepId: In(stepIds) });
        await m.getRepository(ChatbotStepExpertise).delete({ stepId: In(stepIds) });
        const gone = stepIds.filter((stepId) => !keptIds.includes(stepId));
        if (gone.length) await m.getRepository(ChatbotStep).delete({ id: In(gone) });
      }
      const saved: ChatbotStep[] = [];
      for (const [i, step] of input.steps.entries()) {
        const previous = previousSteps[i];
        saved.push(
          await m.getRepository(ChatbotStep).save({
            ...(previous ? { id: previous.id } : {}),
            scriptId: script.id,
            sequence: (i + 1) * 10,
            type: step.type,
            text: step.text.trim(),
            translations: previous?.translations ?? null,
            endsScript: step.endsScript ?? false,
          }),
        );
        const expertiseIds = [...new Set(step.expertiseIds ?? [])];
        if (expertiseIds.length) {
          await m.getRepository(ChatbotStepExpertise).insert(expertiseIds.map((expertiseId) => ({ stepId: saved[i].id, expertiseId })));
        }
      }
      for (const [i, step] of input.steps.entries()) {
        const previous = previousSteps[i];
        const previousAnswers = previous ? (before?.answers.get(previous.id) ?? []) : [];
        for (const [j, answer] of (step.answers ?? []).entries()) {
          const target = targets[i][j];
          await m.getRepository(ChatbotAnswer).save({
            stepId: saved[i].id,
            sequence: j,
            label: answer.label.trim(),
            translations: previousAnswers[j]?.translations ?? null,
            jumpToStepId: typeof target === "number" ? saved[target].id : null,
            endsScript: target === "end",
          });
        }
      }
      return script.id;
    });
  }

  /**
   * Saves the script's texts in `lang`: for each step in order, what the bot says and its answers'
   * labels. An empty text leaves that one to the default; the script's structure does not change.
   */
  async saveTranslation(id: number, lang: string, steps: { text: string; answers: string[] }[]): Promise<void> {
    await this.host.db.transaction(async (m) => {
      const loaded = await this.load(id, m);
      for (const [i, step] of loaded.steps.entries()) {
        const given = steps[i] ?? { text: "", answers: [] };
        if (given.text.length > 4000) throw new InvalidInputError(lt("Step {step}: the text is at most 4000 characters."), { step: i + 1 });
        await m.getRepository(ChatbotStep).update({ id: step.id }, { translations: withTranslation(step.translations, lang, given.text) });
        for (const [j, answer] of (loaded.answers.get(step.id) ?? []).entries()) {
          const label = given.answers[j] ?? "";
          if (label.length > 128) throw new InvalidInputError(lt("Step {step}: an answer needs a label of at most 128 characters."), { step: i + 1 });
          await m.getRepository(ChatbotAnswer).update({ id: answer.id }, { translations: withTranslation(answer.translations, lang, label) });
        }
      }
    });
  }

  async botNames(scriptIds: number[]): Promise<Map<number, string>> {
    if (scriptIds.length === 0) return new Map();
    const rows = await this.host.db.getRepository(ChatbotScript).findBy({ id: In(scriptIds) });
    return new Map(rows.map((r) => [r.id, r.botName]));
  }
}
