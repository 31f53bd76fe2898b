import { expect } from "chai";
import type { HostUser } from "../../host/contract";
import { Conversation } from "../../module/models/Conversation";
import { ChannelMember } from "../../module/models/ChannelMember";
import { ChannelService } from "../../module/services/ChannelService";
import { OperatorProfiles } from "../../module/services/OperatorProfiles";
import { skipUnlessPostgres } from "../support/postgres";
import { startTestHost, startTwoInstances, type TestHost, type TwoInstances } from "../support/testHost";
import { asVisitor, channelWithOperators, online, startVisitor } from "./helpers";

/** The operator a new visitor of the channel is given (null: the visitor waits). */
async function nextOperator(t: TestHost, channelId: number, extra: Record<string, string> = {}): Promise<{ id: number; token: string; operatorId: number | null }> {
  const v = await startVisitor(t, channelId, extra);
  const row = await t.host.db.getRepository(Conversation).findOneByOrFail({ id: v.id });
  return { id: v.id, token: v.token, operatorId: row.operatorId };
}

describe("Who gets the next visitor when the facts change (the roster follows them)", () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("gives visitors to an operator who just came online, and none to one who went away", async () => {
    const { channel, operators } = await channelWithOperators(t, "Roster presence", ["rp_ann", "rp_ben"], null);
    const [ann, ben] = operators;
    await online(t, ann);
    expect((await nextOperator(t, channel.id)).operatorId).to.equal(ann.id);
    // Ben comes online: he is the one with fewer conversations now.
    await online(t, ben);
    expect((await nextOperator(t, channel.id)).operatorId).to.equal(ben.id);
    expect((await nextOperator(t, channel.id)).operatorId).to.equal(ann.id);
    // Eleven minutes without a sign of Ann: she is away; Ben gets every visitor, however many he has.
    t.clock.advance(11 * 60_000);
    await online(t, ben);
    expect((await nextOperator(t, channel.id)).operatorId).to.equal(ben.id);
    expect((await nextOperator(t, channel.id)).operatorId).to.equal(ben.id);
  });

  it("stops giving visitors to an operator who left the channel, and starts again when he joins back", async () => {
    const { channel, operators } = await channelWithOperators(t, "Roster members", ["rm_cat", "rm_dan"], null);
    const [cat, dan] = operators;
    await online(t, cat, dan);
    expect((await nextOperator(t, channel.id)).operatorId).to.equal(cat.id);
    const channels = new ChannelService(t.host.contract);
    await channels.leave(channel.id, dan);
    expect((await nextOperator(t, channel.id)).operatorId).to.equal(cat.id);
    await channels.join(channel.id, dan);
    expect((await nextOperator(t, channel.id)).operatorId).to.equal(dan.id);
    // A membership removed by another writer (straight in the database) counts too.
    await t.host.db.getRepository(ChannelMember).delete({ channelId: channel.id, userId: dan.id });
    expect((await nextOperator(t, channel.id)).operatorId).to.equal(cat.id);
  });

  it("follows an operator's language edits for the next visitor", async () => {
    const { channel, operators } = await channelWithOperators(t, "Roster languages", ["rl_eva", "rl_fred"], null);
    const [eva, fred] = operators;
    await online(t, eva, fred);
    const german = { lang: "de" };
    // Nobody speaks German: the less loaded, then the lower id.
    expect((await nextOperator(t, channel.id, german)).operatorId).to.equal(eva.id);
    const profiles = new OperatorProfiles(t.host.contract);
    await profiles.save(eva.id, { chatName: "", langCodes: ["de_DE"], expertiseIds: [] });
    // Eva speaks German now: she gets the German visitor although she has more conversations.
    expect((await nextOperator(t, channel.id, german)).operatorId).to.equal(eva.id);
    await profiles.save(eva.id, { chatName: "", langCodes: [], expertiseIds: [] });
    await profiles.save(fred.id, { chatName: "", langCodes: ["de_DE"], expertiseIds: [] });
    expect((await nextOperator(t, channel.id, german)).operatorId).to.equal(fred.id);
    // A main language changed on the user (My Profile, or an admin) counts the same.
    await profiles.save(fred.id, { chatName: "", langCodes: [], expertiseIds: [] });
    await t.host.db.transaction((m) => t.host.users.update(eva.id, { name: eva.name, langCode: "de_DE" }, m));
    expect((await nextOperator(t, channel.id, german)).operatorId).to.equal(eva.id);
  });

  it("counts a conversation that ended as a free seat at once", async () => {
    const { channel, operators } = await channelWithOperators(t, "Roster ends", ["re_gus", "re_hal"], 1);
    const [gus, hal] = operators;
    await online(t, gus, hal);
    const first = await nextOperator(t, channel.id);
    expect(first.operatorId).to.equal(gus.id);
    expect((await nextOperator(t, channel.id)).operatorId).to.equal(hal.id);
    expect((await nextOperator(t, channel.id)).operatorId).to.equal(null);
    await asVisitor(t, first).post(`/livechat/conversations/${first.id}/end`).expect(200);
    // The seat freed went to the visitor who waited; the next one waits again.
    expect((await nextOperator(t, channel.id)).operatorId).to.equal(null);
    const freed = await t.host.db.getRepository(Conversation).countBy({ channelId: channel.id, operatorId: gus.id, state: "open" });
    expect(freed).to.equal(1);
  });

  it("spreads visitors served from the queue at once over the operators who joined", async () => {
    const { channel } = await channelWithOperators(t, "Roster batch", [], null);
    const waiting = [await startVisitor(t, channel.id), await startVisitor(t, channel.id), await startVisitor(t, channel.id)];
    expect(waiting.map((v) => v.body.conversation.state)).to.deep.equal(["waiting", "waiting", "waiting"]);
    const team: HostUser[] = [];
    for (const login of ["rb_ida", "rb_jon", "rb_kim"]) {
      team.push(await t.host.users.create({ login, name: login, password: `${login}-password`, langCode: "en_US", groups: ["base.user", "livechat.user"] }));
    }
    await online(t, ...team);
    // Members added straight in the database: the queue job finds them and gives one visitor each.
    await t.host.db.getRepository(ChannelMember).insert(team.map((u) => ({ channelId: channel.id, userId: u.id, joinedAt: t.clock.now() })));
    await t.host.scheduler.runNow("livechat.assign_waiting");
    const rows = await t.host.db.getRepository(Conversation).findBy({ channelId: channel.id, state: "open" });
    expect(rows.map((r) => r.operatorId).sort()).to.deep.equal(team.map((u) => u.id).sort());
  });
});

