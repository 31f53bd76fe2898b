import { expect } from "chai";
import { Message } from "../../module/models/Message";
import { connectBus, type TestBusClient } from "../support/busClient";
import { hostForSuite, startTestHost, type TestHost } from "../support/testHost";
import { socketOrigin } from "../../host/bus/socketOrigin";
import { asVisitor, visitorOfMitchell, type Visitor } from "./helpers";

describe("A visitor's message sent over the bus socket", () => {
  let t: TestHost;
  let visitor: Visitor;
  let socket: TestBusClient;
  let mitchell: TestBusClient;
  const messages = () => t.host.db.getRepository(Message);
  const path = () => `/livechat/conversations/${visitor.id}/messages`;

  before(async () => {
    t = await startTestHost();
    visitor = await visitorOfMitchell(t);
    socket = await connectBus(t.url, { token: visitor.token });
    mitchell = await connectBus(t.url, { cookie: (await t.login("mitchell")).cookie });
  });
  after(async () => {
    await socket?.close();
    await mitchell?.close();
    await t?.stop();
  });

  it("is stored once, answered on the socket as HTTP answers, and reaches the operator", async () => {
    const first = await socket.post(path(), { body: "Over the socket", clientMessageId: "s-1" });
    expect(first.status).to.equal(201);
    expect(first.body?.message?.body).to.equal("Over the socket");
    const delivered = await mitchell.next((n) => n.type === "livechat.message" && (n.payload as { message: { body: string } }).message.body === "Over the socket");
    expect((delivered.payload as { message: { id: number } }).message.id).to.equal(first.body?.message?.id);
    // The widget's retry of a send whose answer it missed: the same message, not a second one.
    const again = await socket.post(path(), { body: "Over the socket", clientMessageId: "s-1" });
    expect([again.status, again.body?.message?.id]).to.deep.equal([200, first.body?.message?.id]);
    expect(await messages().countBy({ conversationId: visitor.id, clientMessageId: "s-1" })).to.equal(1);
  });

  it("carries the visitor's typing signal to the operator, and refuses a malformed one", async () => {
    const typingPath = `/livechat/conversations/${visitor.id}/typing`;
    const from = mitchell.frames.length;
    const sent = await socket.post(typingPath, { typing: true });
    expect([sent.status, sent.body]).to.deep.equal([200, { delivered: true }]);
    const signal = await mitchell.nextSignal((s) => s.type === "livechat.typing");
    expect(signal.payload).to.deep.equal({ conversationId: visitor.id, typing: true });
    expect(mitchell.frames.indexOf(mitchell.frames.find((f) => f.signal === signal) ?? mitchell.frames[0])).to.be.at.least(from);
    const bad = await socket.post(typingPath, { typing: "yes" });
    expect([bad.status, bad.body?.error]).to.deep.equal([400, "typing must be true or false."]);
  });

  it("keeps a socket's posts in the order they were sent", async () => {
    const answers = await Promise.all(["one", "two", "three", "four"].map((body) => socket.post(path(), { body: `Order ${body}`, clientMessageId: `o-${body}` })));
    expect(answers.map((a) => a.status)).to.deep.equal([201, 201, 201, 201]);
    const ids = answers.map((a) => a.body?.message?.id ?? 0);
    expect(ids).to.deep.equal([...ids].sort((a, b) => a - b));
  });

  it("refuses what HTTP refuses, in the reader's language, and stores nothing", async () => {
    const before = await messages().countBy({ conversationId: visitor.id });
    const other = await socket.post(`/livechat/conversations/${visitor.id + 1000}/messages`, { body: "Not mine" }, "fr-FR,fr;q=0.9");
    expect(other.status).to.equal(404);
    expect(other.body?.error).to.equal((await asVisitor(t, visitor).post(`/livechat/conversations/${visitor.id + 1000}/messages`, { body: "x" }).set("Accept-Language", "fr")).body.error);
    expect(other.body?.error).to.not.equal("No such conversation for this visitor.");
    const empty = await socket.post(path(), { body: "   " });
    expect([empty.status, empty.body?.error]).to.deep.equal([400, "The message is empty."]);
    const nul = await socket.post(path(), { body: "a\u0000b" });
    expect(nul.status).to.equal(400);
    expect(nul.body?.error).to.contain("NUL");
    const nowhere = await socket.post("/web/login", { login: "admin" });
    expect([nowhere.status, nowhere.body?.error]).to.deep.equal([404, "Nothing can be sent to this address over the socket."]);
    expect(await messages().countBy({ conversationId: visitor.id })).to.equal(before);
    expect(t.host.load.current).to.equal(0);
  });

  it("answers 503 with a retry delay past the in-flight budget, and the retry stores the message once", async () => {
    t.host.load.limit = 0;
    try {
      const refused = await socket.post(path(), { body: "Busy", clientMessageId: "busy-s" }, "fr-FR,fr;q=0.9");
      expect([refused.status, refused.retryAfter, refused.body?.error]).to.deep.equal([503, 1, "Le serveur est très occupé : réessayez dans un instant."]);
    } finally {
      t.host.load.limit = 256;
    }
    expect(await messages().countBy({ conversationId: visitor.id, clientMessageId: "busy-s" })).to.equal(0);
    expect((await socket.post(path(), { body: "Busy", clientMessageId: "busy-s" })).status).to.equal(201);
    expect(await messages().countBy({ conversationId: visitor.id, clientMessageId: "busy-s" })).to.equal(1);
    expect(t.host.load.current).to.equal(0);
  });

  it("refuses a post past the budget at once, without waiting for the socket's earlier post to be answered", async () => {
    t.host.load.limit = 1;
    try {
      const from = socket.frames.length;
      socket.send({ op: "post", ref: 9001, path: path(), body: { body: "Admitted first", clientMessageId: "first-in" } });
      socket.send({ op: "post", ref: 9002, path: path(), body: { body: "Refused second", clientMessageId: "second-in" } });
      const first = await socket.frame((f) => f.op === "answer" && f.ref === 9001, "the first answer", from);
      const second = await socket.frame((f) => f.op === "answer" && f.ref === 9002, "the second answer", from);
      expect([first.status, second.status, second.retryAfter]).to.deep.equal([201, 503, 1]);
      expect(socket.frames.indexOf(second)).to.be.lessThan(socket.frames.indexOf(first));
    } finally {
      t.host.load.limit = 256;
    }
    expect(await messages().countBy({ conversationId: visitor.id, clientMessageId: "second-in" })).to.equal(0);
    expect(t.host.load.current).to.equal(0);
  });

  it("gives back the places of posts whose socket closed before they were handled", async () => {
    const leaving = await connectBus(t.url, { token: visitor.token });
    for (let i = 0; i < 20; i++) leaving.send({ op: "post", ref: i, path: path(), body: { body: `Leaving ${i}`, clientMessageId: `leave-${i}` } });
    await leaving.close();
    while (t.host.load.current > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(t.host.load.current).to.equal(0);
  });

  it("cuts a socket that sends far more than it waits for, and the rest of the server carries on", async () => {
    const flooder = await connectBus(t.url, { token: visitor.token });
    const closed = flooder.closed();
    for (let i = 0; i < 200; i++) flooder.send({ op: "post", ref: i, path: path(), body: { body: `Flood ${i}`, clientMessageId: `f-${i}` } });
    expect(await closed).to.equal(1008);
    expect(await messages().countBy({ conversationId: visitor.id, body: "Flood 199" })).to.equal(0);
    expect((await socket.post(path(), { body: "Still here", clientMessageId: "after-flood" })).status).to.equal(201);
  });
});

describe("A visitor's message over the socket, against the per-minute limit", () => {
  it("counts with the visitor's HTTP writes, and is refused with 429 and a retry delay past the limit", async () => {
    const t = await startTestHost();
    try {
      await t.host.settings.set("livechat.visitor_writes_per_minute", "3");
      const visitor = await visitorOfMitchell(t);
      const socket = await connectBus(t.url, { token: visitor.token });
      const path = `/livechat/conversations/${visitor.id}/messages`;
      const statuses = [
        (await socket.post(path, { body: "One", clientMessageId: "l-1" })).status,
        (await asVisitor(t, visitor).post(`/livechat/conversations/${visitor.id}/typing`, { typing: true })).status,
      ];
      const limited = await socket.post(path, { body: "Two", clientMessageId: "l-2" });
      expect([...statuses, limited.status]).to.deep.equal([201, 200, 429]);
      expect(limited.body?.error).to.contain("Too many requests");
      expect(limited.retryAfter).to.be.greaterThan(0);
      expect(await t.host.db.getRepository(Message).countBy({ conversationId: visitor.id, clientMessageId: "l-2" })).to.equal(0);
      await socket.close();
    } finally {
      await t.stop();
    }
  });
});

for (const database of ["sqlite", "postgres"] as const) {
  describe(`Notifications a grouped write marks inAnswer (${database})`, () => {
    let t: TestHost;
    hostForSuite(database, (host) => {
      t = host;
    });

    it("are delivered without the socket whose call stored them, and to all when no socket's call did", async () => {
      const skips = new Map<number, object | undefined>();
      const stop = t.host.bus.onNotification((n, skip) => skips.set(n.id, skip));
      try {
        const caller = {};
        const store = () => t.host.contract.writes.run(async (tx) => (await tx.publish([{ channel: "test.answered:1", type: "test", payload: {}, inAnswer: true }]))[0]);
        const fromCaller = await socketOrigin.run(caller, store);
        const fromNobody = await store();
        while (!skips.has(fromCaller) || !skips.has(fromNobody)) await new Promise((resolve) => setTimeout(resolve, 5));
        expect([skips.get(fromCaller) === caller, skips.get(fromNobody)]).to.deep.equal([true, undefined]);
      } finally {
        stop();
      }
    });
  });
}

// On SQLite a commit's notifications are delivered before its answers are sent, so what one socket
// was not sent is known once the others have it; on PostgreSQL they come back through LISTEN.
describe("A visitor's message over the socket, and the visitor's other tabs", () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("is not sent back to the socket it came over, which has it in its answer, but reaches the visitor's other tabs", async () => {
    const visitor = await visitorOfMitchell(t);
    const path = `/livechat/conversations/${visitor.id}/messages`;
    const [socket, otherTab, mitchell] = await Promise.all([
      connectBus(t.url, { token: visitor.token }),
      connectBus(t.url, { token: visitor.token }),
      t.login("mitchell").then(({ cookie }) => connectBus(t.url, { cookie })),
    ]);
    try {
      const messageId = (n: { type: string; payload: unknown }) => (n.type === "livechat.message" ? (n.payload as { message: { id: number } }).message.id : null);
      const answer = await socket.post(path, { body: "Once per tab", clientMessageId: "tab-1" });
      expect(answer.status).to.equal(201);
      const id = answer.body?.message?.id as number;
      await otherTab.next((n) => messageId(n) === id);
      await mitchell.next((n) => messageId(n) === id);
      // A round trip on the socket after the other tabs had it: anything sent to it before is in by now.
      expect((await socket.post(`/livechat/conversations/${visitor.id}/typing`, { typing: false })).status).to.equal(200);
      expect(socket.notifications.filter((n) => messageId(n) === id)).to.deep.equal([]);
      // A message sent over HTTP (the widget without its socket) still reaches the socket.
      const overHttp = await asVisitor(t, visitor).post(path, { body: "Over HTTP", clientMessageId: "tab-2" }).expect(201);
      await socket.next((n) => messageId(n) === overHttp.body.message.id);
    } finally {
      await Promise.all([socket.close(), otherTab.close(), mitchell.close()]);
    }
  });
});
