import { expect } from "chai";
import request from "supertest";
import { ASSIGN_WAITING_JOB } from "../../module/conversations";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import type { MessageDto } from "../../module/services/conversations/dto";
import { asVisitor, online, startVisitor, type Visitor } from "../conversations/helpers";
import { connectBus } from "../support/busClient";
import { startTestHost, type TestHost, type TestSession } from "../support/testHost";

describe("System lines in each reader's language, from each reader's side", () => {
  let t: TestHost;
  let support: LivechatChannel;
  let marc: TestSession;
  let scriptId: number | null;
  before(async () => {
    t = await startTestHost();
    support = await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Website Support" });
    scriptId = support.chatbotScriptId;
    await t.host.db.getRepository(LivechatChannel).update({ id: support.id }, { chatbotScriptId: null, welcomeMessage: "" });
    marc = await t.login("marc");
  });
  after(async () => {
    await t?.stop();
  });

  /** What the visitor reads, and what Marc (French) reads, of the conversation's system lines. */
  async function lines(v: Visitor): Promise<{ visitor: string[]; operator: string[] }> {
    const systemOnly = (messages: MessageDto[]) => messages.filter((m) => m.author.kind === "system").map((m) => m.body);
    const visitor = (await asVisitor(t, v).get(`/livechat/conversations/${v.id}/messages`)).body.messages as MessageDto[];
    const operator = (await marc.agent.get(`/livechat/api/conversations/${v.id}`)).body.messages as MessageDto[];
    return { visitor: systemOnly(visitor), operator: systemOnly(operator) };
  }

  it("says who joined and who ended: a French and an English visitor each in theirs, Marc in French", async () => {
    await online(t, (await t.host.users.findByLogin("marc"))!);
    const info = await request(t.url).get(`/livechat/channels/${support.id}/info`).set("Accept-Language", "fr-FR,fr;q=0.9");
    expect(info.body.lang).to.equal("fr-FR");
    const french = await startVisitor(t, support.id, { lang: info.body.lang });
    const english = await startVisitor(t, support.id, {}, { "Accept-Language": "en-US" });
    expect(french.body.conversation.operator?.name).to.equal("Marc");
    expect(english.body.conversation.operator?.name).to.equal("Marc");

    expect(await lines(french)).to.deep.equal({ visitor: ["Marc a rejoint la conversation."], operator: ["Marc a rejoint la conversation."] });
    expect(await lines(english)).to.deep.equal({ visitor: ["Marc joined the conversation."], operator: ["Marc a rejoint la conversation."] });

    // The French visitor ends: he reads it from his side, Marc from his.
    const visitorBus = await connectBus(t.url, { token: french.token });
    try {
      await asVisitor(t, french).post(`/livechat/conversations/${french.id}/end`);
      const told = await visitorBus.next((n) => n.type === "livechat.message" && (n.payload as { message: MessageDto }).message.author.kind === "system");
      // What the widget renders from: the line's key, whatever the language.
      expect((told.payload as { message: MessageDto }).message.system).to.deep.equal({ key: "visitor_ended", params: {} });
    } finally {
      visitorBus.close();
    }
    expect(await lines(french)).to.deep.equal({
      visitor: ["Marc a rejoint la conversation.", "Vous avez mis fin à la conversation."],
      operator: ["Marc a rejoint la conversation.", "Le visiteur a mis fin à la conversation."],
    });

    // What the widget is refused is said in its language (it sends the conversation's as Accept-Language).
    const refused = await asVisitor(t, french).post(`/livechat/conversations/${french.id}/messages`, { body: "Encore là ?" }).set("Accept-Language", "fr-FR");
    expect([refused.status, refused.body.error]).to.deep.equal([409, "Cette conversation est terminée : plus aucun message ne peut être envoyé."]);
    const empty = await asVisitor(t, english).post(`/livechat/conversations/${english.id}/messages`, { body: "   " }).set("Accept-Language", "de");
    expect([empty.status, empty.body.error]).to.deep.equal([400, "Die Nachricht ist leer."]);

    // Marc ends the English visitor's: "Marc left the conversation." on both sides.
    await marc.postJson(`/livechat/api/conversations/${english.id}/end`, {});
    expect(await lines(english)).to.deep.equal({
      visitor: ["Marc joined the conversation.", "Marc left the conversation."],
      operator: ["Marc a rejoint la conversation.", "Marc a quitté la conversation."],
    });
  });

  it("tells a visitor who waited for the chatbot's hand-over who took the conversation, in his language", async () => {
    t.clock.advance(3 * 3600_000);
    expect(scriptId).to.not.equal(null);
    await t.host.db.getRepository(LivechatChannel).update({ id: support.id }, { chatbotScriptId: scriptId });
    const v = await startVisitor(t, support.id, { lang: "fr" });
    // The demo script asks what it is about; an answer forwards to an operator, and nobody is online.
    const asked = (await asVisitor(t, v).get(`/livechat/conversations/${v.id}`)).body.conversation;
    await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: asked.chatbot.step.answers[0].label });
    expect((await asVisitor(t, v).get(`/livechat/conversations/${v.id}`)).body.conversation.state).to.equal("waiting");

    await online(t, (await t.host.users.findByLogin("marc"))!);
    await t.host.scheduler.runNow(ASSIGN_WAITING_JOB);
    const after = (await asVisitor(t, v).get(`/livechat/conversations/${v.id}/messages`)).body.messages as MessageDto[];
    expect(after.filter((m) => m.system).map((m) => m.system)).to.deep.equal([{ key: "operator_joined", params: { name: "Marc" } }]);
    expect(after.at(-1)?.body).to.equal("Marc a rejoint la conversation.");
  });
});
