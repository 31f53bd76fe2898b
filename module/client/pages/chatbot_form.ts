// The chatbot script form.
import { startChatbotForm } from "../operator/chatbotForm";

const form = document.querySelector<HTMLFormElement>("[data-script-form]");
if (form) startChatbotForm(form);
