// The chatbot script form (its expertise fields are tag inputs).
import "tom-select/dist/css/tom-select.bootstrap5.css";
import { startChatbotForm } from "../operator/chatbotForm";
import { whenTranslated } from "../shared/i18n";

const form = document.querySelector<HTMLFormElement>("[data-script-form]");
if (form) whenTranslated(() => startChatbotForm(form));
