// Chatbot script form: add, remove and reorder steps. Fields are named steps[i][field] in page
// order, so the server reads the steps in the order they are shown.
(function () {
  "use strict";
  var form = document.querySelector("[data-script-form]");
  if (!form) return;
  var list = form.querySelector("[data-steps]");
  var template = form.querySelector("[data-step-template]");

  function renumber() {
    list.querySelectorAll("[data-step]").forEach(function (step, i) {
      step.querySelector("[data-step-title]").textContent = "Step " + (i + 1);
      step.setAttribute("aria-label", "Step " + (i + 1));
      step.querySelectorAll("[data-field]").forEach(function (field) {
        field.name = "steps[" + i + "][" + field.dataset.field + "]";
        var id = "step-" + i + "-" + field.dataset.field;
        var label = step.querySelector('label[for="' + field.id + '"]');
        field.id = id;
        if (label) label.htmlFor = id;
      });
    });
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    var step = button.closest("[data-step]");
    if (button.hasAttribute("data-step-add")) {
      list.appendChild(template.content.cloneNode(true));
    } else if (button.hasAttribute("data-step-remove")) {
      step.remove();
    } else if (button.hasAttribute("data-step-up") && step.previousElementSibling) {
      list.insertBefore(step, step.previousElementSibling);
    } else if (button.hasAttribute("data-step-down") && step.nextElementSibling) {
      list.insertBefore(step.nextElementSibling, step);
    } else {
      return;
    }
    renumber();
  });
  renumber();
})();
