import { expect } from "chai";
import request from "supertest";
import { TestClock } from "../../host/clock";
import { ChatWindow } from "../../module/models/ChatWindow";
import { Conversation } from "../../module/models/Conversation";
import { Message } from "../../module/models/Message";
import { skipUnlessPostgres } from "../support/postgres";
import { startTwoInstances, type TestHost, type TestSession, type TwoInstances } from "../support/testHost";
import { channelWithOperators, online, servedBy, startVisitor } from "./helpers";

describe("Transfers racing each other and takes, on two instances sharing one PostgreSQL database", function () {
  this.timeout(60_000);
  let two: TwoInstances | null = null;
  let a: TestHost;
  let b: TestHost;

  before(async function () {
    await skipUnlessPostgres(this);
    two = await startTwoInstances({ clock: new TestClock() });
    ({ a, b } = two);
  });
  after(async () => {
    await two?.stop();
  });

  /** A post sent to `host` with a session opened on instance A. */
  const post = (host: TestHost, s: TestSession, path: string, body: object) =>
    request(host.url).post(`/livechat/api${path}`).set("Cookie", s.cookie).set("x-csrf-token", s.csrf).set("Accept", "application/json").send(body);
  const stored = (id: number) => a.host.db.getRepository(Conversation).findOneByOrFail({ id });
  const openWith = (channelId: number, operatorId: number) => a.host.db.getRepository(Conversation).countBy({ channelId, operatorId, state: "open" });

  it("applies exactly one of two transfers of the same conversation sent at once to different instances", async () => {
    const { channel, operators } = await channelWithOperators(a, "Race transfer", ["tx_from", "tx_one", "tx_two"], null);
    const [from, one, other] = operators;
    for (let round = 0; round < 3; round++) {
      const visitor = await servedBy(a, channel.id, from, [one, other]);
      const s = await a.login("tx_from");
      const answers = await Promise.all([
        post(a, s, `/conversations/${visitor.id}/transfer`, { operatorId: one.id }),
        post(b, s, `/conversations/${visitor.id}/transfer`, { operatorId: other.id }),
      ]);
      const won = answers.filter((r) => r.status === 200);
      expect(won, `round ${round}: ${answers.map((r) => `${r.status} ${r.body.error ?? ""}`).join(", ")}`).to.have.length(1);
      for (const r of answers.filter((x) => x.status !== 200)) expect([404, 409]).to.include(r.status);
      const after = await stored(visitor.id);
      expect(after.operatorId).to.equal(won[0].body.transfer.operator.id);
      const windows = await a.host.db.getRepository(ChatWindow).findBy({ conversationId: visitor.id });
      expect(windows.map((w) => w.userId)).to.deep.equal([after.operatorId]);
      expect(await a.host.db.getRepository(Message).countBy({ conversationId: visitor.id, systemKey: "transferred" })).to.equal(1);
    }
  });

  it("never puts an operator past the channel's limit when a transfer to him and his take of a waiting visitor race", async () => {
    const { channel, operators } = await channelWithOperators(a, "Race take", ["tk_from", "tk_to"], 1);
    const [from, to] = operators;
    const visitor = await servedBy(a, channel.id, from, []);
    // tk_from is at the limit and tk_to offline: the next visitor waits.
    const waiting = await startVisitor(a, channel.id);
    expect(waiting.body.conversation.state).to.equal("waiting");
    await online(a, to);
    const [sFrom, sTo] = [await a.login("tk_from"), await a.login("tk_to")];
    const answers = await Promise.all([
      post(a, sFrom, `/conversations/${visitor.id}/transfer`, { operatorId: to.id }),
      post(b, sTo, `/conversations/${waiting.id}/take`, {}),
    ]);
    expect(answers.map((r) => r.status).sort(), answers.map((r) => r.body.error).join(", ")).to.deep.equal([200, 409]);
    expect(answers.find((r) => r.status === 409)?.body.error).to.contain("limit of Race take");
    expect(await openWith(channel.id, to.id)).to.equal(1);
  });

  it("gives the last free seat to one of two operators transferring to the same colleague at once", async () => {
    const { channel, operators } = await channelWithOperators(a, "Race seat", ["st_one", "st_two", "st_to"], 1);
    const [one, two, to] = operators;
    const first = await servedBy(a, channel.id, one, []);
    const second = await servedBy(a, channel.id, two, [one, to]);
    const answers = await Promise.all([
      post(a, await a.login("st_one"), `/conversations/${first.id}/transfer`, { operatorId: to.id }),
      post(b, await a.login("st_two"), `/conversations/${second.id}/transfer`, { operatorId: to.id }),
    ]);
    expect(answers.map((r) => r.status).sort()).to.deep.equal([200, 409]);
    expect(answers.find((r) => r.status === 409)?.body.error).to.contain("reached the limit of Race seat");
    expect(await openWith(channel.id, to.id)).to.equal(1);
    expect((await openWith(channel.id, one.id)) + (await openWith(channel.id, two.id))).to.equal(1);
  });

  it("refuses an end that reached the conversation after a transfer took it away, instead of closing the new operator's chat", async () => {
    const { channel, operators } = await channelWithOperators(a, "Race end", ["te_from", "te_to"], null);
    const [from, to] = operators;
    const visitor = await servedBy(a, channel.id, from, [to]);
    const s = await a.login("te_from");
    // Hold the row so that both requests have read it as te_from's before either may change it.
    const holder = a.host.db.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query("SELECT id FROM livechat_conversation WHERE id = $1 FOR UPDATE", [visitor.id]);
      const moved = post(b, s, `/conversations/${visitor.id}/transfer`, { operatorId: to.id }).then((r) => r);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const ended = post(a, s, `/conversations/${visitor.id}/end`, {}).then((r) => r);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await holder.commitTransaction();
      const [transfer, end] = await Promise.all([moved, ended]);
      expect(transfer.status, JSON.stringify(transfer.body)).to.equal(200);
      expect(end.status, JSON.stringify(end.body)).to.equal(409);
      expect(end.body.error).to.contain("not yours any more");
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
    const after = await stored(visitor.id);
    expect(after.state).to.equal("open");
    expect(after.operatorId).to.equal(to.id);
  });
});
