// Chatbot script form: add, remove and reorder steps and answers. Fields are named steps[i][field]
// (and steps[i][answers][j][field]) in page order, so the server reads them in the order shown. Each
// step has a key (a saved step's id) that answers jump to, so moving steps never changes a jump.
import { h } from "../shared/dom";
import { t } from "../shared/i18n";
import { enhanceTagInputs } from "../shared/tagInput";
import { answerFieldName, stepFieldName } from "./scriptFieldNames";

/** The start of a step's text, to name it in a list of jump targets. */
function excerpt(text: string): string {
  const line = text.trim().replace(/\s+/g, " ");
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}

/** Puts `key` where the template says __key__ (ids, label targets, the key field). */
function withKey(root: DocumentFragment, key: string): void {
  root.querySelectorAll<HTMLElement>("*").forEach((el) => {
    for (const attr of ["id", "for", "value", "data-step-key"]) {
      const value = el.getAttribute(attr);
      if (value?.includes("__key__")) el.setAttribute(attr, value.split("__key__").join(key));
    }
  });
}

export function startChatbotForm(form: HTMLFormElement): void {
  const list = form.querySelector<HTMLElement>("[data-steps]");
  const stepTemplate = form.querySelector<HTMLTemplateElement>("[data-step-template]");
  const answerTemplate = form.querySelector<HTMLTemplateElement>("[data-answer-template]");
  if (!list || !stepTemplate || !answerTemplate) return;
  let created = 0;

  const steps = () => [...list.querySelectorAll<HTMLElement>("[data-step]")];

  /** Shows the groups of fields that the step's type has, hides the others. */
  const showFieldsOfType = (step: HTMLElement) => {
    const type = step.querySelector<HTMLSelectElement>('[data-field="type"]')?.value ?? "";
    step.querySelectorAll<HTMLElement>("[data-for-types]").forEach((group) => {
      group.hidden = !(group.dataset.forTypes ?? "").split(" ").includes(type);
    });
  };

  /** Every answer's list of targets, named after the steps as they now stand; choices are kept. */
  const refreshTargets = () => {
    const all = steps();
    all.forEach((step, i) => {
      step.querySelectorAll<HTMLSelectElement>('[data-answer-field="then"]').forEach((select) => {
        const chosen = select.value;
        const options = [
          h("option", { text: t("Next step"), props: { value: "next" } }),
          h("option", { text: t("End the script"), props: { value: "end" } }),
        ];
        all.forEach((other, k) => {
          if (k === i) return;
          const text = other.querySelector<HTMLTextAreaElement>('[data-field="text"]')?.value ?? "";
          options.push(h("option", { text: t("Step {number}: {text}", { number: k + 1, text: excerpt(text) }), props: { value: `step:${other.dataset.stepKey ?? ""}` } }));
        });
        // A jump to a step that was removed stays visible, so saving says so rather than changing it.
        if (chosen && !options.some((o) => o.value === chosen)) options.push(h("option", { text: t("A removed step"), props: { value: chosen } }));
        select.replaceChildren(...options);
        select.value = chosen || "next";
      });
    });
  };

  const renumber = () => {
    steps().forEach((step, i) => {
      const title = step.querySelector("[data-step-title]");
      if (title) title.textContent = t("Step {number}", { number: i + 1 });
      step.setAttribute("aria-label", t("Step {number}", { number: i + 1 }));
      step.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>("[data-field]").forEach((field) => {
        field.name = stepFieldName(i, field.dataset.field ?? "");
      });
      step.querySelectorAll<HTMLElement>("[data-answer]").forEach((row, j) => {
        row.querySelectorAll<HTMLInputElement | HTMLSelectElement>("[data-answer-field]").forEach((field) => {
          field.name = answerFieldName(i, j, field.dataset.answerField ?? "");
        });
        row.querySelector('[data-answer-field="label"]')?.setAttribute("aria-label", t("Answer {number}", { number: j + 1 }));
        row.querySelector('[data-answer-field="then"]')?.setAttribute("aria-label", t("After answer {number}", { number: j + 1 }));
        row.querySelector("[data-answer-remove]")?.setAttribute("aria-label", t("Remove answer {number}", { number: j + 1 }));
      });
    });
    refreshTargets();
  };

  const addStep = () => {
    const clone = stepTemplate.content.cloneNode(true) as DocumentFragment;
    do created += 1;
    while (list.querySelector(`[data-step-key="new-${created}"]`));
    withKey(clone, `new-${created}`);
    const step = clone.querySelector<HTMLElement>("[data-step]");
    list.appendChild(clone);
    if (step) {
      showFieldsOfType(step);
      enhanceTagInputs(step);
    }
  };

  const addAnswer = (step: HTMLElement, focus = true) => {
    const rows = step.querySelector("[data-answers]");
    const row = (answerTemplate.content.cloneNode(true) as DocumentFragment).querySelector("[data-answer]");
    if (!rows || !row) return;
    rows.appendChild(row);
    renumber();
    if (focus) row.querySelector<HTMLInputElement>('[data-answer-field="label"]')?.focus();
  };

  form.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("button") : null;
    if (!button) return;
    const step = button.closest<HTMLElement>("[data-step]");
    if (button.hasAttribute("data-step-add")) {
      addStep();
    } else if (button.hasAttribute("data-answer-add") && step) {
      addAnswer(step);
      return;
    } else if (button.hasAttribute("data-answer-remove")) {
      button.closest("[data-answer]")?.remove();
    } else if (button.hasAttribute("data-step-remove") && step) {
      step.remove();
    } else if (button.hasAttribute("data-step-up") && step?.previousElementSibling) {
      list.insertBefore(step, step.previousElementSibling);
    } else if (button.hasAttribute("data-step-down") && step?.nextElementSibling) {
      list.insertBefore(step.nextElementSibling, step);
    } else {
      return;
    }
    renumber();
    // A moved step keeps the focus on the button that moved it.
    if (button.isConnected) button.focus();
  });
  form.addEventListener("change", (event) => {
    const field = event.target instanceof HTMLSelectElement && event.target.dataset.field === "type" ? event.target : null;
    const step = field?.closest<HTMLElement>("[data-step]");
    if (!step) return;
    showFieldsOfType(step);
    // A step that becomes a question starts with one answer to fill in.
    const answers = step.querySelector<HTMLElement>("[data-answers]");
    if (answers?.closest<HTMLElement>("[data-for-types]")?.hidden === false && !answers.querySelector("[data-answer]")) addAnswer(step, false);
  });
  form.addEventListener("input", (event) => {
    if (event.target instanceof HTMLTextAreaElement && event.target.dataset.field === "text") refreshTargets();
  });
  steps().forEach(showFieldsOfType);
  enhanceTagInputs(list);
  renumber();
}
