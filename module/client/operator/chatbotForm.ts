// Chatbot script form: add, remove and reorder steps. Fields are named steps[i][field] in page
// order, so the server reads the steps in the order they are shown.
import { t } from "../shared/i18n";

/** A step field's form name and element id at a position. */
export function stepField(index: number, field: string): { name: string; id: string } {
  return { name: `steps[${index}][${field}]`, id: `step-${index}-${field}` };
}

export function startChatbotForm(form: HTMLFormElement): void {
  const list = form.querySelector<HTMLElement>("[data-steps]");
  const template = form.querySelector<HTMLTemplateElement>("[data-step-template]");
  if (!list || !template) return;

  const renumber = () => {
    list.querySelectorAll<HTMLElement>("[data-step]").forEach((step, i) => {
      const title = step.querySelector("[data-step-title]");
      if (title) title.textContent = t("Step {number}", { number: i + 1 });
      step.setAttribute("aria-label", t("Step {number}", { number: i + 1 }));
      step.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>("[data-field]").forEach((field) => {
        const { name, id } = stepField(i, field.dataset.field ?? "");
        const label = step.querySelector<HTMLLabelElement>(`label[for="${field.id}"]`);
        field.name = name;
        field.id = id;
        if (label) label.htmlFor = id;
      });
    });
  };

  form.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("button") : null;
    if (!button) return;
    const step = button.closest("[data-step]");
    if (button.hasAttribute("data-step-add")) {
      list.appendChild(template.content.cloneNode(true));
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
  });
  renumber();
}
