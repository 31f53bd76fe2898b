import path from "node:path";
import { expect } from "chai";
import request from "supertest";
import { assignmentCandidates } from "../../module/api";
import { Conversation } from "../../module/models/Conversation";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { AssignmentService } from "../../module/services/assignment/AssignmentService";
import { OperatorProfiles } from "../../module/services/OperatorProfiles";
import { ChannelService } from "../../module/services/ChannelService";
import { connectBus } from "../support/busClient";
import { skipUnlessPostgres } from "../support/postgres";
import { FIXTURES_DIR, startTestHost, startTwoInstances, type TestHost, type TwoInstances } from "../support/testHost";
import { asVisitor, channelWithOperators, online, servedBy, startVisitor } from "./helpers";

async function loads(t: TestHost, channelId: number): Promise<number[]> {
  const rows = await t.host.db.getRepository(Conversation).findBy({ channelId, state: "open" });
  const byOperator = new Map<number, number>();
  for (const r of rows) byOperator.set(r.operatorId!, (byOperator.get(r.operatorId!) ?? 0) + 1);
  return [...byOperator.values()].sort((a, b) => a - b);
}

describe("Assignment in a running host", () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("prefers the operator who served this visitor before, when available", async () => {
    const { channel, operators } = await channelWithOperators(t, "Returning", ["ret1", "ret2"], null);
    await online(t, ...operators);
    const first = await startVisitor(t, channel.id);
    const firstOperator = (await t.host.db.getRepository(Conversation).findOneByOrFail({ id: first.id })).operatorId;
    await asVisitor(t, first).post(`/livechat/conversations/${first.id}/end`);
    // The other operator is now the less loaded one... yet the returning visitor gets the same operator.
    const again = await startVisitor(t, channel.id, { visitorKey: first.visitorKey });
    const row = await t.host.db.getRepository(Conversation).findOneByOrFail({ id: again.id });
    expect(row.operatorId).to.equal(firstOperator);
    expect(row.assignmentTier).to.equal("previous_operator");
  });

  it("prefers an operator speaking the visitor's language (main or chat language), never one whose language was disabled", async () => {
    const { channel, operators } = await channelWithOperators(t, "Languages", ["lang_en", "lang_de"], null);
    const [en, de] = operators;
    const profiles = new OperatorProfiles(t.host.contract);
    await t.host.db.transaction((m) => profiles.save(de.id, { chatName: "", langCodes: ["de_DE"], expertiseIds: [] }, m));
    await online(t, en, de);
    const german = await startVisitor(t, channel.id, {}, { "Accept-Language": "de-AT,de;q=0.9" });
    expect((await t.host.db.getRepository(Conversation).findOneByOrFail({ id: german.id })).operatorId).to.equal(de.id);
    const explicit = await startVisitor(t, channel.id, { lang: "de" }, { "Accept-Language": "en" });
    expect((await t.host.db.getRepository(Conversation).findOneByOrFail({ id: explicit.id })).operatorId).to.equal(de.id);

    await t.host.langs.setEnabled("de_DE", false);
    try {
      // German is off: the visitor has no matching language and goes to the less loaded operator.
      const later = await startVisitor(t, channel.id, {}, { "Accept-Language": "de" });
      expect((await t.host.db.getRepository(Conversation).findOneByOrFail({ id: later.id })).operatorId).to.equal(en.id);
    } finally {
      await t.host.langs.setEnabled("de_DE", true);
    }
  });

  it("gives each candidate their main and chat languages, only those enabled on the host", async () => {
    const { channel, operators } = await channelWithOperators(t, "Spoken", ["spoken_en"], null);
    const [op] = operators;
    const profiles = new OperatorProfiles(t.host.contract);
    await t.host.db.transaction((m) => profiles.save(op.id, { chatName: "", langCodes: ["fr_FR", "de_DE"], expertiseIds: [] }, m));
    const service = new AssignmentService(t.host.contract, profiles);
    const languages = async () => (await service.candidates(t.host.db.manager, channel.id))[0].languages.slice().sort();
    expect(await languages()).to.deep.equal(["de_DE", "en_US", "fr_FR"]);
    await t.host.langs.setEnabled("de_DE", false);
    try {
      expect(await languages()).to.deep.equal(["en_US", "fr_FR"]);
    } finally {
      await t.host.langs.setEnabled("de_DE", true);
    }
  });

  it("never assigns an operator who is away or offline, and says nobody is available", async () => {
    const { channel, operators } = await channelWithOperators(t, "Away", ["away1"], null);
    await online(t, ...operators);
    t.clock.advance(11 * 60_000);
    const v = await startVisitor(t, channel.id);
    expect(v.body.conversation).to.deep.include({ state: "waiting", operator: null, queuePosition: 1 });
    expect((await request(t.url).get(`/livechat/channels/${channel.id}/info`)).body.available).to.equal(false);
  });

  it("serves the waiting queue in arrival order when an operator joins, telling others their new position", async () => {
    const { channel } = await channelWithOperators(t, "Queue", [], 1);
    const a = await startVisitor(t, channel.id);
    const b = await startVisitor(t, channel.id);
    const c = await startVisitor(t, channel.id);
    expect([a, b, c].map((v) => v.body.conversation.queuePosition)).to.deep.equal([1, 2, 3]);
    await asVisitor(t, b).post(`/livechat/conversations/${b.id}/messages`, { body: "I will leave a message meanwhile." });

    const joiner = await t.host.users.create({ login: "q1", name: "Queue One", password: "q1-password", langCode: "en_US", groups: ["base.user", "livechat.user"] });
    const other = await t.host.users.create({ login: "q2", name: "Queue Two", password: "q2-password", langCode: "en_US", groups: ["base.user", "livechat.user"] });
    await online(t, joiner, other);
    await new ChannelService(t.host.contract).join(channel.id, joiner);
    const state = async (v: { id: number; token: string }) => (await asVisitor(t, v).get(`/livechat/conversations/${v.id}`)).body.conversation;
    expect((await state(a)).state).to.equal("open");
    expect(await state(b)).to.deep.include({ state: "waiting", queuePosition: 1 });
    expect(await state(c)).to.deep.include({ state: "waiting", queuePosition: 2 });

    await new ChannelService(t.host.contract).join(channel.id, other);
    expect(await state(b)).to.deep.include({ state: "open", operator: { name: "Queue Two" } });
    expect((await state(c)).queuePosition).to.equal(1);
    // The left message is there for the operator who took the conversation.
    const session = await t.login("q2", "q2-password");
    const detail = await session.agent.get(`/livechat/api/conversations/${b.id}`);
    expect(detail.body.messages.map((m: { body: string }) => m.body)).to.include("I will leave a message meanwhile.");

    // A seat frees up when a conversation ends: the next in line gets it.
    await asVisitor(t, a).post(`/livechat/conversations/${a.id}/end`);
    expect((await state(c)).state).to.equal("open");
  });

  it("tells the visitors behind one who leaves the queue their new place with one notification on the channel's queue, naming nobody", async () => {
    const { channel } = await channelWithOperators(t, "Leaving", [], null);
    const a = await startVisitor(t, channel.id);
    const b = await startVisitor(t, channel.id);
    const c = await startVisitor(t, channel.id);
    const version = Number(c.body.conversation.queueVersion);
    expect(c.body.conversation.queueVersion).to.be.a("number");
    const cBus = await connectBus(t.url, { token: c.token });
    try {
      await asVisitor(t, a).post(`/livechat/conversations/${a.id}/end`);
      const moved = await cBus.next((n) => n.type === "livechat.queue");
      // What the widget needs to work out its place (2 - 1 = 1 ahead of it now), and nothing about anyone.
      expect(moved.payload).to.deep.equal({ channelId: channel.id, version: version + 1, left: [a.id], joined: [] });
      expect(cBus.notifications.filter((n) => n.type === "livechat.conversation")).to.deep.equal([]);
      expect((await asVisitor(t, b).get(`/livechat/conversations/${b.id}`)).body.conversation).to.include({ queuePosition: 1, queueVersion: version + 1 });
      expect((await asVisitor(t, c).get(`/livechat/conversations/${c.id}`)).body.conversation.queuePosition).to.equal(2);
    } finally {
      cBus.close();
    }
  });

  it("closes a conversation left with the chatbot once its visitor is gone", async () => {
    const support = await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Website Support" });
    expect(support.chatbotScriptId).to.be.a("number");
    const v = await startVisitor(t, support.id);
    expect(v.body.conversation.state).to.equal("bot");
    t.clock.advance(16 * 60_000);
    await t.host.scheduler.runNow("livechat.close_abandoned_conversations");
    const row = await t.host.db.getRepository(Conversation).findOneByOrFail({ id: v.id });
    expect(row).to.include({ state: "closed", closedReason: "inactivity" });
  });

  it("gives 200 visitors starting at once to 4 operators with a limit of 50: exactly 50 each", async function () {
    this.timeout(120_000);
    const { channel, operators } = await channelWithOperators(t, "Rush", ["rush1", "rush2", "rush3", "rush4"], 50);
    await online(t, ...operators);
    const results = await Promise.all(Array.from({ length: 200 }, () => startVisitor(t, channel.id)));
    expect(results.every((r) => r.body.conversation.state === "open")).to.equal(true);
    expect(await loads(t, channel.id)).to.deep.equal([50, 50, 50, 50]);
    const extra = await startVisitor(t, channel.id);
    expect(extra.body.conversation.state).to.equal("waiting");
  });
});

