import { expect } from "chai";
import type { HostUser } from "../../host/contract";
import { ChatWindow } from "../../module/models/ChatWindow";
import { Conversation } from "../../module/models/Conversation";
import { Message } from "../../module/models/Message";
import { OperatorProfiles } from "../../module/services/OperatorProfiles";
import { connectBus } from "../support/busClient";
import { startTestHost, type TestHost, type TestSession } from "../support/testHost";
import { ChannelMember } from "../../module/models/ChannelMember";
import { asVisitor, channelWithOperators, online, servedBy as servedByOperator, startVisitor } from "./helpers";

describe("Transfer of a conversation to another operator or channel", function () {
  this.timeout(60_000);
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  const stored = (id: number) => t.host.db.getRepository(Conversation).findOneByOrFail({ id });
  const windowsOf = async (id: number) => (await t.host.db.getRepository(ChatWindow).findBy({ conversationId: id })).map((w) => w.userId);
  const transfer = (s: TestSession, id: number, body: unknown) => s.postJson(`/livechat/api/conversations/${id}/transfer`, body);
  const command = (s: TestSession, id: number, text: string) => s.postJson(`/livechat/api/conversations/${id}/commands`, { text });
  const chatName = (user: HostUser, name: string) => new OperatorProfiles(t.host.contract).save(user.id, { chatName: name, langCodes: [], expertiseIds: [] });

  const servedBy = async (channelId: number, owner: HostUser, others: HostUser[]) => {
    const visitor = await servedByOperator(t, channelId, owner, others);
    expect((await stored(visitor.id)).operatorId).to.equal(owner.id);
    return { id: visitor.id, visitor };
  };

  it("gives the conversation to an available operator of the channel: system line on both sides, windows move, the previous operator loses it", async () => {
    const { channel, operators } = await channelWithOperators(t, "Support", ["tr_mitchell", "tr_sofia", "tr_offline", "tr_full"], 1);
    const [mitchell, sofia, offline, full] = operators;
    await chatName(mitchell, "Mitchell");
    await chatName(sofia, "Sofia");
    // tr_full is at the channel's limit already.
    await servedBy(channel.id, full, []);
    const { id, visitor } = await servedBy(channel.id, mitchell, [sofia, full]);
    expect(offline.id).to.be.a("number");
    const a = await t.login("tr_mitchell");

    const choices = await a.agent.get(`/livechat/api/conversations/${id}/transfer`);
    expect(choices.status).to.equal(200);
    expect(choices.body.operators).to.deep.equal([{ id: sofia.id, name: "Sofia" }]);
    expect(choices.body.channels.map((c: { name: string }) => c.name)).not.to.include("Support");

    const sofiaSession = await t.login("tr_sofia");
    const sofiaBus = await connectBus(t.url, { cookie: sofiaSession.cookie });
    const mitchellBus = await connectBus(t.url, { cookie: a.cookie });
    try {
      const done = await transfer(a, id, { operatorId: sofia.id });
      expect(done.status, JSON.stringify(done.body)).to.equal(200);
      expect(done.body.transfer).to.deep.equal({ operator: { id: sofia.id, name: "Sofia" }, channel: { id: channel.id, name: "Support" } });
      const after = await stored(id);
      expect([after.operatorId, after.state, after.assignmentTier, after.channelId]).to.deep.equal([sofia.id, "open", "transferred", channel.id]);
      expect(await windowsOf(id)).to.deep.equal([sofia.id]);
      // Live: the new operator's window opens, the previous operator's tabs let it go.
      const assigned = await sofiaBus.next((n) => n.type === "livechat.conversation_assigned");
      expect((assigned.payload as { conversation: { id: number } }).conversation.id).to.equal(id);
      const away = await mitchellBus.next((n) => n.type === "livechat.conversation_transferred");
      expect((away.payload as { line: { body: string } }).line.body).to.equal("Mitchell transferred the conversation to Sofia.");
    } finally {
      await sofiaBus.close();
      await mitchellBus.close();
    }

    // Both sides read the line; the visitor's header names the new operator.
    const line = await t.host.db.getRepository(Message).findOneByOrFail({ conversationId: id, systemKey: "transferred" });
    expect(JSON.parse(line.systemParams ?? "{}")).to.deep.equal({ name: "Mitchell", to: "Sofia" });
    const forSofia = await sofiaSession.agent.get(`/livechat/api/conversations/${id}`);
    expect(forSofia.body.messages.map((m: { body: string }) => m.body)).to.include("Mitchell transferred the conversation to Sofia.");
    expect(forSofia.body.conversation.operator).to.deep.equal({ name: "Sofia" });
    const header = await asVisitor(t, visitor).get(`/livechat/conversations/${id}`);
    expect(header.body.conversation.operator).to.deep.equal({ name: "Sofia" });
    const visitorLines = await asVisitor(t, visitor).get(`/livechat/conversations/${id}/messages`);
    expect(visitorLines.body.messages.map((m: { body: string }) => m.body)).to.include("Mitchell transferred the conversation to Sofia.");

    // The previous operator does not see it any more, nor can transfer it again.
    expect((await a.agent.get(`/livechat/api/conversations/${id}`)).status).to.equal(404);
    expect((await transfer(a, id, { operatorId: full.id })).status).to.equal(404);
    const list = await a.agent.get("/livechat/api/conversations");
    expect(JSON.stringify(list.body)).not.to.contain(`"id":${id},`);
  });

  it("refuses bad transfers with a clear error and changes nothing", async () => {
    const { channel, operators } = await channelWithOperators(t, "Refusals", ["rf_owner", "rf_other", "rf_offline", "rf_full", "rf_outsider"], 1);
    const [owner, other, offline, full, outsider] = operators;
    await t.host.db.getRepository(ChannelMember).delete({ userId: outsider.id, channelId: channel.id });
    await servedBy(channel.id, full, []);
    const { id } = await servedBy(channel.id, owner, [other, full]);
    const before = await stored(id);
    const messagesBefore = await t.host.db.getRepository(Message).countBy({ conversationId: id });
    const s = await t.login("rf_owner");
    const cases: [unknown, number, string][] = [
      [{ operatorId: 999_999 }, 404, "Refusals has no such operator."],
      [{ operatorId: outsider.id }, 404, "Refusals has no such operator."],
      [{ operatorId: offline.id }, 409, "Operator rf_offline is not online: choose an available operator."],
      [{ operatorId: full.id }, 409, "Operator rf_full reached the limit of Refusals (at most 1 at once for each operator): choose another operator."],
      [{ operatorId: owner.id }, 400, "Operator rf_owner already has this conversation: choose another operator or a channel."],
      [{ channelId: 999_999 }, 404, "This live chat channel does not exist."],
      [{ channelId: channel.id }, 400, "The conversation is already in Refusals: choose one of its operators or another channel."],
      [{}, 400, "Give either operatorId (an available operator of the channel) or channelId (another channel)."],
      [{ operatorId: other.id, channelId: channel.id }, 400, "Give either operatorId"],
      [{ operatorId: String(other.id) }, 400, "Give either operatorId"],
      [{ operatorId: 2 ** 40 }, 400, "Give either operatorId"],
    ];
    for (const [body, status, error] of cases) {
      const res = await transfer(s, id, body);
      expect(res.status, JSON.stringify(body)).to.equal(status);
      expect(res.body.error, JSON.stringify(body)).to.contain(error);
    }
    // Another operator of the channel, whose conversation it is not.
    const otherSession = await t.login("rf_other");
    expect((await transfer(otherSession, id, { operatorId: other.id })).status).to.equal(404);
    expect((await otherSession.agent.get(`/livechat/api/conversations/${id}/transfer`)).status).to.equal(404);
    expect((await transfer(s, 0, { operatorId: other.id })).status).to.equal(404);
    expect(await stored(id)).to.deep.equal(before);
    expect(await t.host.db.getRepository(Message).countBy({ conversationId: id })).to.equal(messagesBefore);
    expect(await windowsOf(id)).to.deep.equal([owner.id]);

    // An ended conversation.
    expect((await s.postJson(`/livechat/api/conversations/${id}/end`, {})).status).to.equal(200);
    const ended = await transfer(s, id, { operatorId: other.id });
    expect([ended.status, ended.body.error]).to.deep.equal([409, "This conversation has ended: it cannot be transferred."]);
    expect((await stored(id)).operatorId).to.equal(owner.id);
  });

  it("lets a manager transfer any conversation", async () => {
    const { channel, operators } = await channelWithOperators(t, "Managed", ["mg_one", "mg_two"], null);
    const { id } = await servedBy(channel.id, operators[0], [operators[1]]);
    const admin = await t.login("admin");
    const res = await transfer(admin, id, { operatorId: operators[1].id });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect((await stored(id)).operatorId).to.equal(operators[1].id);
    const line = await t.host.db.getRepository(Message).findOneByOrFail({ conversationId: id, systemKey: "transferred" });
    expect(line.body).to.equal("Mitchell Admin transferred the conversation to Operator mg_two.");
  });

  it("sends it to another channel, where the assignment rules choose (never the sender) or it waits in the queue", async () => {
    const { channel, operators } = await channelWithOperators(t, "First line", ["ch_sender", "ch_helper"], null);
    const [sender] = operators;
    const target = await channelWithOperators(t, "Second line", ["ch_sender", "ch_english", "ch_french"], null);
    const french = target.operators[2];
    await new OperatorProfiles(t.host.contract).save(french.id, { chatName: "", langCodes: ["fr_FR"], expertiseIds: [] });
    await online(t, sender);
    const visitor = await startVisitor(t, channel.id, { name: "Amélie" }, { "Accept-Language": "fr-FR" });
    const id = visitor.id;
    expect((await stored(id)).operatorId).to.equal(sender.id);
    await online(t, ...target.operators);
    const s = await t.login("ch_sender");
    const res = await transfer(s, id, { channelId: target.channel.id });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    // The visitor speaks French: the French-speaking operator, not the sender although he is a member.
    expect(res.body.transfer.operator.id).to.equal(french.id);
    const after = await stored(id);
    expect([after.channelId, after.operatorId, after.state, after.assignmentTier]).to.deep.equal([target.channel.id, french.id, "open", "language"]);
    const seen = await asVisitor(t, visitor).get(`/livechat/conversations/${id}/messages`);
    const lines = seen.body.messages.map((m: { body: string }) => m.body);
    // The visitor reads French.
    expect(lines).to.include("Operator ch_sender a transféré la conversation au canal Second line.");
    expect(await windowsOf(id)).to.deep.equal([french.id]);

    // Nobody available in the target channel: it waits in that channel's queue.
    const empty = await channelWithOperators(t, "Night shift", ["ch_sleeper"], null);
    const queued = await startVisitor(t, target.channel.id, { name: "Bob" });
    const owner = (await stored(queued.id)).operatorId as number;
    const ownerUser = target.operators.find((o) => o.id === owner) ?? operators[0];
    const moved = await transfer(await t.login(ownerUser.login), queued.id, { channelId: empty.channel.id });
    expect(moved.status, JSON.stringify(moved.body)).to.equal(200);
    expect(moved.body.transfer).to.deep.equal({ operator: null, channel: { id: empty.channel.id, name: "Night shift" } });
    const waiting = await stored(queued.id);
    expect([waiting.channelId, waiting.operatorId, waiting.state]).to.deep.equal([empty.channel.id, null, "waiting"]);
    const view = await asVisitor(t, queued).get(`/livechat/conversations/${queued.id}`);
    expect(view.body.conversation.state).to.equal("waiting");
    expect(view.body.conversation.queuePosition).to.equal(1);
    expect(await windowsOf(queued.id)).to.deep.equal([]);
  });

  it("/transfer lists the choices alone, transfers by name, says what is unknown, and is listed by /help; French readers read French", async () => {
    // marc (demo data) reads French; his Online Chat Name is Marc.
    const { channel, operators } = await channelWithOperators(t, "Commands channel", ["cm_owner", "marc"], null);
    const { id } = await servedBy(channel.id, operators[0], [operators[1]]);
    const s = await t.login("cm_owner");
    const help = await command(s, id, "/help");
    expect(help.body.notice).to.contain("/transfer — Transfers the conversation to an operator or a channel: /transfer followed by a name.");
    const alone = await command(s, id, "/transfer");
    expect(alone.status).to.equal(200);
    expect(alone.body.notice.split("\n")[0]).to.equal("Available operators: Marc.");
    expect(alone.body.notice).to.contain("Channels: ").and.contain("Type /transfer followed by one of these names.");
    const unknown = await command(s, id, "/transfer Nobody Here");
    expect([unknown.status, unknown.body.error]).to.deep.equal([400, "No operator of this channel and no channel is named Nobody Here. Type /transfer for the choices."]);
    const done = await command(s, id, "/transfer marc");
    expect([done.status, done.body.notice]).to.deep.equal([200, "Transferred to Marc."]);
    expect((await stored(id)).operatorId).to.equal(operators[1].id);
    const marc = await t.login("marc");
    const read = await marc.agent.get(`/livechat/api/conversations/${id}`);
    expect(read.body.messages.map((m: { body: string }) => m.body)).to.include("Operator cm_owner a transféré la conversation à Marc.");
    const other = await channelWithOperators(t, "Commands other", ["cm_other"], null);
    await online(t, other.operators[0]);
    const toChannel = await command(marc, id, "/transfer commands other");
    expect(toChannel.body.notice).to.equal("Transférée au canal Commands other : Operator cm_other l'a maintenant.");
  });
});
