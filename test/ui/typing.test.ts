import { expect } from "chai";
import { Message } from "../../module/models/Message";
import { browserScenario } from "../support/browserScenario";

describe("Typing indicators in real browsers", function () {
  this.timeout(90_000);
  const scenario = browserScenario();

  it("shows the visitor that Mitchell is typing and the operator that the visitor is, in the window and in Discuss, until the message comes", async () => {
    const operator = await scenario.operator("mitchell");
    const visitor = await scenario.visitor();
    const chat = visitor.getByRole("region", { name: "Live chat" });
    const visitorBox = chat.getByRole("textbox", { name: "Your message" });
    await visitorBox.fill("Hello there");
    await visitorBox.press("Enter");
    const chatWindow = operator.getByRole("region", { name: "Chat window" });
    await chatWindow.getByText("Hello there").waitFor();
    const visitorName = (await chatWindow.getByRole("heading").textContent()) ?? "";
    expect(visitorName).to.match(/^Visitor #\d+$/);

    // The operator types: the visitor reads the Online Chat Name, and the line goes once the answer is in.
    const operatorBox = chatWindow.getByRole("textbox", { name: "Message" });
    await operatorBox.fill("Let me check");
    const operatorTyping = chat.getByRole("status").filter({ hasText: "Mitchell is typing…" });
    await operatorTyping.waitFor();
    await operatorBox.press("Enter");
    await chat.getByText("Let me check").waitFor();
    await operatorTyping.waitFor({ state: "hidden" });

    // The visitor types: the operator's window says so under the thread, until the message arrives.
    await visitorBox.fill("My order is");
    const visitorTyping = chatWindow.getByRole("status").filter({ hasText: `${visitorName} is typing…` });
    await visitorTyping.waitFor();
    await visitorBox.fill("My order is 4242");
    await visitorBox.press("Enter");
    await chatWindow.getByText("My order is 4242").waitFor();
    await visitorTyping.waitFor({ state: "hidden" });

    // Clearing the text says "stopped" at once.
    await visitorBox.fill("Also");
    await visitorTyping.waitFor();
    await visitorBox.fill("");
    await visitorTyping.waitFor({ state: "hidden" });

    // Discuss shows it under the thread too.
    await operator.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name: "Discuss" }).click();
    await operator.getByRole("navigation", { name: "Conversations" }).getByRole("link").first().click();
    const conversation = operator.getByRole("region", { name: "Conversation" });
    await conversation.getByText("My order is 4242").waitFor();
    await visitorBox.fill("One more thing");
    const inDiscuss = conversation.getByRole("status").filter({ hasText: `${visitorName} is typing…` });
    await inDiscuss.waitFor();
    await visitorBox.press("Enter");
    await conversation.getByText("One more thing").waitFor();
    await inDiscuss.waitFor({ state: "hidden" });

    // None of it was stored.
    const bodies = (await scenario.t.host.db.getRepository(Message).find({ order: { id: "ASC" } })).map((m) => m.body);
    expect(bodies.join("\n")).not.to.contain("typing");
    expect(scenario.scriptErrors).to.deep.equal([]);
  });
});
