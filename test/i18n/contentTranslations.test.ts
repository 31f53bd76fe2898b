import { expect } from "chai";
import request from "supertest";
import { Conversation } from "../../module/models/Conversation";
import { ConversationAnswer } from "../../module/models/ConversationAnswer";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import type { MessageDto } from "../../module/services/conversations/dto";
import { asVisitor, online, startVisitor, type Visitor } from "../conversations/helpers";
import { loggedInPage } from "../support/browser";
import { formFields } from "../support/formFields";
import { startTestHost, type TestHost, type TestSession } from "../support/testHost";

/** The demo script's texts in French: steps in order, each with its answers' labels. */
const FRENCH_SCRIPT = {
  step_0_text: "Bonjour ! Je suis l'assistant du support.",
  step_1_text: "Comment pouvons-nous vous aider ?",
  step_1_answer_0: "Facturation",
  step_1_answer_1: "Problème technique",
  // Left empty: French visitors read the default.
  step_1_answer_2: "",
  step_2_text: "Je vous mets en relation avec la facturation.",
};

describe("Channel and chatbot texts per language", () => {
  let t: TestHost;
  let admin: TestSession;
  let channel: LivechatChannel;
  before(async () => {
    t = await startTestHost();
    admin = await t.login("admin");
    channel = await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Website Support" });
  });
  after(async () => {
    await t?.stop();
  });

  const botSaid = async (v: Visitor) =>
    ((await asVisitor(t, v).get(`/livechat/conversations/${v.id}/messages`)).body.messages as MessageDto[]).filter((m) => m.author.kind === "bot").map((m) => m.body);

  it("offers a language switcher on the channel and script forms, and saves each language's texts there", async () => {
    const form = await admin.agent.get(`/livechat/channels/${channel.id}`);
    // Handlebars writes "=" as "&#x3D;" in attributes.
    expect(form.text).to.contain(`href="/livechat/channels/${channel.id}/translate?lang&#x3D;fr_FR"`);
    const script = await admin.agent.get(`/livechat/chatbots/${channel.chatbotScriptId}`);
    expect(script.text).to.contain(`href="/livechat/chatbots/${channel.chatbotScriptId}/translate?lang&#x3D;fr_FR"`);

    const saved = await admin.postForm(`/livechat/channels/${channel.id}/translate?lang=fr_FR`, {
      welcome_message: "Bonjour ! Que pouvons-nous faire pour vous ?",
      button_text: "Une question ? Écrivez-nous.",
    });
    expect(saved.status).to.equal(302);
    const page = await admin.agent.get(`/livechat/channels/${channel.id}/translate?lang=fr_FR`);
    expect(page.text).to.contain("Une question ? Écrivez-nous.");
    expect(page.text).to.contain("Default: Have a question? Chat with us.");
    expect((await admin.postForm(`/livechat/chatbots/${channel.chatbotScriptId}/translate?lang=fr_FR`, FRENCH_SCRIPT)).status).to.equal(302);
    expect((await admin.agent.get(`/livechat/chatbots/${channel.chatbotScriptId}/translate?lang=ja_JP`)).status).to.equal(404);
  });

  it("shows a French visitor the French button, welcome and script, falling back to the default, and an English one the default", async () => {
    const french = (await request(t.url).get(`/livechat/channels/${channel.id}/info`).set("Accept-Language", "fr-CA,fr;q=0.9")).body;
    expect(french).to.include({ lang: "fr-FR", buttonText: "Une question ? Écrivez-nous.", welcomeMessage: "Bonjour ! Que pouvons-nous faire pour vous ?" });
    const english = (await request(t.url).get(`/livechat/channels/${channel.id}/info`).set("Accept-Language", "en-GB")).body;
    expect(english).to.include({ buttonText: "Have a question? Chat with us." });

    const v = await startVisitor(t, channel.id, { lang: "fr-FR" });
    expect(await botSaid(v)).to.deep.equal(["Bonjour ! Je suis l'assistant du support.", "Comment pouvons-nous vous aider ?"]);
    const asked = (await asVisitor(t, v).get(`/livechat/conversations/${v.id}`)).body.conversation;
    expect(asked.chatbot.step.answers.map((a: { label: string }) => a.label)).to.deep.equal(["Facturation", "Problème technique", "Just looking"]);

    // His answer in French matches, and the operator reads what he chose as the script's own answer.
    await online(t, (await t.host.users.findByLogin("mitchell"))!);
    const refused = await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "Autre chose" }).set("Accept-Language", "fr-FR");
    expect(refused.body.error).to.equal("Veuillez choisir l'une des réponses : Facturation, Problème technique, Just looking.");
    expect((await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "facturation" })).status).to.equal(201);
    expect((await botSaid(v)).at(-1)).to.equal("Je vous mets en relation avec la facturation.");
    expect((await asVisitor(t, v).get(`/livechat/conversations/${v.id}`)).body.conversation.operator).to.deep.equal({ name: "Mitchell" });
    const answer = await t.host.db.getRepository(ConversationAnswer).findOneByOrFail({ conversationId: v.id });
    expect([answer.question, answer.value]).to.deep.equal(["What can we help you with?", "Billing"]);

    // The default labels still match for him, and an English visitor goes through the default script.
    const again = await startVisitor(t, channel.id, { lang: "fr" });
    expect((await asVisitor(t, again).post(`/livechat/conversations/${again.id}/messages`, { body: "Just looking" })).status).to.equal(201);
    const en = await startVisitor(t, channel.id, {}, { "Accept-Language": "en-US" });
    expect(await botSaid(en)).to.deep.equal(["Hello! I am the Website Support assistant.", "What can we help you with?"]);
  });

  it("keeps a script's translations when its default texts are saved again", async () => {
    const form = await admin.agent.get(`/livechat/chatbots/${channel.chatbotScriptId}`);
    const body = formFields(form.text, "data-script-form");
    expect(body).to.include({ "steps[1][type]": "question", "steps[1][text]": "What can we help you with?" });
    body["steps[0][text]"] = "Hello! I am the support assistant.";
    expect((await admin.postForm(`/livechat/chatbots/${channel.chatbotScriptId}`, body)).status).to.equal(302);
    const page = await admin.agent.get(`/livechat/chatbots/${channel.chatbotScriptId}/translate?lang=fr_FR`);
    expect(page.text).to.contain("Bonjour ! Je suis l&#x27;assistant du support.");
    expect(page.text).to.contain("Default: Hello! I am the support assistant.");
    expect(page.text).to.contain('value="Facturation"');
  });

  it("takes a French visitor through the French script in the widget, up to a French hand-over", async function () {
    this.timeout(90_000);
    const browser = await t.browser();
    const operator = await loggedInPage(browser, t.url, "mitchell", { viewport: { width: 1280, height: 800 } });
    const visitor = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    await visitor.goto(`${t.url}/livechat/demo`);
    await visitor.getByRole("button", { name: "Une question ? Écrivez-nous." }).click();
    const chat = visitor.getByRole("region", { name: "Chat en direct" });
    await chat.getByText("Comment pouvons-nous vous aider ?").waitFor();
    const answers = chat.getByRole("group", { name: "Réponses" });
    expect(await answers.getByRole("button").allTextContents()).to.deep.equal(["Facturation", "Problème technique", "Just looking"]);
    await answers.getByRole("button", { name: "Facturation" }).click();
    await chat.getByText("Je vous mets en relation avec la facturation.").waitFor();
    await chat.getByText("Mitchell a rejoint la conversation.", { exact: true }).waitFor();
    // Mitchell reads in English what the visitor was told, and the line in his language.
    const latest = await t.host.db.getRepository(Conversation).find({ order: { id: "DESC" }, take: 1 });
    const window = operator.locator(`[data-conversation-id="${latest[0].id}"]`);
    await window.getByText("Mitchell joined the conversation.", { exact: true }).waitFor();
    await window.getByText("Je vous mets en relation avec la facturation.").waitFor();
  });
});
