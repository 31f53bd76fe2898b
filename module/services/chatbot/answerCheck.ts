import { ConflictError, InvalidInputError, lt } from "../../../host/contract";
import type { ChatbotAnswer } from "../../models/ChatbotAnswer";
import type { ChatbotStep } from "../../models/ChatbotStep";
import { parseTranslations, translated } from "../contentTranslations";

/** Where the script goes after an answer: a step position, or the end. */
export type Then = number | "end";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

/**
 * Checks a visitor's answer to `steps[index]` and says where the script goes next. A wrong answer
 * is refused with a message that asks again, and the script does not move.
 */
export function checkAnswer(steps: ChatbotStep[], index: number, answers: ChatbotAnswer[], raw: string, lang: string | null = null): { value: string; then: Then } {
  const step = steps[index];
  const value = raw.trim();
  const next: Then = step.endsScript ? "end" : index + 1;
  switch (step.type) {
    case "question": {
      // The label in the visitor's language, or the default one: either way the same answer, stored by its default label.
      const shown = (a: ChatbotAnswer) => translated(a.label, parseTranslations(a.translations), lang);
      const matches = (text: string) => text.toLocaleLowerCase() === value.toLocaleLowerCase();
      const chosen = answers.find((a) => matches(shown(a)) || matches(a.label));
      if (!chosen) throw new InvalidInputError(lt("Please choose one of the answers: {answers}."), { answers: answers.map(shown).join(", ") });
      if (chosen.endsScript) return { value: chosen.label, then: "end" };
      if (chosen.jumpToStepId !== null) {
        const target = steps.findIndex((s) => s.id === chosen.jumpToStepId);
        if (target <= index) throw new InvalidInputError(lt("This answer leads to a step that does not exist any more."));
        return { value: chosen.label, then: target };
      }
      return { value: chosen.label, then: next };
    }
    case "email":
      if (!EMAIL.test(value)) throw new InvalidInputError(lt("That does not look like an email address. Please type one like name@example.com."));
      return { value, then: next };
    case "phone":
      if (!/^\+?[0-9 ().-]{6,24}$/.test(value) || value.replace(/\D/g, "").length < 6) {
        throw new InvalidInputError(lt("That does not look like a phone number. Please type digits, with the country code if you are abroad."));
      }
      return { value, then: next };
    case "text":
      if (value.includes("\n")) throw new InvalidInputError(lt("Please answer on a single line."));
      return { value, then: next };
    case "textarea":
      return { value, then: next };
    default:
      throw new ConflictError(lt("The chatbot is not waiting for an answer."));
  }
}