describe("Visitors starting together", () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("share a transaction, yet one that fails after its first writes leaves nothing behind and harms no other", async function () {
    this.timeout(60_000);
    const { channel, operators } = await channelWithOperators(t, "Together", ["tg1", "tg2", "tg3"], null);
    await online(t, ...operators);
    // A filter that fails the German visitors' decisions, after their conversation was inserted.
    assignmentCandidates.add(t.host.contract.hooks, (candidates, context) => {
      if (context.request.lang === "de_DE") throw new Error("no candidates for this one");
      return candidates;
    });
    // Kept-alive connections, opened by a first round: the second one's requests reach the server together.
    const start = async (lang: string) => {
      const res = await fetch(`${t.url}/livechat/channels/${channel.id}/conversations`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept-Language": lang },
        body: "{}",
      });
      return { status: res.status, body: (await res.json()) as { conversation?: { state: string } } };
    };
    const first = await Promise.all(Array.from({ length: 30 }, () => start("en-US")));
    expect(first.map((r) => r.status)).to.deep.equal(Array(30).fill(201));
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => start(i % 5 === 2 ? "de-DE" : "en-US")));
    const failed = answers.filter((_, i) => i % 5 === 2);
    const started = answers.filter((_, i) => i % 5 !== 2);
    expect(failed.map((r) => r.status)).to.deep.equal(Array(6).fill(500));
    expect(started.map((r) => r.status)).to.deep.equal(Array(24).fill(201));
    expect(started.every((r) => r.body.conversation?.state === "open")).to.equal(true);
    // Only those that started were stored, each given to one operator, in turn.
    const rows = await t.host.db.getRepository(Conversation).findBy({ channelId: channel.id });
    expect(rows).to.have.length(54);
    expect(await loads(t, channel.id)).to.deep.equal([18, 18, 18]);
  });
});

