import { expect } from "chai";
import request from "supertest";
import { BusNotificationRecord } from "../../host/models/BusNotificationRecord";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { Message } from "../../module/models/Message";
import { connectBus, type TestBusClient } from "../support/busClient";
import { skipUnlessPostgres } from "../support/postgres";
import { startTestHost, startTwoInstances, type TestHost, type TestSession, type TwoInstances } from "../support/testHost";
import { asVisitor, online, startVisitor, type Visitor } from "./helpers";

const typingOf = (conversationId: number, typing: boolean) => (s: { type: string; payload: unknown }) =>
  s.type === "livechat.typing" && JSON.stringify(s.payload) === JSON.stringify({ conversationId, typing });

/** The demo channel without its chatbot, only `login` online, and a visitor given to them. */
async function chatWith(t: TestHost, login: string): Promise<{ visitor: Visitor; operator: TestSession }> {
  const support = await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Website Support" });
  await t.host.db.getRepository(LivechatChannel).update({ id: support.id }, { chatbotScriptId: null });
  t.clock.advance(3 * 3600_000);
  await online(t, (await t.host.users.findByLogin(login))!);
  const visitor = await startVisitor(t, support.id);
  expect(visitor.body.conversation.state).to.equal("open");
  return { visitor, operator: await t.login(login) };
}

describe("Typing signals between a visitor and the operator", () => {
  let t: TestHost;
  const sockets: TestBusClient[] = [];
  before(async () => {
    t = await startTestHost();
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
  });
  after(async () => {
    await t?.stop();
  });
  const open = async (auth: { cookie?: string; token?: string }) => {
    const socket = await connectBus(t.url, auth);
    sockets.push(socket);
    return socket;
  };

  it("reaches the other side only, live, and stores nothing: no message, no bus notification, nothing replayed", async () => {
    const { visitor: v, operator } = await chatWith(t, "mitchell");
    const operatorBus = await open({ cookie: operator.cookie });
    const visitorBus = await open({ token: v.token });
    const messagesBefore = await t.host.db.getRepository(Message).countBy({ conversationId: v.id });
    const storedBefore = await t.host.db.getRepository(BusNotificationRecord).count();
    const lastSeen = await t.host.bus.lastId();

    expect((await asVisitor(t, v).post(`/livechat/conversations/${v.id}/typing`, { typing: true })).body).to.deep.equal({ delivered: true });
    await operatorBus.nextSignal(typingOf(v.id, true));
    expect((await operator.postJson(`/livechat/api/conversations/${v.id}/typing`, { typing: true })).body).to.deep.equal({ delivered: true });
    await visitorBus.nextSignal(typingOf(v.id, true));
    await operator.postJson(`/livechat/api/conversations/${v.id}/typing`, { typing: false }).expect(200);
    await visitorBus.nextSignal(typingOf(v.id, false));

    // Each side hears the other, never itself; and as signals, never as stored notifications.
    expect(visitorBus.signals.map((s) => s.payload)).to.deep.equal([
      { conversationId: v.id, typing: true },
      { conversationId: v.id, typing: false },
    ]);
    expect(operatorBus.signals.map((s) => s.payload)).to.deep.equal([{ conversationId: v.id, typing: true }]);
    expect([...operatorBus.notifications, ...visitorBus.notifications].map((n) => n.type)).not.to.include("livechat.typing");
    expect(await t.host.db.getRepository(Message).countBy({ conversationId: v.id })).to.equal(messagesBefore);
    expect(await t.host.db.getRepository(BusNotificationRecord).count()).to.equal(storedBefore);
    // A tab that reconnects catches up from what it saw: typing is not among what it gets.
    const caughtUp = await connectBus(t.url, { cookie: operator.cookie, last: lastSeen });
    sockets.push(caughtUp);
    expect(caughtUp.notifications.map((n) => n.type)).not.to.include("livechat.typing");
    expect(caughtUp.signals).to.deep.equal([]);
  });

  it("is for the visitor (by token) and the assigned operator only", async () => {
    const { visitor: v } = await chatWith(t, "mitchell");
    const typing = { typing: true };
    await request(t.url).post(`/livechat/conversations/${v.id}/typing`).send(typing).expect(404);
    await request(t.url).post(`/livechat/conversations/${v.id}/typing`).set("Authorization", "Bearer wrong-token-wrong-token").send(typing).expect(404);
    // Another operator does not even see the conversation; a manager sees it but does not answer it.
    await (await t.login("marc")).postJson(`/livechat/api/conversations/${v.id}/typing`, typing).expect(404);
    const refused = await (await t.login("admin")).postJson(`/livechat/api/conversations/${v.id}/typing`, typing);
    expect(refused.status).to.equal(403);
    expect(refused.body.error).to.equal("Only the operator of this conversation can answer it.");
    await asVisitor(t, v).post(`/livechat/conversations/${v.id}/typing`, { typing: "yes" }).expect(400);
    await asVisitor(t, v).post(`/livechat/conversations/${v.id}/typing`, {}).expect(400);

    await asVisitor(t, v).post(`/livechat/conversations/${v.id}/end`).expect(200);
    await asVisitor(t, v).post(`/livechat/conversations/${v.id}/typing`, typing).expect(409);
    await (await t.login("mitchell")).postJson(`/livechat/api/conversations/${v.id}/typing`, typing).expect(409);
  });

  it("drops what one side sends beyond 12 signals in 10 seconds, per conversation and side", async () => {
    const { visitor: v, operator } = await chatWith(t, "mitchell");
    const say = () => asVisitor(t, v).post(`/livechat/conversations/${v.id}/typing`, { typing: true });
    for (let i = 0; i < 12; i++) expect((await say()).body).to.deep.equal({ delivered: true });
    expect((await say()).body).to.deep.equal({ delivered: false });
    // The operator's side has its own allowance.
    expect((await operator.postJson(`/livechat/api/conversations/${v.id}/typing`, { typing: true })).body).to.deep.equal({ delivered: true });
    t.clock.advance(10_000);
    expect((await say()).body).to.deep.equal({ delivered: true });
  });
});

describe("Typing signals across two instances (postgres)", () => {
  let two: TwoInstances | null = null;
  before(async function () {
    await skipUnlessPostgres(this);
    two = await startTwoInstances();
  });
  after(async () => {
    await two?.stop();
  });

  it("reaches an operator connected to the other instance, and is stored on neither", async () => {
    const { a, b } = two as TwoInstances;
    const { visitor: v, operator } = await chatWith(a, "sofia");
    const onA = await connectBus(a.url, { cookie: operator.cookie });
    const visitorOnA = await connectBus(a.url, { token: v.token });
    try {
      const storedBefore = await a.host.db.getRepository(BusNotificationRecord).count();
      await request(b.url).post(`/livechat/conversations/${v.id}/typing`).set("Authorization", `Bearer ${v.token}`).send({ typing: true }).expect(200);
      await onA.nextSignal(typingOf(v.id, true));
      const viaB = await request(b.url)
        .post(`/livechat/api/conversations/${v.id}/typing`)
        .set("Cookie", operator.cookie)
        .set("x-csrf-token", operator.csrf)
        .send({ typing: true });
      expect(viaB.status).to.equal(200);
      await visitorOnA.nextSignal(typingOf(v.id, true));
      expect(await a.host.db.getRepository(BusNotificationRecord).count()).to.equal(storedBefore);
    } finally {
      await onA.close();
      await visitorOnA.close();
    }
  });
});
