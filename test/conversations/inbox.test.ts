import { expect } from "chai";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import type { OperatorConversationListDto } from "../../module/services/conversations/dto";
import { startTestHost, type TestHost, type TestSession } from "../support/testHost";
import { asVisitor, channelWithOperators, online, startVisitor } from "./helpers";

describe("Who sees what: an operator's inbox, the Waiting list, Take and the managers' view", () => {
  let t: TestHost;
  let support: LivechatChannel;
  before(async () => {
    t = await startTestHost();
    support = await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Website Support" });
  });
  after(async () => {
    await t?.stop();
  });

  const user = async (login: string) => (await t.host.users.findByLogin(login))!;
  /** Nobody online after this: the previous test's operators are idle for hours. */
  const everyoneAway = () => t.clock.advance(3 * 3600_000);
  const inbox = async (s: TestSession) => (await s.agent.get("/livechat/api/conversations")).body as OperatorConversationListDto;
  const mine = (list: OperatorConversationListDto) => list.channels.flatMap((c) => c.conversations.map((x) => x.id));
  const withoutChatbot = () => t.host.db.getRepository(LivechatChannel).update({ id: support.id }, { chatbotScriptId: null });

  it("puts a conversation in its operator's inbox only, and counts it unread for nobody else", async () => {
    await withoutChatbot();
    everyoneAway();
    await online(t, await user("mitchell"));
    const v = await startVisitor(t, support.id);
    await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "My order is late" });
    const [mitchell, marc, admin] = [await t.login("mitchell"), await t.login("marc"), await t.login("admin")];

    const his = await inbox(mitchell);
    expect(mine(his)).to.include(v.id);
    expect(his.unreadConversations).to.equal(1);
    for (const other of [await inbox(marc), await inbox(admin)]) {
      expect(mine(other)).not.to.include(v.id);
      expect(other.waiting.map((c) => c.id)).not.to.include(v.id);
      expect(other.unreadConversations).to.equal(0);
    }
    // Marc is a member of the channel, yet an open conversation of someone else is not his to open.
    expect((await marc.agent.get(`/livechat/api/conversations/${v.id}`)).status).to.equal(404);
  });

  it("lists waiting visitors apart for the channel's members, never unread, until one of them takes it", async () => {
    await withoutChatbot();
    everyoneAway();
    const v = await startVisitor(t, support.id);
    expect(v.body.conversation.state).to.equal("waiting");
    await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "Is anyone there?" });
    const [marc, sofia, admin] = [await t.login("marc"), await t.login("sofia"), await t.login("admin")];

    for (const member of [marc, sofia]) {
      const list = await inbox(member);
      const waiting = list.waiting.find((c) => c.id === v.id);
      expect(waiting).to.deep.include({ state: "waiting", queuePosition: 1, unread: 0 });
      expect(waiting?.lastMessage?.body).to.equal("Is anyone there?");
      expect(mine(list)).not.to.include(v.id);
      expect(list.unreadConversations).to.equal(0);
    }
    // The admin is no member of the channel: the queue is not in his inbox.
    expect((await inbox(admin)).waiting.map((c) => c.id)).not.to.include(v.id);
    // Only the operator of a conversation answers it: taking comes first.
    expect((await marc.postJson(`/livechat/api/conversations/${v.id}/messages`, { body: "Hello" })).status).to.equal(403);

    const taken = await marc.postJson(`/livechat/api/conversations/${v.id}/take`, {});
    expect(taken.status).to.equal(200);
    expect(taken.body.conversation).to.deep.include({ state: "open", operator: { name: "Marc" }, unread: 1 });
    const seen = (await asVisitor(t, v).get(`/livechat/conversations/${v.id}`)).body.conversation;
    expect(seen).to.deep.include({ state: "open", operator: { name: "Marc" } });
    expect((await marc.agent.get("/livechat/api/windows")).body.windows).to.deep.include({ conversationId: v.id, state: "open" });
    const marcs = await inbox(marc);
    expect(mine(marcs)).to.include(v.id);
    expect(marcs.unreadConversations).to.equal(1);
    expect((await marc.postJson(`/livechat/api/conversations/${v.id}/messages`, { body: "Hello, Marc here" })).status).to.equal(201);

    // Sofia clicked a moment too late: she is told (in Spanish, her language), and the conversation leaves her lists.
    const late = await sofia.postJson(`/livechat/api/conversations/${v.id}/take`, {});
    expect(late.status).to.equal(409);
    expect(late.body.error).to.equal("Otro operador tomó esta conversación primero.");
    expect((await sofia.agent.get(`/livechat/api/conversations/${v.id}`)).status).to.equal(404);
    expect((await inbox(sofia)).waiting.map((c) => c.id)).not.to.include(v.id);
  });

  it("refuses a take beyond the channel's limit, saying which limit, and leaves the visitor waiting", async () => {
    const { channel, operators } = await channelWithOperators(t, "Limited", ["lim1"], 1);
    everyoneAway();
    await online(t, ...operators);
    const first = await startVisitor(t, channel.id);
    expect(first.body.conversation.state).to.equal("open");
    const second = await startVisitor(t, channel.id);
    expect(second.body.conversation.state).to.equal("waiting");
    const lim = await t.login("lim1");
    expect((await inbox(lim)).waiting.map((c) => c.id)).to.deep.equal([second.id]);
    const refused = await lim.postJson(`/livechat/api/conversations/${second.id}/take`, {});
    expect(refused.status).to.equal(409);
    expect(refused.body.error).to.equal("You reached the limit of Limited (at most 1 at once for each operator): end a conversation before taking another.");
    expect((await asVisitor(t, second).get(`/livechat/conversations/${second.id}`)).body.conversation.state).to.equal("waiting");
  });

  it("keeps a conversation with the chatbot out of every operator's lists and counts", async () => {
    const script = (await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ id: support.id })).chatbotScriptId;
    const withBot = await t.host.db.query("SELECT id FROM livechat_chatbot_script ORDER BY id LIMIT 1");
    await t.host.db.getRepository(LivechatChannel).update({ id: support.id }, { chatbotScriptId: script ?? Number(withBot[0].id) });
    everyoneAway();
    await online(t, await user("mitchell"));
    const logins = ["mitchell", "marc", "sofia"];
    const before = new Map<string, number>();
    for (const login of logins) before.set(login, (await inbox(await t.login(login))).unreadConversations);
    const v = await startVisitor(t, support.id);
    expect(v.body.conversation.state).to.equal("bot");
    await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: "hello bot" });
    for (const login of logins) {
      const s = await t.login(login);
      const list = await inbox(s);
      expect([...mine(list), ...list.waiting.map((c) => c.id)]).not.to.include(v.id);
      expect(list.unreadConversations).to.equal(before.get(login));
      expect((await s.agent.get(`/livechat/api/conversations/${v.id}`)).status).to.equal(404);
      expect((await s.postJson(`/livechat/api/conversations/${v.id}/take`, {})).status).to.equal(404);
    }
    await withoutChatbot();
  });

  it("shows managers every conversation, filtered by channel, operator and state, without touching their badge", async () => {
    const admin = await t.login("admin");
    const all = await admin.agent.get("/livechat/conversations");
    expect(all.status).to.equal(200);
    expect(all.text).to.contain("All Conversations").and.to.contain("With the chatbot").and.to.contain("Limited");
    const marc = await user("marc");
    const marcsOnly = await admin.agent.get(`/livechat/conversations?operator=${marc.id}&state=open`);
    const rows = [...marcsOnly.text.matchAll(/<tr><td><a href="\/livechat\/discuss\?conversation=(\d+)">/g)].map((m) => Number(m[1]));
    expect(rows.length).to.be.greaterThan(0);
    for (const id of rows) {
      const detail = (await admin.agent.get(`/livechat/api/conversations/${id}`)).body.conversation;
      expect(detail).to.deep.include({ state: "open", operatorId: marc.id });
    }
    const limited = await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Limited" });
    const waitingThere = await admin.agent.get(`/livechat/conversations?channel=${limited.id}&state=waiting&operator=none`);
    expect([...waitingThere.text.matchAll(/conversation=(\d+)"/g)]).to.have.length(1);
    expect((await admin.agent.get("/livechat/conversations?state=lost")).status).to.equal(400);
    expect((await inbox(admin)).unreadConversations).to.equal(0);

    const operator = await t.login("marc");
    expect((await operator.agent.get("/livechat/conversations")).status).to.equal(403);
  });
});
