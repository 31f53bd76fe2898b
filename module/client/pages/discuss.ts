// The Discuss page.
import { startDiscuss } from "../operator/discuss";
import { whenTranslated } from "../shared/i18n";

const sidebar = document.querySelector<HTMLElement>("[data-discuss-sidebar]");
const main = document.querySelector<HTMLElement>("[data-discuss-main]");
if (sidebar && main) whenTranslated(() => startDiscuss(sidebar, main));
