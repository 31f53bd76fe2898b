import { expect } from "chai";
import { messagePosted } from "../../module/api";
import { Conversation } from "../../module/models/Conversation";
import { ConversationRead } from "../../module/models/ConversationRead";
import { Message } from "../../module/models/Message";
import { connectBus, type TestBusClient } from "../support/busClient";
import { hostForSuite, startTestHost, type TestHost, type TestSession } from "../support/testHost";
import { asVisitor, visitorOfMitchell, type Visitor } from "./helpers";

describe("An operator's message and typing sent over the bus socket", () => {
  let t: TestHost;
  let visitor: Visitor;
  let mitchell: TestSession;
  let socket: TestBusClient;
  let visitorSocket: TestBusClient;
  const messages = () => t.host.db.getRepository(Message);
  const path = () => `/livechat/api/conversations/${visitor.id}/messages`;

  before(async () => {
    t = await startTestHost();
    visitor = await visitorOfMitchell(t);
    mitchell = await t.login("mitchell");
    socket = await connectBus(t.url, { cookie: mitchell.cookie });
    visitorSocket = await connectBus(t.url, { token: visitor.token });
  });
  after(async () => {
    await socket?.close();
    await visitorSocket?.close();
    await t?.stop();
  });

  /** An operator of the demo's channels who reads French, logged in, with a socket open. */
  async function frenchOperator(login: string): Promise<{ session: TestSession; socket: TestBusClient; id: number }> {
    const user = await t.host.users.create({ login, name: `Opérateur ${login}`, password: `${login}-password`, langCode: "fr_FR", groups: ["base.user", "livechat.user"] });
    const session = await t.login(login, `${login}-password`);
    return { session, socket: await connectBus(t.url, { cookie: session.cookie }), id: user.id };
  }

  it("is stored once, answered on the socket as HTTP answers, and reaches the visitor", async () => {
    const first = await socket.post(path(), { body: "Answered on the socket", clientMessageId: "op-s-1" });
    expect(first.status).to.equal(201);
    const message = first.body?.message as { id: number; body: string };
    expect(message.body).to.equal("Answered on the socket");
    const delivered = await visitorSocket.next((n) => n.type === "livechat.message" && (n.payload as { message: { body: string } }).message.body === "Answered on the socket");
    expect((delivered.payload as { message: { id: number } }).message.id).to.equal(message.id);
    // A retry of a send whose answer was missed: the same message, not a second one.
    const again = await socket.post(path(), { body: "Answered on the socket", clientMessageId: "op-s-1" });
    expect([again.status, (again.body?.message as { id: number }).id]).to.deep.equal([200, message.id]);
    expect(await messages().countBy({ conversationId: visitor.id, clientMessageId: "op-s-1" })).to.equal(1);
    const overHttp = await mitchell.postJson(path(), { body: "Answered over HTTP", clientMessageId: "op-h-1" });
    expect(overHttp.status).to.equal(201);
    expect(Object.keys(overHttp.body.message).sort()).to.deep.equal(Object.keys(message).sort());
  });

  it("carries the operator's typing to the visitor, and refuses a malformed one", async () => {
    const typingPath = `/livechat/api/conversations/${visitor.id}/typing`;
    const from = visitorSocket.frames.length;
    const sent = await socket.post(typingPath, { typing: true });
    expect([sent.status, sent.body]).to.deep.equal([200, { delivered: true }]);
    const signal = await visitorSocket.frame((f) => f.op === "signal" && f.signal?.type === "livechat.typing", "the typing signal", from);
    expect(signal.signal?.payload).to.deep.include({ conversationId: visitor.id, typing: true });
    const bad = await socket.post(typingPath, { typing: "yes" });
    expect([bad.status, bad.body?.error]).to.deep.equal([400, "typing must be true or false."]);
  });

  it("marks the conversation read up to a message, answered as HTTP answers", async () => {
    const sent = await asVisitor(t, visitor).post(`/livechat/conversations/${visitor.id}/messages`, { body: "Are you reading?", clientMessageId: "rd-1" });
    expect(sent.status).to.equal(201);
    const readPath = `/livechat/api/conversations/${visitor.id}/read`;
    const read = await socket.post(readPath, { lastMessageId: sent.body.message.id });
    expect(read.status).to.equal(200);
    expect((read.body as { unread?: number } | undefined)?.unread).to.equal(0);
    const overHttp = await mitchell.postJson(readPath, { lastMessageId: sent.body.message.id });
    expect(overHttp.body).to.deep.equal(read.body);
    const list = await mitchell.agent.get("/livechat/api/conversations?state=open");
    const mine = (list.body.channels as { conversations: { id: number; unread: number }[] }[]).flatMap((c) => c.conversations).find((c) => c.id === visitor.id);
    expect(mine?.unread).to.equal(0);
    const bad = await socket.post(readPath, { lastMessageId: "latest" });
    expect([bad.status, bad.body?.error]).to.deep.equal([400, "lastMessageId must be a message id."]);
  });

  it("refuses what HTTP refuses, in the operator's language, and stores nothing", async () => {
    const before = await messages().countBy({ conversationId: visitor.id });
    const other = await frenchOperator("odile");
    try {
      // Another operator's conversation: over the socket as over HTTP, word for word.
      const refused = await other.socket.post(path(), { body: "Pas à moi", clientMessageId: "odile-1" });
      const overHttp = await other.session.postJson(path(), { body: "Pas à moi", clientMessageId: "odile-1" });
      expect(overHttp.status).to.be.oneOf([403, 404]);
      expect([refused.status, refused.body?.error]).to.deep.equal([overHttp.status, overHttp.body.error]);
      expect(refused.body?.error).to.not.equal("Only the operator of this conversation can answer it.");
    } finally {
      await other.socket.close();
    }
    const empty = await socket.post(path(), { body: "   " });
    expect([empty.status, empty.body?.error]).to.deep.equal([400, "The message is empty."]);
    const nul = await socket.post(path(), { body: "a\u0000b" });
    expect(nul.status).to.equal(400);
    expect(nul.body?.error).to.contain("NUL");
    const missing = await socket.post(`/livechat/api/conversations/${visitor.id + 1000}/messages`, { body: "Nowhere" });
    expect(missing.status).to.equal(404);
    // A visitor's socket reaches no operator route, and an operator's socket no visitor route.
    const fromVisitor = await visitorSocket.post(path(), { body: "Posing as the operator" });
    expect([fromVisitor.status, fromVisitor.body?.error]).to.deep.equal([404, "Nothing can be sent to this address over the socket."]);
    const visitorRoute = await socket.post(`/livechat/conversations/${visitor.id}/messages`, { body: "Posing as the visitor" });
    expect([visitorRoute.status, visitorRoute.body?.error]).to.deep.equal([404, "Nothing can be sent to this address over the socket."]);
    const closeWindow = await socket.post(`/livechat/api/windows/${visitor.id}`, { state: "closed" });
    expect(closeWindow.status).to.equal(404);
    expect(await messages().countBy({ conversationId: visitor.id })).to.equal(before);
    expect(t.host.load.current).to.equal(0);
  });

  it("reads the user again after a change on this instance: one no longer an operator is refused at once", async () => {
    const demoted = await frenchOperator("dora");
    try {
      const conversationPath = `/livechat/api/conversations/${visitor.id}/typing`;
      const user = (await t.host.users.get(demoted.id))!;
      await t.host.db.transaction((m) =>
        t.host.users.updateAccount(demoted.id, { name: user.name, login: user.login, langCode: user.langCode, active: true, groups: ["base.user"] }, m),
      );
      const refused = await demoted.socket.post(conversationPath, { typing: true });
      const overHttp = await demoted.session.postJson(conversationPath, { typing: true });
      expect(overHttp.status).to.equal(403);
      expect([refused.status, refused.body?.error]).to.deep.equal([403, overHttp.body.error]);
    } finally {
      await demoted.socket.close();
    }
  });

  it("sees a change made elsewhere (another instance) within a second", async () => {
    const elsewhere = await frenchOperator("elsa");
    try {
      const typingPath = `/livechat/api/conversations/${visitor.id}/typing`;
      // An operator, but not of this conversation: the route itself says there is no such one for them.
      expect((await elsewhere.socket.post(typingPath, { typing: true })).status).to.equal(404);
      // Demoted behind this instance's back, as another instance would.
      await t.host.db.query("DELETE FROM host_user_group WHERE user_id = ?", [elsewhere.id]);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const refused = await elsewhere.socket.post(typingPath, { typing: true });
      expect(refused.status).to.equal(403);
      expect(refused.body?.error).to.equal((await elsewhere.session.postJson(typingPath, { typing: true })).body.error);
    } finally {
      await elsewhere.socket.close();
    }
  });

  it("answers a post after the session ended with 401, closes the socket, and stores nothing", async () => {
    const session = await t.login("mitchell");
    const leaving = await connectBus(t.url, { cookie: session.cookie });
    const closed = leaving.closed();
    await session.postForm("/web/logout", {}).expect(302);
    const refused = await leaving.post(path(), { body: "After logging out", clientMessageId: "gone-1" });
    expect(refused.status).to.equal(401);
    expect(await closed).to.equal(4401);
    expect(await messages().countBy({ conversationId: visitor.id, clientMessageId: "gone-1" })).to.equal(0);
  });

  it("counts as the operator's activity, as a post over HTTP does", async () => {
    const id = (await t.host.users.findByLogin("mitchell"))!.id;
    t.clock.advance(10 * 60_000);
    const typed = await socket.post(`/livechat/api/conversations/${visitor.id}/typing`, { typing: false });
    expect(typed.status).to.equal(200);
    const deadline = Date.now() + 5_000;
    while ((await t.host.presence.get(id)).lastActivityAt?.getTime() !== t.clock.now().getTime() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect((await t.host.presence.get(id)).lastActivityAt?.getTime()).to.equal(t.clock.now().getTime());
  });
});

for (const database of ["sqlite", "postgres"] as const) {
  describe(`An operator's reply in a conversation of their own (${database})`, () => {
    let t: TestHost;
    hostForSuite(database, (started) => {
      t = started;
    });

    it("is stored once with the conversation's activity, its first reply and the operator's read position, and told to both sides and to integrators", async () => {
      const visitor = await visitorOfMitchell(t);
      const mitchellId = (await t.host.users.findByLogin("mitchell"))!.id;
      const mitchell = await t.login("mitchell");
      const path = `/livechat/api/conversations/${visitor.id}/messages`;
      const posted: string[] = [];
      messagePosted.on(t.host.contract.hooks, (e) => void posted.push(`${e.conversationId} ${e.message.author.kind} ${e.message.body}`));
      const visitorSocket = await connectBus(t.url, { token: visitor.token });
      const operatorSocket = await connectBus(t.url, { cookie: mitchell.cookie });
      const conversation = () => t.host.db.getRepository(Conversation).findOneByOrFail({ id: visitor.id });
      const readUpTo = async () => (await t.host.db.getRepository(ConversationRead).findOneBy({ conversationId: visitor.id, userId: mitchellId }))?.lastReadMessageId;
      try {
        // The channel's welcome, said in the operator's name at the start, may be the first reply already.
        const firstReply = (await conversation()).firstReplyAt?.toISOString();
        t.clock.advance(60_000);
        const first = await operatorSocket.post(path, { body: "First answer", clientMessageId: "fa-1" });
        expect(first.status).to.equal(201);
        const firstMessage = first.body?.message as unknown as { id: number; createdAt: string; author: { kind: string; name: string } };
        expect(firstMessage.author).to.deep.equal({ kind: "operator", name: "Mitchell" });
        const told = (n: { type: string; payload: unknown }) => n.type === "livechat.message" && (n.payload as { message: { id: number } }).message.id === firstMessage.id;
        await visitorSocket.next(told);
        await operatorSocket.next(told);
        expect((await conversation()).firstReplyAt?.toISOString()).to.equal(firstReply ?? firstMessage.createdAt);
        expect((await conversation()).lastActivityAt.toISOString()).to.equal(firstMessage.createdAt);
        expect(await readUpTo()).to.equal(firstMessage.id);

        t.clock.advance(60_000);
        const second = await mitchell.postJson(path, { body: "Second answer", clientMessageId: "fa-2" });
        expect(second.status).to.equal(201);
        expect((await conversation()).firstReplyAt?.toISOString()).to.equal(firstReply ?? firstMessage.createdAt);
        expect((await conversation()).lastActivityAt.toISOString()).to.equal(second.body.message.createdAt);
        expect(await readUpTo()).to.equal(second.body.message.id);

        // A retry of the first: answered with it, stored once, told once.
        const again = await operatorSocket.post(path, { body: "First answer", clientMessageId: "fa-1" });
        expect([again.status, (again.body?.message as { id: number }).id]).to.deep.equal([200, firstMessage.id]);
        expect(await t.host.db.getRepository(Message).countBy({ conversationId: visitor.id, clientMessageId: "fa-1" })).to.equal(1);
        expect(await readUpTo()).to.equal(second.body.message.id);
        expect(posted).to.deep.equal([`${visitor.id} operator First answer`, `${visitor.id} operator Second answer`]);

        // Ended: refused, nothing stored.
        expect((await mitchell.postJson(`/livechat/api/conversations/${visitor.id}/end`, {})).status).to.equal(200);
        const late = await operatorSocket.post(path, { body: "Too late", clientMessageId: "fa-3" });
        expect([late.status, late.body?.error]).to.deep.equal([409, "This conversation has ended: no more messages can be sent."]);
        expect(await t.host.db.getRepository(Message).countBy({ conversationId: visitor.id, body: "Too late" })).to.equal(0);
      } finally {
        await visitorSocket.close();
        await operatorSocket.close();
      }
    });

    it("lets a manager answer another operator's conversation, under the manager's name", async () => {
      const visitor = await visitorOfMitchell(t);
      const admin = await t.login("admin");
      const answer = await admin.postJson(`/livechat/api/conversations/${visitor.id}/messages`, { body: "A manager steps in", clientMessageId: "mgr-1" });
      expect(answer.status).to.equal(201);
      const adminUser = (await t.host.users.findByLogin("admin"))!;
      expect(answer.body.message.author.kind).to.equal("operator");
      const stored = await t.host.db.getRepository(Message).findOneByOrFail({ id: answer.body.message.id });
      expect([stored.authorUserId, stored.body]).to.deep.equal([adminUser.id, "A manager steps in"]);
    });
  });
}
