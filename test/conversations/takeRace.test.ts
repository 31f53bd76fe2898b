import { expect } from "chai";
import request from "supertest";
import { TestClock } from "../../host/clock";
import { PresenceRecord } from "../../host/models/PresenceRecord";
import { PRESENCE_TAB_GRACE_MS } from "../../host/presence/HostPresence";
import { ChatWindow } from "../../module/models/ChatWindow";
import { Conversation } from "../../module/models/Conversation";
import { connectBus } from "../support/busClient";
import { skipUnlessPostgres } from "../support/postgres";
import { startTwoInstances, type TestHost, type TestSession, type TwoInstances } from "../support/testHost";
import { channelWithOperators, startVisitor } from "./helpers";

describe("Take from the Waiting list, and presence, on two instances sharing one PostgreSQL database", function () {
  this.timeout(60_000);
  let two: TwoInstances | null = null;
  let a: TestHost;
  let b: TestHost;
  const clock = new TestClock();

  before(async function () {
    await skipUnlessPostgres(this);
    two = await startTwoInstances({ clock });
    ({ a, b } = two);
  });
  after(async () => {
    await two?.stop();
  });

  /** A take sent to `host` with a session opened on instance A. */
  const take = (host: TestHost, s: TestSession, id: number) =>
    request(host.url).post(`/livechat/api/conversations/${id}/take`).set("Cookie", s.cookie).set("x-csrf-token", s.csrf).set("Accept", "application/json").send({});

  it("gives a waiting visitor to exactly one of two operators who click Take at once on different instances", async () => {
    // Nobody has logged in yet: the visitors wait.
    const { channel } = await channelWithOperators(a, "Race", ["racer1", "racer2"], null);
    const visitors = [await startVisitor(a, channel.id), await startVisitor(a, channel.id), await startVisitor(a, channel.id)];
    expect(visitors.map((v) => v.body.conversation.state)).to.deep.equal(["waiting", "waiting", "waiting"]);
    const [one, two] = [await a.login("racer1"), await a.login("racer2")];
    for (const [round, v] of visitors.entries()) {
      const answers = await Promise.all([take(a, one, v.id), take(b, two, v.id), take(b, one, v.id), take(a, two, v.id)]);
      const won = answers.filter((r) => r.status === 200);
      expect(won, `round ${round}: ${answers.map((r) => r.status).join(",")}`).to.have.length(1);
      for (const r of answers.filter((x) => x.status !== 200)) expect([404, 409]).to.include(r.status);
      const stored = await a.host.db.getRepository(Conversation).findOneByOrFail({ id: v.id });
      expect(stored.state).to.equal("open");
      expect(won[0].body.conversation.operatorId).to.equal(stored.operatorId);
      // One window, the winner's.
      const windows = await a.host.db.getRepository(ChatWindow).findBy({ conversationId: v.id });
      expect(windows.map((w) => w.userId)).to.deep.equal([stored.operatorId]);
    }
  });

  it("never lets one operator pass the channel's limit by taking two visitors at once on different instances", async () => {
    const { channel, operators } = await channelWithOperators(a, "Race limit", ["racer3"], 1);
    const first = await startVisitor(a, channel.id);
    const second = await startVisitor(a, channel.id);
    const s = await a.login("racer3");
    const answers = await Promise.all([take(a, s, first.id), take(b, s, second.id)]);
    expect(answers.map((r) => r.status).sort()).to.deep.equal([200, 409]);
    const refused = answers.find((r) => r.status === 409);
    expect(refused?.body.error).to.contain("limit of Race limit");
    const open = await a.host.db.getRepository(Conversation).countBy({ channelId: channel.id, operatorId: operators[0].id, state: "open" });
    expect(open).to.equal(1);
    expect(await a.host.db.getRepository(Conversation).countBy({ channelId: channel.id, state: "waiting" })).to.equal(1);
  });

  it("keeps an operator available while a tab of his stays open on the other instance", async () => {
    const { channel, operators } = await channelWithOperators(a, "Two instances", ["racer4"], null);
    const s = await a.login("racer4");
    const onA = await connectBus(a.url, { cookie: s.cookie });
    const onB = await connectBus(b.url, { cookie: s.cookie });
    try {
      await tabsCounted(operators[0].id, 2);
      await onB.close();
      await tabsCounted(operators[0].id, 1);
      clock.advance(PRESENCE_TAB_GRACE_MS * 3);
      expect((await startVisitor(b, channel.id)).body.conversation.state).to.equal("open");
      await onA.close();
      await tabsCounted(operators[0].id, 0);
      clock.advance(PRESENCE_TAB_GRACE_MS + 1000);
      expect((await startVisitor(a, channel.id)).body.conversation.state).to.equal("waiting");
    } finally {
      await onA.close();
      await onB.close();
    }
  });

  /** Waits until presence counted the user's open tabs on both instances. */
  async function tabsCounted(userId: number, count: number): Promise<void> {
    for (;;) {
      const row = await a.host.db.getRepository(PresenceRecord).findOneBy({ userId });
      if ((row?.openTabs ?? 0) === count) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
});
