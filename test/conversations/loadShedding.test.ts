import { expect } from "chai";
import request from "supertest";
import { Message } from "../../module/models/Message";
import { startTestHost, type TestHost } from "../support/testHost";
import { asVisitor, visitorOfMitchell, type Visitor } from "./helpers";

describe("Load shedding: a bounded number of requests in progress", () => {
  let t: TestHost;
  let visitor: Visitor;
  /** The host's own bound on a message's expected wait, put back after each test that changes it. */
  let writeWaitBound: number;
  before(async () => {
    t = await startTestHost();
    visitor = await visitorOfMitchell(t);
    writeWaitBound = t.host.load.maxWriteWaitMs;
  });
  after(async () => {
    await t?.stop();
  });

  /** A visitor's message with its client id, as the widget posts it. */
  const post = (clientMessageId: string): Promise<request.Response> =>
    asVisitor(t, visitor).post(`/livechat/conversations/${visitor.id}/messages`, { body: `Message ${clientMessageId}`, clientMessageId }).then((r) => r);

  /** Holds the database in a transaction, so that posts stay in progress until `release`. */
  function holdWrites(): { held: Promise<void>; release: () => void } {
    let release = () => undefined as void;
    const held = t.host.db.transaction(() => new Promise<void>((resolve) => (release = resolve)));
    return { held, release: () => release() };
  }

  /** Resolves once `n` requests are in progress on the host. */
  async function inFlight(n: number): Promise<void> {
    while (t.host.load.current < n) await new Promise((resolve) => setImmediate(resolve));
  }

  it("refuses a request past the budget with 503 and Retry-After, and the widget's retry stores the message once", async () => {
    t.host.load.limit = 3;
    // Only the budget refuses here, however long the held posts wait.
    t.host.load.maxWriteWaitMs = Infinity;
    const { held, release } = holdWrites();
    try {
      const accepted = ["a-1", "a-2", "a-3"].map(post);
      await inFlight(3);
      const before = { ...t.host.load.refusedBy };
      const refused = await post("r-1");
      expect(refused.status).to.equal(503);
      expect(t.host.load.refusedBy.inFlight - before.inFlight).to.equal(1);
      expect(refused.headers["retry-after"]).to.equal("1");
      expect(refused.body.error).to.equal("The server is busy: please try again in a moment.");
      release();
      await held;
      expect((await Promise.all(accepted)).map((r) => r.status)).to.deep.equal([201, 201, 201]);
    } finally {
      release();
      t.host.load.limit = 256;
      t.host.load.maxWriteWaitMs = writeWaitBound;
    }
    const messages = t.host.db.getRepository(Message);
    expect(await messages.countBy({ conversationId: visitor.id, clientMessageId: "r-1" })).to.equal(0);

    // The widget sends the refused message again with the same client id: stored once, however often it retries.
    const retried = await post("r-1");
    expect(retried.status).to.equal(201);
    const again = await post("r-1");
    expect(again.status).to.equal(200);
    expect(again.body.message.id).to.equal(retried.body.message.id);
    expect(await messages.countBy({ conversationId: visitor.id, clientMessageId: "r-1" })).to.equal(1);
    expect(t.host.load.current).to.equal(0);
  });

  it("lets a page on another site read a refusal of the visitor API (CORS and Retry-After), and never refuses its preflight", async () => {
    t.host.load.limit = 1;
    t.host.load.maxWriteWaitMs = Infinity;
    const { held, release } = holdWrites();
    try {
      const accepted = post("cors-1");
      await inFlight(1);
      const refused = await asVisitor(t, visitor).get(`/livechat/conversations/${visitor.id}/messages`).set("Origin", "https://shop.example");
      expect(refused.status).to.equal(503);
      expect(refused.headers["access-control-allow-origin"]).to.equal("*");
      expect(refused.headers["access-control-expose-headers"]).to.match(/Retry-After/i);
      expect(refused.headers["retry-after"]).to.equal("1");
      const preflight = await request(t.url)
        .options(`/livechat/conversations/${visitor.id}/messages`)
        .set("Origin", "https://shop.example")
        .set("Access-Control-Request-Method", "GET")
        .set("Access-Control-Request-Headers", "authorization");
      expect(preflight.status).to.equal(204);
      expect(preflight.headers["access-control-allow-origin"]).to.equal("*");
      release();
      await held;
      expect((await accepted).status).to.equal(201);
    } finally {
      release();
      t.host.load.limit = 256;
      t.host.load.maxWriteWaitMs = writeWaitBound;
    }
  });

  it("refuses with 503 while the event loop lags past its bound with many requests in progress, never for a few", async () => {
    const lag = t.host.load.lag;
    t.host.load.lag = { ms: 10 * t.host.load.maxLagMs };
    t.host.load.maxWriteWaitMs = Infinity;
    const { held, release } = holdWrites();
    try {
      // A lagging loop with few requests in progress is a busy machine, not an overloaded server.
      const accepted = Array.from({ length: 16 }, (_, i) => post(`lag-${i}`));
      await inFlight(16);
      const before = { ...t.host.load.refusedBy };
      const refused = await post("lag-refused");
      expect(refused.status).to.equal(503);
      expect(t.host.load.refusedBy.lag - before.lag).to.equal(1);
      expect(refused.headers["retry-after"]).to.equal("1");
      release();
      await held;
      expect((await Promise.all(accepted)).every((r) => r.status === 201)).to.equal(true);
    } finally {
      release();
      t.host.load.lag = lag;
      t.host.load.maxWriteWaitMs = writeWaitBound;
    }
    expect(await t.host.db.getRepository(Message).countBy({ conversationId: visitor.id, clientMessageId: "lag-refused" })).to.equal(0);
    expect((await post("lag-refused")).status).to.equal(201);
  });

  it("refuses with 503 once messages have waited past their bound for their turn to be written with many in progress, never for a few", async () => {
    const { held, release } = holdWrites();
    try {
      t.host.load.maxWriteWaitMs = 0;
      const first = post("wait-0");
      while (t.host.load.writeWait.ms <= 0) await new Promise((resolve) => setImmediate(resolve));
      // A long wait with few messages in progress is a slow database for a moment, not an overloaded server.
      const accepted = [first, ...Array.from({ length: 15 }, (_, i) => post(`wait-${i + 1}`))];
      await inFlight(16);
      const before = t.host.load.refusedBy.writeWait;
      const refused = await post("wait-refused");
      expect(refused.status).to.equal(503);
      expect(t.host.load.refusedBy.writeWait - before).to.equal(1);
      expect(refused.headers["retry-after"]).to.equal("1");
      release();
      await held;
      expect((await Promise.all(accepted)).every((r) => r.status === 201)).to.equal(true);
    } finally {
      release();
      t.host.load.maxWriteWaitMs = writeWaitBound;
    }
    expect(await t.host.db.getRepository(Message).countBy({ conversationId: visitor.id, clientMessageId: "wait-refused" })).to.equal(0);
    expect((await post("wait-refused")).status).to.equal(201);
  });
});
