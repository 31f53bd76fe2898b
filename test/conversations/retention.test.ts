import { expect } from "chai";
import { In, LessThan } from "typeorm";
import { BusNotificationRecord } from "../../host/models/BusNotificationRecord";
import { ChatWindow } from "../../module/models/ChatWindow";
import { Conversation } from "../../module/models/Conversation";
import { ConversationAnswer } from "../../module/models/ConversationAnswer";
import { ConversationRead } from "../../module/models/ConversationRead";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { Message } from "../../module/models/Message";
import { ConversationRetention, RETENTION_JOB, RETENTION_SETTING } from "../../module/services/conversations/ConversationRetention";
import { startTestHost, type TestHost } from "../support/testHost";
import { asVisitor, channelWithOperators, online, startVisitor, type Visitor } from "./helpers";

const DAY = 24 * 3600_000;

describe("Retention: ended conversations and old notifications are deleted by scheduled jobs", function () {
  this.timeout(60_000);
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  /** A conversation with messages both ways, read by its operator, ended by the visitor. */
  async function endedChat(channelId: number, operatorLogin: string, text: string, key: string): Promise<Visitor> {
    const v = await startVisitor(t, channelId);
    expect(v.body.conversation.state, "assigned at once").to.equal("open");
    expect((await asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body: text, clientMessageId: `${key}-1` })).status).to.equal(201);
    const operator = await t.login(operatorLogin);
    const answer = await operator.postJson(`/livechat/api/conversations/${v.id}/messages`, { body: `Answer to ${text}`, clientMessageId: `${key}-2` });
    expect(answer.status).to.equal(201);
    await operator.postJson(`/livechat/api/conversations/${v.id}/read`, { lastMessageId: answer.body.message.id });
    expect((await asVisitor(t, v).post(`/livechat/conversations/${v.id}/end`)).status).to.equal(200);
    return v;
  }

  /** Runs the jobs due after `ms`, as the scheduler's loop would. */
  async function later(ms: number): Promise<string[]> {
    t.clock.advance(ms);
    return t.host.scheduler.tick();
  }

  it("deletes conversations ended longer ago than the setting (180 days by default) with everything of theirs, keeps the others, and follows a new setting", async () => {
    const { channel, operators } = await channelWithOperators(t, "Retained", ["keeper"], null);
    await online(t, ...operators);
    const old = await endedChat(channel.id, "keeper", "Old question", "old");
    // With the chatbot: the visitor's answer is stored apart.
    const support = await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Website Support" });
    const bot = await startVisitor(t, support.id);
    expect((await asVisitor(t, bot).post(`/livechat/conversations/${bot.id}/messages`, { body: "Just looking" })).status).to.equal(201);
    expect(await t.host.db.getRepository(Conversation).findOneByOrFail({ id: bot.id })).to.include({ state: "closed" });
    expect(await t.host.db.getRepository(ConversationAnswer).countBy({ conversationId: bot.id })).to.equal(1);

    t.clock.advance(170 * DAY);
    await online(t, ...operators);
    const recent = await endedChat(channel.id, "keeper", "Recent question", "recent");
    const ongoing = await startVisitor(t, channel.id);
    expect(await t.host.db.getRepository(ChatWindow).countBy({ conversationId: old.id })).to.equal(1);
    expect(await t.host.db.getRepository(ConversationRead).countBy({ conversationId: old.id })).to.equal(1);

    // Ten days on, the first two ended over 180 days ago.
    expect(await later(10 * DAY + 3600_000)).to.include(RETENTION_JOB);
    const conversations = t.host.db.getRepository(Conversation);
    expect((await conversations.findBy({ id: In([old.id, bot.id, recent.id, ongoing.id]) })).map((c) => c.id).sort((a, b) => a - b)).to.deep.equal([recent.id, ongoing.id]);
    expect(await t.host.db.getRepository(Message).countBy({ conversationId: In([old.id, bot.id]) })).to.equal(0);
    expect(await t.host.db.getRepository(Message).countBy({ conversationId: recent.id })).to.be.greaterThan(1);
    expect(await t.host.db.getRepository(ConversationAnswer).countBy({ conversationId: bot.id })).to.equal(0);
    expect(await t.host.db.getRepository(ChatWindow).countBy({ conversationId: old.id })).to.equal(0);
    expect(await t.host.db.getRepository(ConversationRead).countBy({ conversationId: old.id })).to.equal(0);
    // The operator's lists no longer hold it; its token opens nothing.
    const keeper = await t.login("keeper");
    const listed = (await keeper.agent.get("/livechat/api/conversations?state=all")).body as { channels: { conversations: { id: number }[] }[] };
    expect(listed.channels.flatMap((c) => c.conversations.map((x) => x.id))).not.to.include(old.id);
    expect((await asVisitor(t, old).get(`/livechat/conversations/${old.id}`)).status).to.equal(404);

    // A manager keeps ended conversations 7 days now: the recent one (11 days) goes at the next run.
    await t.host.settings.set(RETENTION_SETTING, "7");
    expect(await later(3600_000)).to.include(RETENTION_JOB);
    expect(await conversations.countBy({ id: recent.id })).to.equal(0);
    expect(await t.host.db.getRepository(Message).countBy({ conversationId: recent.id })).to.equal(0);
  });

  it("deletes a bounded number of conversations per run; the next runs finish the work", async () => {
    const { channel } = await channelWithOperators(t, "Many ended", [], null);
    // Only these five have ended when the runs start.
    await new ConversationRetention(t.host.contract).deleteEnded(0);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const v = await startVisitor(t, channel.id);
      await asVisitor(t, v).post(`/livechat/conversations/${v.id}/end`);
      ids.push(v.id);
    }
    t.clock.advance(200 * DAY);
    const retention = new ConversationRetention(t.host.contract, { batch: 2, maxBatches: 2 });
    const left = () => t.host.db.getRepository(Conversation).countBy({ id: In(ids) });
    expect(await retention.deleteEnded(180)).to.equal(4);
    expect(await left()).to.equal(1);
    expect(await retention.deleteEnded(180)).to.equal(1);
    expect(await left()).to.equal(0);
    expect(await retention.deleteEnded(180)).to.equal(0);
  });

  it("deletes bus notifications past the catch-up window (7 days) in bounded batches, keeping recent ones", async () => {
    const bus = t.host.db.getRepository(BusNotificationRecord);
    const now = t.clock.now();
    const old = new Date(now.getTime() - 8 * DAY);
    await bus.insert(Array.from({ length: 450 }, (_, i) => ({ channel: `test:${i}`, type: "test.old", payload: "{}", createdAt: old })));
    await bus.insert(Array.from({ length: 5 }, (_, i) => ({ channel: `test:${i}`, type: "test.recent", payload: "{}", createdAt: now })));
    const cutoff = new Date(now.getTime() - 7 * DAY);
    const oldCount = () => bus.countBy({ createdAt: LessThan(cutoff) });
    const before = await oldCount();
    expect(before).to.be.at.least(450);

    // One run does at most `maxBatches` statements of `batch` rows, oldest first.
    expect(await t.host.bus.prune(cutoff, { batch: 100, maxBatches: 2 })).to.equal(200);
    expect(await oldCount()).to.equal(before - 200);

    // The hourly job removes the rest, and nothing recent.
    expect(await later(3600_000)).to.include("host.prune_bus");
    expect(await oldCount()).to.equal(0);
    expect(await bus.countBy({ type: "test.recent" })).to.equal(5);
  });
});
