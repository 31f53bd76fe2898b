import { expect } from "chai";
import { In } from "typeorm";
import { busAddress, ConflictError, type BusNotification, type HostContract } from "../../host/contract";
import { Setting } from "../../host/models/Setting";
import { sqliteTransactionsOf } from "../../host/sqliteTransactions";
import { Conversation } from "../../module/models/Conversation";
import { Message } from "../../module/models/Message";
import { ChatbotScripts } from "../../module/services/chatbot/ChatbotScripts";
import { ConversationMessages } from "../../module/services/conversations/ConversationMessages";
import { ConversationNotifier } from "../../module/services/conversations/ConversationNotifier";
import { VISITOR_SEEN_EVERY_MS, VisitorAccess } from "../../module/services/conversations/VisitorAccess";
import { VisitorMessages } from "../../module/services/conversations/VisitorMessages";
import { OperatorProfiles } from "../../module/services/OperatorProfiles";
import { skipUnlessPostgres } from "../support/postgres";
import { hostForSuite, startTestHost, type TestHost } from "../support/testHost";
import { asVisitor, channelWithOperators, online, startVisitor, type Visitor } from "./helpers";

/** The visitor's message path over the module's contract, as the module builds it. */
function visitorPath(host: HostContract): { access: VisitorAccess; posts: VisitorMessages } {
  const profiles = new OperatorProfiles(host);
  const access = new VisitorAccess(host);
  const messages = new ConversationMessages(host, profiles, new ChatbotScripts(host), access, new ConversationNotifier(host, profiles));
  return { access, posts: new VisitorMessages(host, access, messages) };
}

describe("Group commit (SQLite): writes arriving together share one transaction", () => {
  let t: TestHost;
  let transactions = 0;
  before(async () => {
    t = await startTestHost();
    // A group's transaction settles at its commit (it waits for the log's flush itself).
    const sqlite = sqliteTransactionsOf(t.host.db);
    const original = sqlite.committed.bind(sqlite);
    sqlite.committed = (work) => {
      transactions++;
      return original(work);
    };
  });
  after(async () => {
    await t?.stop();
  });

  const setting = (key: string) => t.host.db.getRepository(Setting).findOneBy({ key });
  const put = (key: string) => `INSERT INTO host_setting (key, value) VALUES ('${key}', 'x')`;
  const collect = () => {
    const seen: BusNotification[] = [];
    const stop = t.host.bus.onNotification((n) => {
      if (n.channel.startsWith("test.group")) seen.push(n);
    });
    return { seen, stop };
  };

  it("runs them in the order they came, in one transaction, each settled after the commit and its notifications delivered then", async () => {
    const { seen, stop } = collect();
    const before = transactions;
    const order: number[] = [];
    const writes = [1, 2, 3].map((i) =>
      t.host.contract.writes.run(async (tx) => {
        await tx.query(put(`group.a${i}`));
        await tx.publish([{ channel: `test.group:${i}`, type: "test", payload: { i } }]);
        // Nothing is delivered before the commit.
        expect(seen).to.have.length(0);
        order.push(i);
        return i;
      }),
    );
    expect(await Promise.all(writes)).to.deep.equal([1, 2, 3]);
    stop();
    expect(transactions - before).to.equal(1);
    expect(order).to.deep.equal([1, 2, 3]);
    for (const i of [1, 2, 3]) expect(await setting(`group.a${i}`)).to.not.equal(null);
    expect(seen.map((n) => n.payload)).to.deep.equal([{ i: 1 }, { i: 2 }, { i: 3 }]);
    expect(seen.map((n) => n.id)).to.deep.equal([...seen.map((n) => n.id)].sort((a, b) => a - b));
  });

  it("splits a crowd of writes into groups of a bounded size, still in the order they came, letting other work run between them", async () => {
    const before = transactions;
    const order: number[] = [];
    let between = 0;
    let lastSeenBetween = -1;
    const writes = Array.from({ length: 150 }, (_, i) =>
      t.host.contract.writes.run(async (tx) => {
        await tx.query(put(`group.crowd${i}`));
        order.push(i);
        // Work queued behind the groups gets its turn before the last group runs.
        if (i === 149) lastSeenBetween = between;
      }),
    );
    setImmediate(function tick() {
      between++;
      if (between < 1000) setImmediate(tick);
    });
    await Promise.all(writes);
    expect(order).to.deep.equal(Array.from({ length: 150 }, (_, i) => i));
    // Groups of 24 on SQLite.
    expect(transactions - before).to.equal(7);
    expect(lastSeenBetween).to.be.greaterThan(0);
  });

  it("expects a write arriving behind several full groups to wait for each of them, not only as long as the oldest waiting one has", async () => {
    const started = performance.now();
    const order: number[] = [];
    const writes = Array.from({ length: 500 }, (_, i) =>
      t.host.contract.writes.run(async (tx) => {
        await tx.query(put(`group.queue${i}`));
        await new Promise((resolve) => setTimeout(resolve, 1));
        order.push(i);
      }),
    );
    // The third group (of 24 on SQLite) has begun: 452 writes wait, 18 full groups of them, a group taking 24 ms or more.
    while (order.length <= 2 * 24) await new Promise((resolve) => setImmediate(resolve));
    const oldestWaited = performance.now() - started;
    expect(t.host.load.writeWait.ms).to.be.greaterThan(oldestWaited + 50);
    await Promise.all(writes);
    expect(t.host.load.writeWait.ms).to.equal(0);
  });

  it("rolls back a write that throws, alone: the others are stored and told, it is refused with its own error", async () => {
    const { seen, stop } = collect();
    const refused = new Error("refused");
    const [first, bad, last] = await Promise.allSettled(
      ["b1", "b2", "b3"].map((key) =>
        t.host.contract.writes.run(async (tx) => {
          await tx.query(put(`group.${key}`));
          await tx.publish([{ channel: `test.group:${key}`, type: "test", payload: { key } }]);
          if (key === "b2") throw refused;
          return key;
        }),
      ),
    );
    stop();
    expect(first).to.deep.equal({ status: "fulfilled", value: "b1" });
    expect(bad).to.deep.equal({ status: "rejected", reason: refused });
    expect(last).to.deep.equal({ status: "fulfilled", value: "b3" });
    expect(await setting("group.b1")).to.not.equal(null);
    expect(await setting("group.b2")).to.equal(null);
    expect(await setting("group.b3")).to.not.equal(null);
    expect(seen.map((n) => n.payload)).to.deep.equal([{ key: "b1" }, { key: "b3" }]);
  });

  it("refuses every write of a group whose commit fails, and tells nothing", async () => {
    const { seen, stop } = collect();
    const results = await Promise.allSettled([
      t.host.contract.writes.run(async (tx) => {
        await tx.query(put("group.c1"));
        await tx.publish([{ channel: "test.group:c1", type: "test", payload: {} }]);
      }),
      t.host.contract.writes.run(async (tx) => {
        // A foreign key checked at COMMIT only: the commit of the whole group fails.
        await tx.query("PRAGMA defer_foreign_keys = ON");
        await tx.query("INSERT INTO livechat_message (conversation_id, author_kind, body, created_at) VALUES (987654, 'visitor', 'x', '2020-01-01 00:00:00.000')");
      }),
    ]);
    stop();
    expect(results.map((r) => r.status)).to.deep.equal(["rejected", "rejected"]);
    expect(await setting("group.c1")).to.equal(null);
    expect(await t.host.db.getRepository(Message).countBy({ conversationId: 987654 })).to.equal(0);
    expect(seen).to.have.length(0);
    // The next group works.
    await t.host.contract.writes.run((tx) => tx.query(put("group.c2")));
    expect(await setting("group.c2")).to.not.equal(null);
  });
});

