import { expect } from "chai";
import { Message } from "../../module/models/Message";
import { browserScenario } from "../support/browserScenario";

describe("Chat windows, Discuss and the widget speak their reader's language in a real browser", function () {
  this.timeout(90_000);
  // Marc (French) is the only operator online; the visitor's browser asks for Spanish.
  const scenario = browserScenario();

  it("shows Marc French chat window and Discuss labels, a Spanish visitor Spanish widget labels, and each of them the system lines in his language", async () => {
    const t = scenario.t;
    const marc = await scenario.operator("marc");
    const visitor = await scenario.visitor({ locale: "es-ES", timezoneId: "UTC" });
    const chat = visitor.getByRole("region", { name: "Chat en vivo" });
    const box = chat.getByRole("textbox", { name: "Su mensaje" });
    expect(await box.getAttribute("placeholder")).to.equal("Escriba su mensaje…");
    await box.fill("Hola, necesito ayuda con mi pedido");
    await box.press("Enter");
    await chat.getByText("Hola, necesito ayuda con mi pedido").waitFor();
    expect(await chat.getByRole("button", { name: "Minimizar el chat" }).isVisible()).to.equal(true);
    expect(await chat.getByText("Usted", { exact: true }).isVisible()).to.equal(true);
    await chat.getByText("En línea", { exact: true }).waitFor();
    // Who joined, as a system line in each reader's language.
    await chat.getByText("Marc se unió a la conversación.", { exact: true }).waitFor();

    // Marc's chat window opens with French labels; times are written the French way.
    const window = marc.getByRole("region", { name: "Fenêtre de discussion" });
    await window.getByText("Hola, necesito ayuda con mi pedido").waitFor();
    await window.getByText("Marc a rejoint la conversation.", { exact: true }).waitFor();
    expect(await window.getByRole("button", { name: "Replier" }).isVisible()).to.equal(true);
    expect(await window.getByRole("button", { name: "Terminer la conversation" }).isVisible()).to.equal(true);
    expect(await window.getByRole("textbox", { name: "Message" }).getAttribute("placeholder")).to.equal("Écrire un message…");
    const sent = await t.host.db.getRepository(Message).findOneByOrFail({ body: "Hola, necesito ayuda con mi pedido" });
    const time = window.locator(`[data-message-id="${sent.id}"] time`);
    const zone = await marc.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(await time.getAttribute("title")).to.equal(sent.createdAt.toLocaleString("fr", { timeZone: zone }));
    await window.getByRole("textbox", { name: "Message" }).fill("Bonjour ! Je regarde.");
    await window.getByRole("textbox", { name: "Message" }).press("Enter");
    await chat.getByText("Bonjour ! Je regarde.").waitFor();
    // The operator's messages carry his initials, as the bot's do.
    const answer = chat.getByRole("listitem").filter({ hasText: "Bonjour ! Je regarde." });
    expect(await answer.locator(".lcw-avatar").textContent()).to.equal("M");

    // Discuss: the list, the conversation's details and its buttons in French.
    await marc.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Discussion" }).click();
    await marc.waitForURL(`${t.url}/livechat/discuss`);
    await marc.getByRole("navigation", { name: "Conversations" }).getByRole("link").first().click();
    const conversation = marc.getByRole("region", { name: "Conversation" });
    await conversation.getByText("Hola, necesito ayuda con mi pedido").waitFor();
    await conversation.getByText(/^Website Support · avec Marc · espagnol \(Espagne\) · commencée /).waitFor();
    await conversation.getByRole("button", { name: "Terminer la conversation" }).click();
    await conversation.getByRole("status").filter({ hasText: "Marc a terminé cette conversation." }).waitFor();
    expect(await conversation.getByRole("textbox", { name: "Message" }).getAttribute("placeholder")).to.equal("Marc a terminé cette conversation.");

    // The visitor learns it in Spanish, and may start again.
    await chat.getByRole("status").filter({ hasText: "La conversación ha terminado." }).waitFor();
    await chat.getByText("Conversación terminada", { exact: true }).waitFor();
    await chat.getByText("Marc salió de la conversación.", { exact: true }).waitFor();
    await conversation.getByText("Marc a quitté la conversation.", { exact: true }).waitFor();

    // A second conversation, which the visitor ends: each side reads it from where they stand.
    await chat.getByRole("button", { name: "Iniciar una nueva conversación" }).click();
    await box.fill("Otra pregunta");
    await box.press("Enter");
    const second = marc.getByRole("region", { name: "Conversation" });
    await marc.getByRole("navigation", { name: "Conversations" }).getByRole("link").filter({ hasText: "Otra pregunta" }).click();
    await second.getByText("Otra pregunta").waitFor();
    await chat.getByRole("button", { name: "Terminar la conversación" }).click();
    await chat.getByText("Usted terminó la conversación.", { exact: true }).waitFor();
    await second.getByText("Le visiteur a mis fin à la conversation.", { exact: true }).waitFor();
    expect(scenario.scriptErrors).to.deep.equal([]);
  });
});
