import { expect } from "chai";
import request from "supertest";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { Message } from "../../module/models/Message";
import { connectBus } from "../support/busClient";
import { startTestHost, type TestHost } from "../support/testHost";
import { asVisitor, channelWithOperators, online, startVisitor } from "./helpers";

describe("Conversations: visitor API, operator API, isolation", () => {
  let t: TestHost;
  let support: LivechatChannel;
  before(async () => {
    t = await startTestHost();
    support = await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Website Support" });
    // These tests are about operators answering directly: the demo's chatbot is switched off.
    await t.host.db.getRepository(LivechatChannel).update({ id: support.id }, { chatbotScriptId: null });
  });
  after(async () => {
    await t?.stop();
  });
  const user = async (login: string) => (await t.host.users.findByLogin(login))!;
  /** Only `login` is online among the demo operators. */
  async function onlyOnline(login: string) {
    t.clock.advance(3 * 3600_000);
    await online(t, await user(login));
  }

  it("tells whether an operator is available on the channel", async () => {
    t.clock.advance(3 * 3600_000);
    expect((await request(t.url).get(`/livechat/channels/${support.id}/info`)).body).to.include({ name: "Website Support", available: false });
    await online(t, await user("marc"));
    const info = await request(t.url).get(`/livechat/channels/${support.id}/info`);
    expect(info.status).to.equal(200);
    expect(info.headers["access-control-allow-origin"]).to.equal("*");
    expect(info.body).to.include({ available: true, buttonText: "Have a question? Chat with us." });
    expect((await request(t.url).get("/livechat/channels/999/info")).status).to.equal(404);
  });

  it("starts a conversation with an available operator, shown by Online Chat Name only, and chats both ways in real time", async () => {
    await onlyOnline("mitchell");
    const mitchell = await user("mitchell");
    const operatorSession = await t.login("mitchell");
    const operatorBus = await connectBus(t.url, { cookie: operatorSession.cookie });
    try {
      const v = await startVisitor(t, support.id, {}, { "Accept-Language": "es-MX,es;q=0.9" });
      expect(v.body.conversation).to.deep.include({ state: "open", operator: { name: "Mitchell" }, queuePosition: null });
      expect(JSON.stringify(v.body)).not.to.contain("Stephens");
      const assigned = await operatorBus.next((n) => n.type === "livechat.conversation_assigned");
      expect((assigned.payload as { conversation: { id: number; visitorLang: string } }).conversation).to.include({ id: v.id, visitorLang: "es_ES" });

      const visitorBus = await connectBus(t.url, { token: v.token });
      try {
        const sent = await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "  Hola!  ", clientMessageId: "v-1" });
        expect(sent.status).to.equal(201);
        expect(sent.body.message).to.include({ body: "Hola!" });
        const atOperator = await operatorBus.next((n) => n.type === "livechat.message" && (n.payload as { message: { body: string } }).message.body === "Hola!");
        expect(atOperator.payload).to.have.nested.property("message.author.kind", "visitor");

        const reply = await operatorSession.postJson(`/livechat/api/conversations/${v.id}/messages`, { body: "Hello, how can I help?", clientMessageId: "o-1" });
        expect(reply.status).to.equal(201);
        const atVisitor = await visitorBus.next((n) => n.type === "livechat.message" && (n.payload as { message: { body: string } }).message.body === "Hello, how can I help?");
        expect(atVisitor.payload).to.have.nested.property("message.author.name", "Mitchell");
        const list = await asVisitor(t, v).get(`/livechat/conversations/${v.id}/messages`);
        // Who joined (in the visitor's Spanish), then the channel's welcome message in the operator's name.
        expect(list.body.messages.map((m: { body: string }) => m.body)).to.deep.equal([
          "Mitchell se unió a la conversación.",
          "Hello! How can we help you today?",
          "Hola!",
          "Hello, how can I help?",
        ]);
      } finally {
        visitorBus.close();
      }
      expect(mitchell.id).to.be.a("number");
    } finally {
      operatorBus.close();
    }
  });

  it("never opens a conversation with another visitor's token, or without one", async () => {
    await onlyOnline("marc");
    const a = await startVisitor(t, support.id);
    const b = await startVisitor(t, support.id);
    expect((await asVisitor(t, b).get(`/livechat/conversations/${a.id}`)).status).to.equal(404);
    expect((await asVisitor(t, b).post(`/livechat/conversations/${a.id}/messages`, { body: "sneaky" })).status).to.equal(404);
    expect((await asVisitor(t, b).post(`/livechat/conversations/${a.id}/end`)).status).to.equal(404);
    expect((await request(t.url).get(`/livechat/conversations/${a.id}/messages`)).status).to.equal(404);
    expect(await t.host.db.getRepository(Message).countBy({ conversationId: a.id, body: "sneaky" })).to.equal(0);
    let refused: Error | null = null;
    await connectBus(t.url, { token: "x".repeat(43) }).catch((e: Error) => (refused = e));
    expect(String(refused)).to.contain("401");

    // An ended conversation's token opens its bus channel for a while (a reload shows the end), not for ever.
    await asVisitor(t, a).post(`/livechat/conversations/${a.id}/end`);
    (await connectBus(t.url, { token: a.token })).close();
    t.clock.advance(61 * 60_000);
    let late: Error | null = null;
    await connectBus(t.url, { token: a.token }).catch((e: Error) => (late = e));
    expect(String(late)).to.contain("401");
  });

  it("shows operators only their conversations, and managers all of them", async () => {
    await onlyOnline("marc");
    const v = await startVisitor(t, support.id);
    const sofia = await t.login("sofia");
    expect((await sofia.agent.get(`/livechat/api/conversations/${v.id}`)).status).to.equal(404);
    expect((await sofia.postJson(`/livechat/api/conversations/${v.id}/messages`, { body: "hi" })).status).to.equal(404);
    const marc = await t.login("marc");
    expect((await marc.agent.get(`/livechat/api/conversations/${v.id}`)).status).to.equal(200);
    const admin = await t.login("admin");
    expect((await admin.agent.get(`/livechat/api/conversations/${v.id}`)).status).to.equal(200);
    const plain = await t.host.users.create({ login: "nina", name: "Nina", password: "nina-password", langCode: "en_US", groups: ["base.user"] });
    const nina = await t.login(plain.login, "nina-password");
    expect((await nina.agent.get("/livechat/api/conversations")).status).to.equal(403);
  });

  it("stores a retried message once, and refuses empty, oversized and closed-conversation messages", async () => {
    await onlyOnline("marc");
    const v = await startVisitor(t, support.id);
    const first = await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "Once", clientMessageId: "retry-1" });
    const again = await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "Once", clientMessageId: "retry-1" });
    expect([first.status, again.status]).to.deep.equal([201, 200]);
    expect(again.body.message.id).to.equal(first.body.message.id);
    const burst = await Promise.all(
      [1, 2, 3].map(() => asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "Burst", clientMessageId: "retry-2" })),
    );
    expect(new Set(burst.map((r) => r.body.message.id)).size).to.equal(1);
    expect(await t.host.db.getRepository(Message).countBy({ conversationId: v.id, body: "Burst" })).to.equal(1);

    const marc = await t.login("marc");
    const reused = await marc.postJson(`/livechat/api/conversations/${v.id}/messages`, { body: "Operator text", clientMessageId: "retry-1" });
    expect(reused.status).to.equal(409);
    expect(reused.body.error).to.contain("another author");
    expect(await t.host.db.getRepository(Message).countBy({ conversationId: v.id, body: "Operator text" })).to.equal(0);
    const stillVisitors = await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "Once", clientMessageId: "retry-1" });
    expect([stillVisitors.status, stillVisitors.body.message.id]).to.deep.equal([200, first.body.message.id]);

    const empty = await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "   " });
    expect(empty.status).to.equal(400);
    expect(empty.body.error).to.equal("The message is empty.");
    const invisible = await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "\u200b\u2060\ufeff" });
    expect(invisible.status).to.equal(400);
    expect(invisible.body.error).to.equal("The message is empty.");
    expect(await t.host.db.getRepository(Message).countBy({ conversationId: v.id, body: "\u200b\u2060\ufeff" })).to.equal(0);
    const long = await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "x".repeat(4001) });
    expect(long.status).to.equal(400);
    expect(long.body.error).to.contain("at most 4000 characters");
    const html = await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "<script>alert(1)</script>" });
    expect(html.body.message.body).to.equal("<script>alert(1)</script>");

    const ended = await asVisitor(t, v).post(`/livechat/conversations/${v.id}/end`);
    expect(ended.body.conversation.state).to.equal("closed");
    const late = await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "Too late" });
    expect(late.status).to.equal(409);
    expect(await t.host.db.getRepository(Message).countBy({ conversationId: v.id, body: "Too late" })).to.equal(0);
  });

  it("counts unread conversations per operator and marks them read for that operator only", async () => {
    await onlyOnline("sofia");
    const v = await startVisitor(t, support.id);
    await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "Anyone there?" });
    await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "Hello?" });
    const sofia = await t.login("sofia");
    const admin = await t.login("admin");
    const unreadOf = async (s: typeof sofia) => {
      const body = (await s.agent.get("/livechat/api/conversations")).body as { channels: { conversations: { id: number; unread: number }[] }[] };
      return body.channels.flatMap((c) => c.conversations).find((c) => c.id === v.id)?.unread;
    };
    // Sofia's own welcome message is not unread for her; the manager was never given it, so nothing is unread for him.
    expect(await unreadOf(sofia)).to.equal(2);
    expect(await unreadOf(admin)).to.equal(undefined);
    expect((await admin.agent.get("/livechat/api/conversations")).body.unreadConversations).to.equal(0);
    const detail = await sofia.agent.get(`/livechat/api/conversations/${v.id}`);
    const lastId = detail.body.messages.at(-1).id as number;
    const read = await sofia.postJson(`/livechat/api/conversations/${v.id}/read`, { lastMessageId: lastId });
    expect(read.status).to.equal(200);
    expect(await unreadOf(sofia)).to.equal(0);

    // A read position past the last message does not swallow the messages still to come.
    await sofia.postJson(`/livechat/api/conversations/${v.id}/read`, { lastMessageId: lastId + 1000 });
    await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "Still there?" });
    expect(await unreadOf(sofia)).to.equal(1);
  });

  it("keeps chat windows' state on the server", async () => {
    await onlyOnline("marc");
    const v = await startVisitor(t, support.id);
    const marc = await t.login("marc");
    expect((await marc.agent.get("/livechat/api/windows")).body.windows).to.deep.include({ conversationId: v.id, state: "open" });
    await marc.postJson(`/livechat/api/windows/${v.id}`, { state: "folded" });
    expect((await marc.agent.get("/livechat/api/windows")).body.windows).to.deep.include({ conversationId: v.id, state: "folded" });
    await marc.postJson(`/livechat/api/windows/${v.id}`, { state: "closed" });
    expect((await marc.agent.get("/livechat/api/windows")).body.windows.map((w: { conversationId: number }) => w.conversationId)).not.to.include(v.id);
    expect((await marc.postJson(`/livechat/api/windows/${v.id}`, { state: "huge" })).status).to.equal(400);
  });

  it("opens a closed window again as it was (folded if it was), once, and tells every tab; a read tells them too", async () => {
    await onlyOnline("marc");
    const v = await startVisitor(t, support.id);
    const marc = await t.login("marc");
    const tabs = [await connectBus(t.url, { cookie: marc.cookie }), await connectBus(t.url, { cookie: marc.cookie })];
    try {
      await marc.postJson(`/livechat/api/windows/${v.id}`, { state: "folded" }).expect(200);
      await marc.postJson(`/livechat/api/windows/${v.id}`, { state: "closed" }).expect(200);
      const listed = async () => (await marc.agent.get("/livechat/api/windows")).body.windows as { conversationId: number; state: string }[];
      expect((await listed()).map((w) => w.conversationId)).not.to.include(v.id);
      // Both tabs ask at once; it shows again folded, and only one notification tells so.
      const mentions = (n: { type: string; payload: unknown }) => n.type === "livechat.window" && JSON.stringify(n.payload).includes(`"conversationId":${v.id}`);
      await tabs[0].next((n) => n.type === "livechat.window" && !mentions(n));
      const before = tabs[0].notifications.length;
      const answers = await Promise.all(tabs.map(() => marc.postJson(`/livechat/api/windows/${v.id}/reopen`, {})));
      for (const answer of answers) expect(answer.body.windows).to.deep.include({ conversationId: v.id, state: "folded" });
      await tabs[1].next((n) => n.type === "livechat.window" && !mentions(n));
      const told = await tabs[1].next((n) => mentions(n) && tabs[1].notifications.indexOf(n) > tabs[1].notifications.findIndex((x) => x.type === "livechat.window" && !mentions(x)));
      expect(told.payload).to.have.property("windows").that.deep.includes({ conversationId: v.id, state: "folded" });
      // Shown already: nothing changes and nobody is told again.
      await marc.postJson(`/livechat/api/windows/${v.id}/reopen`, {}).expect(200);
      await marc.postJson(`/livechat/api/conversations/${v.id}/read`, { lastMessageId: 1_000_000 }).expect(200);
      const read = await tabs[0].next((n) => n.type === "livechat.read");
      expect(read.payload).to.have.property("conversationId", v.id);
      expect(tabs[0].notifications.slice(before).filter((n) => n.type === "livechat.window")).to.have.length(1);
      // Someone else's conversation is not the operator's to open.
      expect((await (await t.login("sofia")).postJson(`/livechat/api/windows/${v.id}/reopen`, {})).status).to.equal(404);
    } finally {
      await Promise.all(tabs.map((tab) => tab.close()));
    }
  });

  it("lets the operator end a conversation, which the visitor sees, and frees the operator", async () => {
    await onlyOnline("marc");
    const v = await startVisitor(t, support.id);
    const visitorBus = await connectBus(t.url, { token: v.token });
    try {
      const marc = await t.login("marc");
      expect((await marc.postJson(`/livechat/api/conversations/${v.id}/end`, {})).body.conversation.state).to.equal("closed");
      const seen = await visitorBus.next((n) => n.type === "livechat.conversation" && (n.payload as { conversation: { state: string } }).conversation.state === "closed");
      expect(seen).to.be.an("object");
      const messages = (await asVisitor(t, v).get(`/livechat/conversations/${v.id}/messages`)).body.messages as { body: string }[];
      expect(messages.at(-1)?.body).to.equal("Marc left the conversation.");
    } finally {
      visitorBus.close();
    }
  });

  it("lets an operator end only the conversations he answers; a waiting one of his channel is not his to end", async () => {
    t.clock.advance(3 * 3600_000);
    const v = await startVisitor(t, support.id);
    expect(v.body.conversation.state).to.equal("waiting");
    const marc = await t.login("marc");
    const refused = await marc.postJson(`/livechat/api/conversations/${v.id}/end`, {});
    expect(refused.status).to.equal(403);
    // Marc reads French.
    expect(refused.body.error).to.equal("Seul l'opérateur de cette conversation peut la terminer.");
    const after = (await asVisitor(t, v).get(`/livechat/conversations/${v.id}`)).body.conversation;
    expect(after.state).to.equal("waiting");
    const admin = await t.login("admin");
    expect((await admin.postJson(`/livechat/api/conversations/${v.id}/end`, {})).body.conversation.state).to.equal("closed");
  });

  it("closes a conversation whose visitor is gone for the configured time, with a system message", async () => {
    const { channel, operators } = await channelWithOperators(t, "Timeouts", ["tim"], null);
    await online(t, ...operators);
    const gone = await startVisitor(t, channel.id);
    t.clock.advance(10 * 60_000);
    await online(t, ...operators);
    const staying = await startVisitor(t, channel.id);
    t.clock.advance(6 * 60_000);
    await asVisitor(t, staying).post(`/livechat/conversations/${staying.id}/ping`);
    await t.host.scheduler.runNow("livechat.close_abandoned_conversations");
    expect((await asVisitor(t, gone).get(`/livechat/conversations/${gone.id}`)).body.conversation.state).to.equal("closed");
    expect((await asVisitor(t, staying).get(`/livechat/conversations/${staying.id}`)).body.conversation.state).to.equal("open");
    const last = (await asVisitor(t, gone).get(`/livechat/conversations/${gone.id}/messages`)).body.messages.at(-1);
    expect(last).to.deep.include({ body: "The conversation was closed while you were away.", author: { kind: "system", name: "System" } });
  });
});

describe("Visitor API rate limits", () => {
  it("limits visitor requests per client address, with a clear error", async () => {
    const t = await startTestHost();
    try {
      await t.host.settings.set("livechat.visitor_reads_per_minute", "3");
      const channel = await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Website Support" });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await request(t.url).get(`/livechat/channels/${channel.id}/info`)).status);
      expect(statuses).to.deep.equal([200, 200, 200, 429]);
      const limited = await request(t.url).get(`/livechat/channels/${channel.id}/info`);
      expect(limited.body.error).to.contain("Too many requests");
    } finally {
      await t.stop();
    }
  });
});