describe("Group commit (PostgreSQL): a window for writes that come often", () => {
  const WINDOW_MS = 150;
  let t: TestHost;
  before(async function () {
    await skipUnlessPostgres(this);
    t = await startTestHost({ database: "postgres", groupWindowMs: WINDOW_MS });
  });
  after(async () => {
    await t?.stop();
  });

  /** The transaction a grouped write ran in. */
  const transactionOf = () => t.host.contract.writes.run(async (tx) => String((await tx.query("SELECT txid_current() AS tx"))[0].tx));
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** Two writes, the second sent 20 ms after the first: the transactions they ran in. */
  const twoApart = async () => {
    const first = transactionOf();
    await pause(20);
    return Promise.all([first, transactionOf()]);
  };

  it("lets a write that comes soon after another share its transaction while writes come often", async () => {
    await transactionOf();
    const [a, b] = await twoApart();
    expect(b).to.equal(a);
  });

  it("commits a write waiting out its window when the host stops, before letting its connection go", async () => {
    const other = await startTestHost({ database: "postgres", groupWindowMs: WINDOW_MS, demo: false });
    const write = () => other.host.contract.writes.run(async (tx) => String((await tx.query("SELECT txid_current() AS tx"))[0].tx));
    await write();
    const waiting = write();
    await other.stop();
    expect(await waiting).to.match(/^\d+$/);
  });

  it("sends a write that comes after a quiet moment at once: one sent just after it waits for the next group", async () => {
    await transactionOf();
    await pause(3 * WINDOW_MS);
    const [a, b] = await twoApart();
    expect(b).to.not.equal(a);
  });
});

