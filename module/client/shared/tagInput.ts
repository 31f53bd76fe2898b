// Tag inputs over multi-selects: the <select multiple> stays in the form (hidden) and Tom Select
// keeps it in step, so the form posts the same fields with or without this script. Typing filters,
// arrows and Enter choose, Backspace (or ← then Delete) removes a tag.
import TomSelect from "tom-select/dist/esm/tom-select.js";
import type { TomOption } from "tom-select/dist/esm/types/index.js";
import { h } from "./dom";
import { t } from "./i18n";

function tagItem(data: TomOption): HTMLElement {
  const name = String(data.text ?? "");
  return h(
    "div",
    { class: "o-tag" },
    h("span", { text: name }),
    h("button", {
      class: "o-tag-remove",
      text: "×",
      attrs: { "aria-label": t("Remove {name}", { name }), "data-tag-remove": "", tabindex: "-1" },
      props: { type: "button" },
    }),
  );
}

/** Turns one <select multiple> into a tag input (once). */
export function enhanceTagInput(select: HTMLSelectElement): void {
  if (!select.multiple || select.classList.contains("tomselected")) return;
  const input = new TomSelect(select, {
    plugins: [],
    create: false,
    maxOptions: 500,
    hideSelected: true,
    closeAfterSelect: false,
    clearAfterSelect: true,
    // Options are all on the page: the list follows each key at once.
    refreshThrottle: 0,
    placeholder: select.options.length ? t("Add…") : t("Nothing to choose from"),
    render: {
      item: (data: TomOption) => tagItem(data),
      option: (data: TomOption) => h("div", { text: String(data.text ?? "") }),
      no_results: () => h("div", { class: "no-results", text: t("No match") }),
    },
  });
  const help = select.getAttribute("aria-describedby");
  if (help) input.control_input.setAttribute("aria-describedby", help);
  // Removing with the mouse: the button must not steal the focus from the input first.
  input.control.addEventListener("mousedown", (event) => {
    if (event.target instanceof Element && event.target.closest("[data-tag-remove]")) event.preventDefault();
  });
  input.control.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-tag-remove]") : null;
    const item = button?.closest<HTMLElement>("[data-value]");
    if (!item || input.isLocked) return;
    event.stopPropagation();
    input.removeItem(item.dataset.value ?? "");
    input.refreshOptions(false);
  });
}

/** Every multi-select inside `root`. */
export function enhanceTagInputs(root: ParentNode): void {
  root.querySelectorAll<HTMLSelectElement>("select[multiple]").forEach(enhanceTagInput);
}
