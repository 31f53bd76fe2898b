import { expect } from "chai";
import type { HostUser } from "../../host/contract";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { ChatbotScripts } from "../../module/services/chatbot/ChatbotScripts";
import type { OperatorConversationDetailDto, OperatorConversationListDto } from "../../module/services/conversations/dto";
import { hostForSuite, startTestHost, type TestHost, type TestSession } from "../support/testHost";
import { asVisitor, channelWithOperators, online, startVisitor } from "./helpers";

const ids = (list: OperatorConversationListDto) => list.channels.flatMap((c) => c.conversations.map((x) => x.id));

/** Search and keyset paging of an operator's conversations, on one database. */
function listsOn(database: "sqlite" | "postgres") {
  let t: TestHost;
  hostForSuite(database, (host) => {
    t = host;
  });

  /** An operator alone (and online) in a new channel: every visitor of the channel is theirs. */
  async function soleOperator(login: string): Promise<{ channelId: number; operator: HostUser; session: TestSession }> {
    const { channel, operators } = await channelWithOperators(t, `Channel of ${login}`, [login], null);
    await online(t, operators[0]);
    return { channelId: channel.id, operator: operators[0], session: await t.login(login) };
  }
  const list = async (s: TestSession, query: string) => {
    const res = await s.agent.get(`/livechat/api/conversations${query}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as OperatorConversationListDto;
  };

  it("finds conversations by visitor name or message text, any case, with % and _ taken literally", async () => {
    const { channelId, session } = await soleOperator(`search_${database}`);
    const start = async (name: string, text?: string) => {
      const v = await startVisitor(t, channelId, { name });
      if (text) await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: text });
      return v.id;
    };
    const sure = await start("Ann 100% sure");
    const thousand = await start("Ann 1000 sure");
    const underscore = await start("Bob_x");
    const plain = await start("Bobax");
    const refund = await start("Carla", "Where is my REFUND for order 42?");
    // Another operator's conversation never shows, whatever it says.
    const other = await soleOperator(`other_${database}`);
    const hidden = (await startVisitor(t, other.channelId, { name: "Refund Rita" })).id;

    const found = async (search: string) => ids(await list(session, `?search=${encodeURIComponent(search)}`)).sort((a, b) => a - b);
    expect(await found("100%")).to.deep.equal([sure]);
    expect(await found("ann")).to.deep.equal([sure, thousand]);
    expect(await found("b_x")).to.deep.equal([underscore]);
    expect(await found("bob")).to.deep.equal([underscore, plain]);
    expect(await found("refund")).to.deep.equal([refund]);
    expect(await found("  ORDER 42 ")).to.deep.equal([refund]);
    expect(await found("%")).to.deep.equal([sure]);
    expect(await found("\\")).to.deep.equal([]);
    expect(ids(await list(other.session, "?search=refund"))).to.deep.equal([hidden]);
    // System lines ("… joined the conversation") are not the conversation's text.
    expect(await found("joined")).to.deep.equal([]);

    const tooLong = await session.agent.get(`/livechat/api/conversations?search=${"x".repeat(101)}`);
    expect(tooLong.status).to.equal(400);
    expect(tooLong.body.error).to.contain("100 characters");
  });

  it("pages by last activity with a cursor: no conversation twice and none missed while new ones arrive", async () => {
    const { channelId, session } = await soleOperator(`pages_${database}`);
    const start = async () => (await startVisitor(t, channelId)).id;
    const before: number[] = [];
    for (let i = 0; i < 8; i++) {
      before.push(await start());
      // Some start in the same millisecond: the id breaks the tie.
      if (i % 3 === 0) t.clock.advance(1000);
    }
    const [firstOne] = before;
    const first = await list(session, "?limit=3");
    expect(first.next).to.be.a("string");
    const seen = [...ids(first)];
    let cursor = first.next;
    const arrived: number[] = [];
    while (cursor) {
      arrived.push(await start());
      const page = await list(session, `?limit=3&cursor=${encodeURIComponent(cursor)}`);
      expect(page.waiting).to.deep.equal([]);
      seen.push(...ids(page));
      cursor = page.next;
    }
    expect(new Set(seen).size).to.equal(seen.length);
    expect([...seen].sort((a, b) => a - b)).to.deep.equal([...before].sort((a, b) => a - b));
    expect(seen[0]).to.equal(before[before.length - 1]);
    expect(firstOne).to.equal(seen[seen.length - 1]);
    // The newcomers are at the top of a fresh first page.
    expect(ids(await list(session, `?limit=${arrived.length}`))).to.deep.equal([...arrived].reverse());

    for (const bad of ["cursor=abc", "cursor=1.2.3", "limit=0", "limit=201", "limit=x"]) {
      expect((await session.agent.get(`/livechat/api/conversations?${bad}`)).status, bad).to.equal(400);
    }
  });

  it("puts a conversation whose visitor wrote at the top", async () => {
    const { channelId, session } = await soleOperator(`activity_${database}`);
    const a = await startVisitor(t, channelId);
    t.clock.advance(1000);
    const b = await startVisitor(t, channelId);
    expect(ids(await list(session, ""))).to.deep.equal([b.id, a.id]);
    t.clock.advance(1000);
    await asVisitor(t, a).post(`/livechat/conversations/${a.id}/messages`, { body: "Still there?" });
    const now = await list(session, "");
    expect(ids(now)).to.deep.equal([a.id, b.id]);
    expect(now.channels[0].conversations[0].lastActivityAt).to.equal(t.clock.now().toISOString());
  });
}

describe("Discuss's conversation list: search and keyset paging", () => {
  describe("on SQLite", () => listsOn("sqlite"));
  describe("on PostgreSQL", () => listsOn("postgres"));
});

describe("Discuss's visitor panel and who ended a conversation", () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });
  const detail = async (s: TestSession, id: number) => (await s.agent.get(`/livechat/api/conversations/${id}`)).body as OperatorConversationDetailDto;

  it("shows the visitor's name, language, pages, what the chatbot collected, the rating and the earlier conversations the reader may open", async () => {
    const { channel, operators } = await channelWithOperators(t, "Panel", ["panel_a", "panel_b"], null);
    const [a, b] = operators;
    const scriptId = await new ChatbotScripts(t.host.contract).save(null, {
      name: "Contact",
      botName: "Robbie",
      steps: [
        { type: "email", text: "Your email?" },
        { type: "phone", text: "Your phone?" },
        { type: "forward", text: "Connecting you.", expertiseIds: [] },
      ],
    });
    await t.host.db.getRepository(LivechatChannel).update({ id: channel.id }, { chatbotScriptId: scriptId });
    const away = () => t.clock.advance(3 * 3600_000);

    // First with A, then with B, now with A again: the same visitor key throughout.
    away();
    await online(t, a);
    const first = await startVisitor(t, channel.id, { name: "Nora", pageUrl: "https://shop.example/pricing", referrer: "https://search.example/?q=shop" }, { "Accept-Language": "fr-FR" });
    await asVisitor(t, first).post(`/livechat/conversations/${first.id}/messages`, { body: "nora@example.com" });
    await asVisitor(t, first).post(`/livechat/conversations/${first.id}/messages`, { body: "+33 6 12 34 56 78" });
    const [sa, sb, admin] = [await t.login("panel_a"), await t.login("panel_b"), await t.login("admin")];
    expect((await sa.postJson(`/livechat/api/conversations/${first.id}/end`, {})).status).to.equal(200);
    expect((await asVisitor(t, first).post(`/livechat/conversations/${first.id}/rating`, { value: 5, comment: "Great" })).status).to.equal(201);
    await t.host.db.getRepository(LivechatChannel).update({ id: channel.id }, { chatbotScriptId: null });
    away();
    await online(t, b);
    const second = await startVisitor(t, channel.id, { name: "Nora", visitorKey: first.visitorKey });
    away();
    await online(t, a);
    const third = await startVisitor(t, channel.id, { name: "Nora", visitorKey: first.visitorKey });

    const ended = await detail(sa, first.id);
    expect(ended.visitor).to.deep.include({
      name: "Nora",
      lang: "fr_FR",
      startPage: "https://shop.example/pricing",
      referrer: "https://search.example/?q=shop",
      email: "nora@example.com",
      phone: "+33 6 12 34 56 78",
    });
    expect(ended.answers.map((x) => x.value)).to.deep.equal(["nora@example.com", "+33 6 12 34 56 78"]);
    expect(ended.rating).to.deep.include({ value: 5, comment: "Great" });
    expect(ended.endedBy).to.deep.equal({ reason: "operator", name: "Operator panel_a" });
    // A sees the earlier conversation that was hers, not B's; a manager sees both.
    const now = await detail(sa, third.id);
    expect(now.endedBy).to.equal(null);
    expect(now.visitor.startPage).to.equal(null);
    expect(now.visitor.earlier.map((c) => c.id)).to.deep.equal([first.id]);
    expect(now.visitor.earlier[0]).to.deep.include({ state: "closed", channelName: "Panel", operatorName: "Operator panel_a" });
    expect((await detail(admin, third.id)).visitor.earlier.map((c) => c.id)).to.deep.equal([second.id, first.id]);
    // B may not read A's conversation, so no panel either.
    const refused = await sb.agent.get(`/livechat/api/conversations/${third.id}`);
    expect(refused.status).to.equal(404);
    expect(refused.body).not.to.have.property("visitor");
    expect((await detail(sb, second.id)).visitor.earlier).to.deep.equal([]);

    // The visitor ending says so.
    await asVisitor(t, third).post(`/livechat/conversations/${third.id}/end`);
    expect((await detail(sa, third.id)).endedBy).to.deep.equal({ reason: "visitor", name: null });
  });

  it("refuses a page address that is not a web address, and stores nothing", async () => {
    const { channel } = await channelWithOperators(t, "Panel addresses", ["panel_c"], null);
    const bad: Record<string, string>[] = [{ pageUrl: "javascript:alert(1)" }, { referrer: "not a url" }, { pageUrl: `https://x.example/${"a".repeat(2048)}` }];
    for (const body of bad) {
      const before = await t.host.db.query("SELECT COUNT(*) AS n FROM livechat_conversation");
      const res = await startVisitor(t, channel.id, body).catch((err: Error) => err);
      expect(res).to.be.instanceOf(Error);
      expect(String(res)).to.match(/400/);
      expect(await t.host.db.query("SELECT COUNT(*) AS n FROM livechat_conversation")).to.deep.equal(before);
    }
    // An empty referrer (a visitor who typed the address) is no referrer.
    await online(t, (await t.host.users.findByLogin("panel_c"))!);
    const v = await startVisitor(t, channel.id, { pageUrl: "http://shop.example/", referrer: "" });
    const detailed = await detail(await t.login("panel_c"), v.id);
    expect(detailed.visitor).to.deep.include({ startPage: "http://shop.example/", referrer: null, email: null, phone: null });
  });
});
