import { expect } from "chai";
import request from "supertest";
import type { Logger as TypeormLogger } from "typeorm";
import { BusNotificationRecord } from "../../host/models/BusNotificationRecord";
import { Conversation } from "../../module/models/Conversation";
import { hashVisitorToken, newVisitorToken } from "../../module/services/conversations/visitorToken";
import { hostForSuite, type TestHost } from "../support/testHost";
import { connectBus } from "../support/busClient";
import { ChatbotScripts } from "../../module/services/chatbot/ChatbotScripts";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { asVisitor, channelWithOperators, online, startVisitor } from "./helpers";

/** Counts the SQL statements run while `work` runs. */
async function countQueries(t: TestHost, work: () => Promise<unknown>): Promise<number> {
  const logger: TypeormLogger = t.host.db.logger;
  const original = logger.logQuery.bind(logger);
  let count = 0;
  logger.logQuery = (query, parameters, runner) => {
    count++;
    return original(query, parameters, runner);
  };
  try {
    await work();
  } finally {
    logger.logQuery = original;
  }
  return count;
}

/** `count` visitors waiting in the channel's queue, stored at once (the API would take as long as the test). */
async function waitingVisitors(t: TestHost, channelId: number, count: number): Promise<{ id: number; token: string }[]> {
  const now = t.clock.now();
  const tokens = Array.from({ length: count }, () => newVisitorToken());
  const repo = t.host.db.getRepository(Conversation);
  const saved: { id: number; token: string }[] = [];
  await t.host.db.transaction(async (m) => {
    for (const [i, token] of tokens.entries()) {
      const row = await m.getRepository(Conversation).save({
        channelId,
        visitorKey: `queue-probe-${i}`,
        visitorName: `Visitor ${i}`,
        visitorLang: null,
        visitorTokenHash: hashVisitorToken(token),
        operatorId: null,
        state: "waiting" as const,
        assignmentTier: null,
        createdAt: now,
        assignedAt: null,
        closedAt: null,
        closedReason: null,
        lastActivityAt: now,
        lastVisitorSeenAt: now,
      });
      saved.push({ id: row.id, token });
    }
  });
  expect(await repo.countBy({ channelId, state: "waiting" })).to.equal(count);
  return saved;
}

for (const database of ["sqlite", "postgres"] as const) {
  describe(`The waiting queue at scale (${database})`, () => {
    let t: TestHost;
    hostForSuite(database, (host) => {
      t = host;
    });

    it("closes 1,000 abandoned waiting conversations with a few bus rows each, and the channel info costs the same queries as with an empty queue", async function () {
      this.timeout(600_000);
      const { channel } = await channelWithOperators(t, "Crowded", [], null);
      const { channel: empty } = await channelWithOperators(t, "Quiet", [], null);
      await waitingVisitors(t, channel.id, 1000);

      const infoQueries = async (channelId: number) => {
        let status = 0;
        const queries = await countQueries(t, async () => {
          status = (await request(t.url).get(`/livechat/channels/${channelId}/info`)).status;
        });
        expect(status).to.equal(200);
        return queries;
      };
      const quiet = await infoQueries(empty.id);
      expect(await infoQueries(channel.id)).to.be.at.most(quiet);

      const bus = t.host.db.getRepository(BusNotificationRecord);
      const rowsBefore = await bus.count();
      t.clock.advance(16 * 60_000);
      const jobQueries = await countQueries(t, () => t.host.scheduler.runNow("livechat.close_abandoned_conversations"));
      const written = (await bus.count()) - rowsBefore;
      expect(await t.host.db.getRepository(Conversation).countBy({ channelId: channel.id, state: "waiting" })).to.equal(0);
      expect(written).to.be.at.most(3000);
      expect(jobQueries).to.be.at.most(10_000);
      expect(await infoQueries(channel.id)).to.be.at.most(quiet);
    });

    it("lets a waiting visitor's socket hear its own channel's queue, nothing of another channel's, and no longer once served", async () => {
      const { channel, operators } = await channelWithOperators(t, "Heard", ["heard1"], 1);
      const { channel: other } = await channelWithOperators(t, "Elsewhere", [], null);
      const first = await startVisitor(t, channel.id);
      const waiting = await startVisitor(t, channel.id);
      const otherFirst = await startVisitor(t, other.id);
      await startVisitor(t, other.id);
      const bus = await connectBus(t.url, { token: waiting.token });
      try {
        await asVisitor(t, otherFirst).post(`/livechat/conversations/${otherFirst.id}/end`);
        await asVisitor(t, first).post(`/livechat/conversations/${first.id}/end`);
        const change = await bus.next((n) => n.type === "livechat.queue");
        expect(change.payload).to.include({ channelId: channel.id });
        // The operator comes: the visitor is served, and told so on its own address.
        await online(t, ...operators);
        await t.host.scheduler.runNow("livechat.assign_waiting");
        await bus.next((n) => n.type === "livechat.conversation" && (n.payload as { conversation: { state: string } }).conversation.state === "open");
        await bus.next((n) => n.type === "livechat.queue" && (n.payload as { left: number[] }).left.includes(waiting.id));
        expect(bus.notifications.filter((n) => n.type === "livechat.queue").map((n) => (n.payload as { channelId: number }).channelId)).to.deep.equal([channel.id, channel.id]);
      } finally {
        bus.close();
      }
      // A socket opened once served listens to its conversation only.
      const later = await connectBus(t.url, { token: waiting.token, last: 0 });
      try {
        expect(later.notifications).not.to.deep.equal([]);
        expect([...new Set(later.notifications.map((n) => n.channel))]).to.deep.equal([`livechat.conversation:${waiting.id}`]);
      } finally {
        later.close();
      }
    });

    it("moves waiting visitors back when a conversation that started earlier with the chatbot joins the queue ahead of them", async () => {
      const scripts = new ChatbotScripts(t.host.contract);
      const scriptId = await scripts.save(null, {
        name: "Ask first",
        botName: "Bot",
        steps: [
          { type: "question", text: "Which team?", answers: [{ label: "Sales", then: "next" }] },
          { type: "forward", text: "Connecting you.", expertiseIds: [], endsScript: true },
        ],
      });
      const { channel } = await channelWithOperators(t, "Bot first", [], null);
      const early = await startVisitor(t, channel.id);
      await t.host.db.getRepository(LivechatChannel).update({ id: channel.id }, { chatbotScriptId: scriptId });
      const bot = await startVisitor(t, channel.id);
      await t.host.db.getRepository(LivechatChannel).update({ id: channel.id }, { chatbotScriptId: null });
      const late = await startVisitor(t, channel.id);
      expect([early.body.conversation.queuePosition, late.body.conversation.queuePosition]).to.deep.equal([1, 2]);
      expect(bot.body.conversation.state).to.equal("bot");
      expect(bot.id).to.be.lessThan(late.id);
      const bus = await connectBus(t.url, { token: late.token });
      try {
        expect((await asVisitor(t, bot).post(`/livechat/conversations/${bot.id}/messages`, { body: "Sales" })).status).to.equal(201);
        const change = await bus.next((n) => n.type === "livechat.queue");
        expect(change.payload).to.include({ version: Number(late.body.conversation.queueVersion) + 1 });
        expect(change.payload).to.deep.include({ joined: [bot.id], left: [] });
        expect((await asVisitor(t, late).get(`/livechat/conversations/${late.id}`)).body.conversation.queuePosition).to.equal(3);
        expect((await asVisitor(t, bot).get(`/livechat/conversations/${bot.id}`)).body.conversation.queuePosition).to.equal(2);
      } finally {
        bus.close();
      }
    });
  });
}
