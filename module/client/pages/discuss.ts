// The Discuss page.
import { startDiscuss } from "../operator/discuss";

const sidebar = document.querySelector<HTMLElement>("[data-discuss-sidebar]");
const main = document.querySelector<HTMLElement>("[data-discuss-main]");
if (sidebar && main) startDiscuss(sidebar, main);
