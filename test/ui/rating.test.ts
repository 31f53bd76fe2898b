import fs from "node:fs";
import { expect } from "chai";
import { ConversationRating } from "../../module/models/ConversationRating";
import { browserScenario } from "../support/browserScenario";

describe("Rating and transcript after the end, in real browsers", function () {
  this.timeout(90_000);
  const scenario = browserScenario();

  it("lets the visitor rate once with a comment and download the transcript; the operator sees the rating live in his window and Discuss", async () => {
    const t = scenario.t;
    const operator = await scenario.operator("mitchell");
    const visitor = await scenario.visitor({ acceptDownloads: true });
    const chat = visitor.getByRole("region", { name: "Live chat" });
    await chat.getByRole("textbox", { name: "Your message" }).fill("Where is my parcel?");
    await chat.getByRole("textbox", { name: "Your message" }).press("Enter");
    const chatWindow = operator.getByRole("region", { name: "Chat window" });
    await chatWindow.getByText("Where is my parcel?").waitFor();
    await chatWindow.getByRole("textbox", { name: "Message" }).fill("On its way, <b>tomorrow</b>.");
    await chatWindow.getByRole("textbox", { name: "Message" }).press("Enter");
    await chat.getByText("On its way, <b>tomorrow</b>.").waitFor();

    // The operator follows the conversation in Discuss on a second tab: the rating shows there live too.
    const conversationId = Number(await chatWindow.getAttribute("data-conversation-id"));
    const discuss = await operator.context().newPage();
    await discuss.goto(`${t.url}/livechat/discuss?conversation=${conversationId}`);
    await discuss.getByRole("region", { name: "Conversation" }).getByText("On its way, <b>tomorrow</b>.", { exact: true }).waitFor();

    // Before the end, nothing asks for a rating.
    expect(await chat.getByRole("region", { name: "Your feedback" }).isVisible()).to.equal(false);
    await chat.getByRole("button", { name: "End conversation" }).click();
    const feedback = chat.getByRole("region", { name: "Your feedback" });
    await feedback.getByText("How was your conversation with Mitchell?").waitFor();
    await feedback.getByRole("button", { name: "Satisfied", exact: true }).click();
    expect(await feedback.getByRole("button", { name: "Satisfied", exact: true }).getAttribute("aria-pressed")).to.equal("true");
    await feedback.getByRole("textbox", { name: "Comment" }).fill("Quick and kind");
    await feedback.getByRole("button", { name: "Send feedback" }).click();
    await feedback.getByRole("status").filter({ hasText: "Thank you for your feedback." }).waitFor();
    expect(await feedback.getByRole("button", { name: "Satisfied", exact: true }).isVisible()).to.equal(false);

    const download = visitor.waitForEvent("download");
    await feedback.getByRole("button", { name: "Download the conversation" }).click();
    const file = await (await download).path();
    const text = fs.readFileSync(file, "utf8");
    expect(text).to.contain("Where is my parcel?").and.contain("Mitchell: On its way, <b>tomorrow</b>.");

    // Live, without a reload: in the operator's chat window and in Discuss.
    for (const note of [chatWindow.getByRole("note", { name: "Visitor's rating" }), discuss.getByRole("note", { name: "Visitor's rating" })]) {
      await note.waitFor();
      expect(await note.textContent()).to.contain("Rated: Satisfied").and.contain("Quick and kind");
    }

    const stored = await t.host.db.getRepository(ConversationRating).find();
    expect(stored.map((r) => [r.value, r.comment])).to.deep.equal([[5, "Quick and kind"]]);

    await operator.goto(`${t.url}/livechat/discuss?conversation=${stored[0].conversationId}`);
    const rating = operator.getByRole("note", { name: "Visitor's rating" });
    await rating.waitFor();
    expect(await rating.textContent()).to.contain("Rated: Satisfied").and.contain("Quick and kind");
    const transcript = operator.waitForEvent("download");
    await operator.getByRole("link", { name: "Transcript" }).click();
    expect((await transcript).suggestedFilename()).to.equal(`livechat-${stored[0].conversationId}.txt`);
  });
});