describe("Assignment across two host instances on PostgreSQL", () => {
  let two: TwoInstances | null = null;
  let a: TestHost;
  let b: TestHost;
  before(async function () {
    await skipUnlessPostgres(this);
    two = await startTwoInstances();
    ({ a, b } = two);
  });
  after(async () => {
    await two?.stop();
  });

  it("never puts a 51st conversation on an operator when 200 visitors start at once on both instances", async function () {
    this.timeout(180_000);
    const { channel, operators } = await channelWithOperators(a, "Rush PG", ["pg1", "pg2", "pg3", "pg4"], 50);
    await online(a, ...operators);
    const starts = Array.from({ length: 200 }, (_, i) => startVisitor(i % 2 === 0 ? a : b, channel.id));
    const results = await Promise.all(starts);
    expect(results.filter((r) => r.body.conversation.state === "open")).to.have.length(200);
    expect(await loads(a, channel.id)).to.deep.equal([50, 50, 50, 50]);
  });

  it("keeps every assignment at the limit when both instances decide at once (10 operators, limit 1, 40 visitors)", async function () {
    this.timeout(120_000);
    const logins = Array.from({ length: 10 }, (_, i) => `edge${i}`);
    const { channel, operators } = await channelWithOperators(a, "Edge PG", logins, 1);
    await online(a, ...operators);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => startVisitor(i % 2 === 0 ? a : b, channel.id)));
    expect(results.filter((r) => r.body.conversation.state === "open")).to.have.length(10);
    expect(await loads(a, channel.id)).to.deep.equal(Array(10).fill(1));
  });
});

