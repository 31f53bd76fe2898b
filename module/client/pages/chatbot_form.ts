// The chatbot script form.
import { startChatbotForm } from "../operator/chatbotForm";
import { whenTranslated } from "../shared/i18n";

const form = document.querySelector<HTMLFormElement>("[data-script-form]");
if (form) whenTranslated(() => startChatbotForm(form));