describe("Who gets the next visitor when another instance changed the facts (PostgreSQL)", () => {
  let two: TwoInstances | null = null;
  let a: TestHost;
  let b: TestHost;
  before(async function () {
    this.timeout(60_000);
    await skipUnlessPostgres(this);
    two = await startTwoInstances();
    ({ a, b } = two);
  });
  after(async () => {
    await two?.stop();
  });

  it("counts the conversations the other instance assigned before choosing", async function () {
    this.timeout(60_000);
    const { channel, operators } = await channelWithOperators(a, "Roster two", ["rt_lea", "rt_max"], null);
    const [lea, max] = operators;
    await online(a, lea, max);
    expect((await nextOperator(a, channel.id)).operatorId).to.equal(lea.id);
    // Instance B gives two visitors: Max, then Lea (same load, and Lea's last one is older).
    expect((await nextOperator(b, channel.id)).operatorId).to.equal(max.id);
    expect((await nextOperator(b, channel.id)).operatorId).to.equal(lea.id);
    // Instance A heard of neither: Lea has 2, Max 1, so Max.
    expect((await nextOperator(a, channel.id)).operatorId).to.equal(max.id);
  });

  it("gives a seat freed on the other instance to the next visitor", async function () {
    this.timeout(60_000);
    const { channel, operators } = await channelWithOperators(a, "Roster freed", ["rf_ned"], 1);
    await online(a, ...operators);
    const first = await nextOperator(a, channel.id);
    expect(first.operatorId).to.equal(operators[0].id);
    // Ended through instance B: A has not heard of it, yet gives Ned the next visitor.
    await asVisitor(b, first).post(`/livechat/conversations/${first.id}/end`).expect(200);
    expect((await nextOperator(a, channel.id)).operatorId).to.equal(operators[0].id);
    expect((await nextOperator(a, channel.id)).operatorId).to.equal(null);
  });
});