describe("Assignment extension hook", () => {
  it("lets another module filter the candidates (the livechat_extra fixture keeps trainees out)", async () => {
    const t = await startTestHost({ extraModules: [path.join(FIXTURES_DIR, "livechat_extra")] });
    try {
      const { channel, operators } = await channelWithOperators(t, "Hooked", ["trainee_amy", "senior_bob"], null);
      const [trainee, senior] = operators;
      await online(t, trainee, senior);
      // The trainee is the less loaded (and the lower id): without the hook, she would be chosen.
      const v = await startVisitor(t, channel.id);
      expect((await t.host.db.getRepository(Conversation).findOneByOrFail({ id: v.id })).operatorId).to.equal(senior.id);
    } finally {
      await t.stop();
    }
  });

  it("keeps those another module's filter leaves out from being offered or given a transfer (the fixture keeps trainees out)", async () => {
    const t = await startTestHost({ extraModules: [path.join(FIXTURES_DIR, "livechat_extra")] });
    try {
      const { channel, operators } = await channelWithOperators(t, "Handed", ["senior_gus", "trainee_hal", "senior_ivy"], null);
      const [owner, trainee, senior] = operators;
      const visitor = await servedBy(t, channel.id, owner, [trainee, senior]);
      const s = await t.login("senior_gus");
      const choices = await s.agent.get(`/livechat/api/conversations/${visitor.id}/transfer`);
      expect(choices.body.operators.map((o: { id: number }) => o.id)).to.deep.equal([senior.id]);
      const refused = await s.postJson(`/livechat/api/conversations/${visitor.id}/transfer`, { operatorId: trainee.id });
      expect(refused.status).to.equal(409);
      expect(refused.body.error).to.equal("Operator trainee_hal may not take this conversation: choose another operator.");
      const operatorOf = async () => (await t.host.db.getRepository(Conversation).findOneByOrFail({ id: visitor.id })).operatorId;
      expect(await operatorOf()).to.equal(owner.id);
      // By name too.
      const command = await s.postJson(`/livechat/api/conversations/${visitor.id}/commands`, { text: "/transfer Operator trainee_hal" });
      expect([command.status, command.body.error]).to.deep.equal([409, "Operator trainee_hal may not take this conversation: choose another operator."]);
      expect(await operatorOf()).to.equal(owner.id);
      const done = await s.postJson(`/livechat/api/conversations/${visitor.id}/transfer`, { operatorId: senior.id });
      expect(done.status).to.equal(200);
      expect(await operatorOf()).to.equal(senior.id);
    } finally {
      await t.stop();
    }
  });

  it("lets another module re-rank those who may take it, but not add anyone (the fixture puts team leads first)", async () => {
    const t = await startTestHost({ extraModules: [path.join(FIXTURES_DIR, "livechat_extra")] });
    try {
      const { channel, operators } = await channelWithOperators(t, "Ranked", ["plain_cy", "lead_dee", "lead_eve"], 1);
      const [plain, lead, busyLead] = operators;
      await online(t, plain, lead, busyLead);
      // The plain operator is the lower id and as free as the leads: the module alone would choose him.
      const first = await startVisitor(t, channel.id);
      const operatorOf = async (id: number) => (await t.host.db.getRepository(Conversation).findOneByOrFail({ id })).operatorId;
      expect(await operatorOf(first.id)).to.equal(lead.id);
      expect(await operatorOf((await startVisitor(t, channel.id)).id)).to.equal(busyLead.id);
      // Both leads are at the channel's limit now: the ranking cannot bring them back.
      expect(await operatorOf((await startVisitor(t, channel.id)).id)).to.equal(plain.id);
    } finally {
      await t.stop();
    }
  });

  it("tells another module when a conversation ends (the fixture writes a note)", async () => {
    const t = await startTestHost({ extraModules: [path.join(FIXTURES_DIR, "livechat_extra")] });
    try {
      const { channel, operators } = await channelWithOperators(t, "Noted", ["noted_fay"], null);
      await online(t, ...operators);
      const v = await startVisitor(t, channel.id);
      const notes = async () => (await (await t.login("noted_fay")).agent.get("/livechat-extra/notes")).text;
      expect(await notes()).to.contain("0 notes");
      await asVisitor(t, v).post(`/livechat/conversations/${v.id}/end`).expect(200);
      // Ending twice is fine, and is not a second end.
      await asVisitor(t, v).post(`/livechat/conversations/${v.id}/end`).expect(200);
      expect(await notes()).to.contain("1 notes").and.to.contain(`Conversation ${v.id} closed (visitor)`);
    } finally {
      await t.stop();
    }
  });
});