for (const database of ["sqlite", "postgres"] as const) {
  describe(`Visitor messages posted together (${database})`, () => {
    let t: TestHost;
    let channelId: number;
    let operatorId: number;
    hostForSuite(database, async (host) => {
      t = host;
      const { channel, operators } = await channelWithOperators(t, `Group ${database}`, ["mitchell"], null);
      await online(t, ...operators);
      channelId = channel.id;
      operatorId = operators[0].id;
    });

    /** The payloads of notifications on channels starting with `prefix`, and when two have come. */
    const twoPayloadsOn = (prefix: string) => {
      const told: unknown[] = [];
      let allTold: () => void = () => undefined;
      const bothTold = new Promise<void>((resolve) => (allTold = resolve));
      const stop = t.host.bus.onNotification((n) => {
        if (n.channel.startsWith(prefix)) told.push(n.payload);
        if (told.length === 2) allTold();
      });
      return { told, bothTold, stop };
    };
    const messagesOf = (conversationId: number) => t.host.db.getRepository(Message).find({ where: { conversationId }, order: { id: "ASC" } });

    it("stores each once, in the order posted per conversation, and tells the operator in that order", async () => {
      const { access, posts } = visitorPath(t.host.moduleContract("livechat"));
      const visitors: Visitor[] = [];
      for (let i = 0; i < 3; i++) visitors.push(await startVisitor(t, channelId));
      const known = await Promise.all(visitors.map((v) => access.forPost(v.id, v.token)));
      const told: string[] = [];
      let allTold: () => void = () => undefined;
      const everyoneTold = new Promise<void>((resolve) => (allTold = resolve));
      const stop = t.host.bus.onNotification((n) => {
        if (n.channel === busAddress.user(operatorId) && n.type === "livechat.message") told.push((n.payload as { message: { body: string } }).message.body);
        if (told.length === 30) allTold();
      });
      const sent: Promise<unknown>[] = [];
      for (let i = 0; i < 10; i++) for (const v of known) sent.push(posts.post(v, `m${i} for ${v.id}`, `c${i}`));
      // The same client message id twice at once: one message, both answered with it.
      sent.push(posts.post(known[0], "m0 again", "c0"));
      const results = (await Promise.all(sent)) as { message: { id: number; body: string }; created: boolean }[];
      // On PostgreSQL, delivery follows the commit through LISTEN.
      await everyoneTold;
      stop();
      for (const v of visitors) {
        const stored = await messagesOf(v.id);
        expect(stored.filter((m) => m.authorKind === "visitor").map((m) => m.body)).to.deep.equal(Array.from({ length: 10 }, (_, i) => `m${i} for ${v.id}`));
        const toOperator = told.filter((body) => body.endsWith(` for ${v.id}`));
        expect(toOperator).to.deep.equal(Array.from({ length: 10 }, (_, i) => `m${i} for ${v.id}`));
      }
      const again = results[results.length - 1];
      expect(again.created).to.equal(false);
      expect(again.message).to.deep.equal(results[0].message);
    });

    it("refuses a write whose statement fails, alone: the others sent with it are stored and told, its notification never", async () => {
      await t.host.db.getRepository(Setting).insert({ key: "group.taken", value: "x" });
      const { told, bothTold, stop } = twoPayloadsOn("test.group");
      const results = await Promise.allSettled(
        ["d1", "taken", "d3"].map((key) =>
          t.host.contract.writes.run(async (tx) => {
            await tx.publish([{ channel: `test.group:${key}`, type: "test", payload: { key } }]);
            // "group.taken" exists: this insert breaks the key's uniqueness.
            await tx.query("INSERT INTO host_setting (key, value) VALUES ($1, 'x')", [`group.${key}`]);
            return key;
          }),
        ),
      );
      await bothTold;
      stop();
      expect(results.map((r) => r.status)).to.deep.equal(["fulfilled", "rejected", "fulfilled"]);
      const keys = await t.host.db.getRepository(Setting).find({ where: { key: In(["group.d1", "group.taken", "group.d3"]) }, order: { key: "ASC" } });
      expect(keys.map((k) => k.key)).to.deep.equal(["group.d1", "group.d3", "group.taken"]);
      expect(told).to.deep.equal([{ key: "d1" }, { key: "d3" }]);
    });

    it("counts a statement its write left unawaited: when it fails, that write is refused alone and nothing of it stays", async () => {
      await t.host.db.getRepository(Setting).insert({ key: "group.late-taken", value: "x" });
      const { told, bothTold, stop } = twoPayloadsOn("test.late");
      const results = await Promise.allSettled(
        ["e1", "late-taken", "e3"].map((key) =>
          t.host.contract.writes.run(async (tx) => {
            await tx.query("INSERT INTO host_setting (key, value) VALUES ($1, 'x')", [`group.${key}-first`]);
            // Neither is awaited: "group.late-taken" exists, so this insert fails after the work returned.
            void tx.publish([{ channel: `test.late:${key}`, type: "test", payload: { key } }]);
            void tx.query("INSERT INTO host_setting (key, value) VALUES ($1, 'x')", [`group.${key}`]);
            return key;
          }),
        ),
      );
      await bothTold;
      stop();
      expect(results.map((r) => r.status)).to.deep.equal(["fulfilled", "rejected", "fulfilled"]);
      const keys = await t.host.db.getRepository(Setting).find({ where: { key: In(["group.e1", "group.e1-first", "group.late-taken-first", "group.e3", "group.e3-first"]) }, order: { key: "ASC" } });
      expect(keys.map((k) => k.key)).to.deep.equal(["group.e1", "group.e1-first", "group.e3", "group.e3-first"]);
      expect(told).to.deep.equal([{ key: "e1" }, { key: "e3" }]);
    });

    it("refuses a parameter the database cannot bind before anything of its write is sent", async () => {
      const results = await Promise.allSettled(
        [{ nested: true }, "fine"].map((value, i) =>
          t.host.contract.writes.run(async (tx) => {
            void tx.query("INSERT INTO host_setting (key, value) VALUES ($1, 'x')", [`group.bind${i}`]);
            void tx.query("UPDATE host_setting SET value = $1 WHERE key = $2", [value, `group.bind${i}`]);
            return i;
          }),
        ),
      );
      expect(results.map((r) => r.status)).to.deep.equal(["rejected", "fulfilled"]);
      expect(String((results[0] as PromiseRejectedResult).reason)).to.contain("parameter $1 must be");
      const keys = await t.host.db.getRepository(Setting).find({ where: { key: In(["group.bind0", "group.bind1"]) } });
      expect(keys.map((k) => [k.key, k.value])).to.deep.equal([["group.bind1", "fine"]]);
    });

    it("moves the conversation's last activity with each post, and the visitor's last visit once it is older than 15 s", async () => {
      const visitor = await startVisitor(t, channelId);
      const conversation = () => t.host.db.getRepository(Conversation).findOneByOrFail({ id: visitor.id });
      const seenAtStart = (await conversation()).lastVisitorSeenAt.getTime();
      const say = async (body: string) => expect((await asVisitor(t, visitor).post(`/livechat/conversations/${visitor.id}/messages`, { body })).status).to.equal(201);
      t.clock.advance(5_000);
      await say("soon after");
      expect((await conversation()).lastActivityAt.getTime()).to.equal(t.clock.now().getTime());
      expect((await conversation()).lastVisitorSeenAt.getTime()).to.equal(seenAtStart);
      t.clock.advance(VISITOR_SEEN_EVERY_MS);
      await say("a while later");
      expect((await conversation()).lastActivityAt.getTime()).to.equal(t.clock.now().getTime());
      expect((await conversation()).lastVisitorSeenAt.getTime()).to.equal(t.clock.now().getTime());
      // A message stored before (same client message id) moves nothing.
      const again = { body: "once", clientMessageId: "seen-once" };
      expect((await asVisitor(t, visitor).post(`/livechat/conversations/${visitor.id}/messages`, again)).status).to.equal(201);
      const stored = (await conversation()).lastActivityAt.getTime();
      t.clock.advance(1_000);
      await asVisitor(t, visitor).post(`/livechat/conversations/${visitor.id}/messages`, again);
      expect((await conversation()).lastActivityAt.getTime()).to.equal(stored);
    });

    it("refuses a post to an ended conversation without harming the others posted with it", async () => {
      const { access, posts } = visitorPath(t.host.moduleContract("livechat"));
      const open = await startVisitor(t, channelId);
      const ended = await startVisitor(t, channelId);
      const [a, b] = [await access.forPost(open.id, open.token), await access.forPost(ended.id, ended.token)];
      expect((await asVisitor(t, ended).post(`/livechat/conversations/${ended.id}/end`)).status).to.equal(200);
      const results = await Promise.allSettled([posts.post(a, "before", "x1"), posts.post(b, "refused", "x2"), posts.post(a, "after", "x3")]);
      expect(results.map((r) => r.status)).to.deep.equal(["fulfilled", "rejected", "fulfilled"]);
      expect((results[1] as PromiseRejectedResult).reason).to.be.instanceOf(ConflictError);
      expect((await messagesOf(open.id)).filter((m) => m.authorKind === "visitor").map((m) => m.body)).to.deep.equal(["before", "after"]);
      expect((await messagesOf(ended.id)).some((m) => m.body === "refused")).to.equal(false);
    });
  });
}
