import { expect } from "chai";
import { conversationAssigned, conversationClosed, conversationStarted, messagePosted } from "../../module/api";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { ChatbotScripts } from "../../module/services/chatbot/ChatbotScripts";
import { startTestHost, type TestHost } from "../support/testHost";
import { asVisitor, channelWithOperators, online, startVisitor } from "./helpers";

describe("Conversation events for integrators", () => {
  let t: TestHost;
  const seen: string[] = [];
  before(async () => {
    t = await startTestHost();
    const hooks = t.host.contract.hooks;
    conversationStarted.on(hooks, (e) => void seen.push(`started ${e.conversationId}`));
    conversationAssigned.on(hooks, (e) => void seen.push(`assigned ${e.conversationId} to ${e.operatorId} (${e.tier})`));
    messagePosted.on(hooks, (e) => void seen.push(`posted ${e.conversationId}: ${e.message.author.kind} ${e.message.body}`));
    conversationClosed.on(hooks, (e) => void seen.push(`closed ${e.conversationId} (${e.reason})`));
  });
  after(async () => {
    await t?.stop();
  });

  it("tells of a start, its assignment, each message posted and the end, once each and in that order", async () => {
    const { channel, operators } = await channelWithOperators(t, "Evented", ["ev_op"], null);
    await online(t, ...operators);
    const v = await startVisitor(t, channel.id);
    const retried = { body: "Hello", clientMessageId: "ev-1" };
    await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, retried).expect(201);
    // A retry returns the stored message: nothing new was posted.
    await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, retried).expect(200);
    await asVisitor(t, v).post(`/livechat/conversations/${v.id}/end`).expect(200);
    // A message refused on an ended conversation is not an event either.
    await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "Still there?" }).expect(409);
    expect(seen).to.deep.equal([
      `started ${v.id}`,
      // A visitor whose browser names no language gets the default one (English), which the operator speaks.
      `assigned ${v.id} to ${operators[0].id} (language)`,
      `posted ${v.id}: visitor Hello`,
      `closed ${v.id} (visitor)`,
    ]);
  });

  it("tells of an end by the chatbot after the start, once the script ran out", async () => {
    const { channel } = await channelWithOperators(t, "Bot only", [], null);
    const scriptId = await new ChatbotScripts(t.host.contract).save(null, {
      name: "Goodbye",
      botName: "Bo",
      steps: [{ type: "message", text: "We are closed today." }],
    });
    await t.host.db.getRepository(LivechatChannel).update({ id: channel.id }, { chatbotScriptId: scriptId });
    seen.length = 0;
    const v = await startVisitor(t, channel.id);
    expect(v.body.conversation.state).to.equal("closed");
    expect(seen).to.deep.equal([`started ${v.id}`, `closed ${v.id} (chatbot)`]);
  });
});
