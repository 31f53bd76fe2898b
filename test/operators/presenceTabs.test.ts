import { expect } from "chai";
import request from "supertest";
import type { HostUser } from "../../host/contract";
import { PresenceRecord } from "../../host/models/PresenceRecord";
import { PRESENCE_TAB_GRACE_MS } from "../../host/presence/HostPresence";
import { ASSIGN_WAITING_JOB } from "../../module/conversations";
import { Conversation } from "../../module/models/Conversation";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { channelWithOperators, online, startVisitor } from "../conversations/helpers";
import { freshPostgresUrl, skipUnlessPostgres } from "../support/postgres";
import { connectBus, type TestBusClient } from "../support/busClient";
import { startTestHost, tempSqliteUrl, type TestHost, type TestSession } from "../support/testHost";

describe("Presence follows the operator's open tabs", () => {
  let t: TestHost;
  const sockets: TestBusClient[] = [];
  before(async () => {
    t = await startTestHost();
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) await s.close();
  });
  after(async () => {
    await t?.stop();
  });

  /** Waits (without a deadline of its own) until presence has counted the user's open tabs. */
  async function tabsCounted(user: HostUser, count: number): Promise<void> {
    for (;;) {
      const row = await t.host.db.getRepository(PresenceRecord).findOneBy({ userId: user.id });
      if ((row?.openTabs ?? 0) === count) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  async function openTab(session: TestSession): Promise<TestBusClient> {
    const socket = await connectBus(t.url, { cookie: session.cookie });
    sockets.push(socket);
    return socket;
  }
  const available = async (channel: LivechatChannel) => (await request(t.url).get(`/livechat/channels/${channel.id}/info`)).body.available as boolean;

  it("gives no new visitor to an operator once his last tab is closed past a short grace, and a reload within it keeps him", async () => {
    const { channel, operators } = await channelWithOperators(t, "Tabs", ["tabby"], null);
    const [tabby] = operators;
    const session = await t.login("tabby");
    await online(t, tabby);
    const first = await openTab(session);
    await tabsCounted(tabby, 1);
    expect((await startVisitor(t, channel.id)).body.conversation.state).to.equal("open");

    // A reload: the tab's socket closes and a new one opens a few seconds later.
    await first.close();
    await tabsCounted(tabby, 0);
    t.clock.advance(PRESENCE_TAB_GRACE_MS / 4);
    const reloaded = await openTab(session);
    await tabsCounted(tabby, 1);
    t.clock.advance(PRESENCE_TAB_GRACE_MS);
    expect(await available(channel)).to.equal(true);
    expect((await startVisitor(t, channel.id)).body.conversation.state).to.equal("open");

    // He closes the tab: for a moment he may still come back; then visitors wait instead.
    await reloaded.close();
    await tabsCounted(tabby, 0);
    t.clock.advance(PRESENCE_TAB_GRACE_MS / 2);
    expect(await available(channel)).to.equal(true);
    t.clock.advance(PRESENCE_TAB_GRACE_MS);
    expect(await available(channel)).to.equal(false);
    const waiting = await startVisitor(t, channel.id);
    expect(waiting.body.conversation.state).to.equal("waiting");
    expect((await t.host.presence.get(tabby.id)).status).to.equal("offline");

    // Back with a new tab: online again, and the waiting visitor is his.
    await openTab(session);
    await tabsCounted(tabby, 1);
    expect((await t.host.presence.get(tabby.id)).status).to.equal("online");
    await t.host.scheduler.runNow(ASSIGN_WAITING_JOB);
    const taken = await t.host.db.getRepository(Conversation).findOneByOrFail({ id: waiting.id });
    expect([taken.state, taken.operatorId]).to.deep.equal(["open", tabby.id]);
  });

  it("keeps an operator with two tabs available when he closes one of them", async () => {
    const { channel, operators } = await channelWithOperators(t, "Two tabs", ["twotabs"], null);
    const [op] = operators;
    const session = await t.login("twotabs");
    await online(t, op);
    const one = await openTab(session);
    await openTab(session);
    await tabsCounted(op, 2);
    await one.close();
    await tabsCounted(op, 1);
    t.clock.advance(PRESENCE_TAB_GRACE_MS * 3);
    expect(await available(channel)).to.equal(true);
    expect((await startVisitor(t, channel.id)).body.conversation.state).to.equal("open");
  });
});

describe("Presence when an instance shuts down", () => {
  /** Operators with many tabs each, some of which do not answer the server's goodbye (frozen tabs). */
  async function tabsClosedOnStop(databaseUrl: string): Promise<void> {
    const first = await startTestHost({ databaseUrl });
    const logins = ["admin", "mitchell", "marc", "sofia"];
    const users = (await first.host.users.list()).filter((user) => logins.includes(user.login));
    const sockets: TestBusClient[] = [];
    for (const login of logins) {
      const session = await first.login(login);
      for (let i = 0; i < 20; i++) sockets.push(await connectBus(first.url, { cookie: session.cookie }));
    }
    const tabs = async (host: TestHost) => {
      const rows = await host.host.db.getRepository(PresenceRecord).findBy(users.map((user) => ({ userId: user.id })));
      return rows.map((row) => row.openTabs);
    };
    while ((await tabs(first)).join() !== "20,20,20,20") await new Promise((resolve) => setTimeout(resolve, 10));
    sockets.forEach((socket, i) => i % 2 === 0 && socket.pause());
    await first.stop();
    for (const socket of sockets) await socket.close();

    const second = await startTestHost({ databaseUrl, demo: false });
    try {
      expect(await tabs(second)).to.deep.equal([0, 0, 0, 0]);
    } finally {
      await second.stop();
    }
  }

  it("counts the tabs open on a stopping instance as closed, so their operators go offline (SQLite)", async () => {
    await tabsClosedOnStop(tempSqliteUrl());
  });

  it("counts the tabs open on a stopping instance as closed, so their operators go offline (PostgreSQL)", async function () {
    await skipUnlessPostgres(this);
    const pg = await freshPostgresUrl("t_tabs_stop");
    try {
      await tabsClosedOnStop(pg.url);
    } finally {
      await pg.drop();
    }
  });
});
