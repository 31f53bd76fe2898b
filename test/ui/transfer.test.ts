import { expect } from "chai";
import { ChannelService } from "../../module/services/ChannelService";
import { browserScenario } from "../support/browserScenario";

describe("Transfer, seen by the visitor, the operator who transfers and the one who receives, in real browsers", function () {
  this.timeout(120_000);
  const scenario = browserScenario();

  it("moves the conversation from Mitchell to Sofia from the chat window, and back through another channel from Discuss", async () => {
    const t = scenario.t;
    // Mitchell is the only operator online when the visitor starts: the conversation is his.
    const a = await scenario.operator("mitchell");
    const aOtherTab = await a.context().newPage();
    await aOtherTab.goto(`${t.url}/web`);
    const visitor = await scenario.visitor();
    const chat = visitor.getByRole("region", { name: "Live chat" });
    await chat.getByRole("textbox", { name: "Your message" }).fill("My invoice is wrong");
    await chat.getByRole("textbox", { name: "Your message" }).press("Enter");
    const header = chat.locator("header");
    await header.getByRole("heading", { name: "Mitchell" }).waitFor();
    const aWindow = a.getByRole("region", { name: "Chat window" });
    await aWindow.getByText("My invoice is wrong").waitFor();
    await aOtherTab.getByRole("region", { name: "Chat window" }).getByText("My invoice is wrong").waitFor();

    // Sofia (who reads Spanish) comes online; /transfer alone lists her.
    const b = await scenario.operator("sofia");
    const composer = aWindow.getByRole("textbox", { name: "Message" });
    await composer.fill("/transfer");
    await composer.press("Enter");
    await aWindow.getByRole("status").filter({ hasText: "Available operators: Sofia Herrera." }).waitFor();

    // From the chat window's Transfer menu: only the available operators, by the name visitors see.
    await aWindow.getByRole("button", { name: "Transfer" }).click();
    const menu = aWindow.getByRole("menu", { name: "Transfer to" });
    const operators = menu.getByRole("group", { name: "Operators" }).getByRole("menuitem");
    await operators.first().waitFor();
    expect(await operators.allTextContents()).to.deep.equal(["Sofia Herrera"]);
    await operators.filter({ hasText: "Sofia Herrera" }).click();

    // Mitchell's window goes away on both of his tabs.
    await aWindow.waitFor({ state: "detached" });
    await aOtherTab.getByRole("region", { name: "Chat window" }).waitFor({ state: "detached" });
    // Sofia's window opens, the line in her language.
    const bWindow = b.getByRole("region", { name: "Ventana de chat" });
    await bWindow.getByText("Mitchell transfirió la conversación a Sofia Herrera.").waitFor();
    await bWindow.getByText("My invoice is wrong").waitFor();
    // The visitor reads the line, and the header names Sofia with her initials.
    await chat.getByText("Mitchell transferred the conversation to Sofia Herrera.").waitFor();
    await header.getByRole("heading", { name: "Sofia Herrera" }).waitFor();
    expect(await header.locator(".lcw-header-avatar").textContent()).to.equal("SH");
    await bWindow.getByRole("textbox", { name: "Mensaje" }).fill("Let me check it");
    await bWindow.getByRole("textbox", { name: "Mensaje" }).press("Enter");
    await chat.getByText("Let me check it").waitFor();

    // From Discuss, Sofia sends it to the Billing channel, where Mitchell is the one available.
    const admin = (await t.host.users.findByLogin("admin"))!;
    const mitchell = (await t.host.users.findByLogin("mitchell"))!;
    await new ChannelService(t.host.contract).save(null, { name: "Billing", welcomeMessage: "", buttonText: "Chat", maxSessions: null, memberIds: [mitchell.id] }, admin);
    const conversationId = Number(await bWindow.getAttribute("data-conversation-id"));
    await b.goto(`${t.url}/livechat/discuss?conversation=${conversationId}`);
    const region = b.getByRole("region", { name: "Conversación" });
    await region.getByText("Let me check it").waitFor();
    await b.getByRole("button", { name: "Transferir" }).click();
    await b.getByRole("menu", { name: "Transferir a" }).getByRole("group", { name: "Canales" }).getByRole("menuitem", { name: "Billing" }).click();
    await b.getByRole("status").filter({ hasText: "Transferida al canal Billing: ahora la tiene Mitchell." }).waitFor();
    expect(await region.getByRole("textbox", { name: "Mensaje" }).isDisabled()).to.equal(true);

    const back = a.getByRole("region", { name: "Chat window" });
    await back.getByText("Mitchell joined the conversation.").nth(1).waitFor();
    expect(await back.locator("span.o-msg-system").allTextContents()).to.deep.equal([
      "Mitchell joined the conversation.",
      "Mitchell transferred the conversation to Sofia Herrera.",
      "Sofia Herrera transferred the conversation to the channel Billing.",
      "Mitchell joined the conversation.",
    ]);
    await header.getByRole("heading", { name: "Mitchell" }).waitFor();
    expect(await header.locator(".lcw-header-avatar").textContent()).to.equal("M");
  });
});
