import { expect } from "chai";
import { ChannelMember } from "../../module/models/ChannelMember";
import { ChannelMembershipEvent } from "../../module/models/ChannelMembershipEvent";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { ChannelService } from "../../module/services/ChannelService";
import { INACTIVITY_JOB } from "../../module/services/InactivityRule";
import { connectBus } from "../support/busClient";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Live Chat → Channels", () => {
  let t: TestHost;
  let support: LivechatChannel;
  before(async () => {
    t = await startTestHost();
    support = await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Website Support" });
  });
  after(async () => {
    await t?.stop();
  });

  const idOf = async (login: string) => (await t.host.users.findByLogin(login))!.id;
  const members = async (channelId = support.id) =>
    (await t.host.db.getRepository(ChannelMember).find({ where: { channelId }, order: { userId: "ASC" } })).map((m) => m.userId);

  it("shows a card per channel with its operators and Leave for a member", async () => {
    const s = await t.login("mitchell");
    const page = await s.agent.get("/livechat/channels");
    expect(page.status).to.equal(200);
    expect(page.text).to.contain("Website Support").and.to.contain("3 operators");
    expect(page.text).to.contain(`action="/livechat/channels/${support.id}/leave"`);
    expect(page.text).to.contain('aria-label="Marc Demo"');
  });

  it("lets an operator leave and join again, recording who, when and why", async () => {
    const s = await t.login("marc");
    const marcId = await idOf("marc");
    const left = await s.agent.post(`/livechat/channels/${support.id}/leave`).set("x-csrf-token", s.csrf).set("Accept", "application/json");
    expect(left.status).to.equal(200);
    expect(left.body.channel).to.include({ isMember: false, memberCount: 2 });
    expect(await members()).not.to.include(marcId);
    const joined = await s.postForm(`/livechat/channels/${support.id}/join`, {});
    expect(joined.status).to.equal(302);
    expect(await members()).to.include(marcId);
    const events = await t.host.db.getRepository(ChannelMembershipEvent).find({ where: { channelId: support.id, userId: marcId }, order: { id: "ASC" } });
    expect(events.slice(-2).map((e) => [e.action, e.reason, e.actorId])).to.deep.equal([
      ["left", "self", marcId],
      ["joined", "self", marcId],
    ]);
  });

  it("refuses a plain internal user who tries to join, with a clear message, and adds nothing", async () => {
    await t.host.users.create({ login: "paul", name: "Paul Plain", password: "paul-password", langCode: "en_US", groups: ["base.user"] });
    const s = await t.login("paul", "paul-password");
    const res = await s.agent.post(`/livechat/channels/${support.id}/join`).set("x-csrf-token", s.csrf).set("Accept", "application/json");
    expect(res.status).to.equal(403);
    expect(res.body.error).to.contain("Only live chat operators can join a channel");
    expect(await members()).not.to.include(await idOf("paul"));
    expect((await s.agent.get("/livechat/channels")).status).to.equal(403);
  });

  it("answers 404 when joining a channel that does not exist", async () => {
    const s = await t.login("marc");
    const res = await s.agent.post("/livechat/channels/9999/join").set("x-csrf-token", s.csrf).set("Accept", "application/json");
    expect(res.status).to.equal(404);
  });

  it("lets a manager create and edit a channel with its members and limit, and nobody else", async () => {
    const admin = await t.login("admin");
    const sofiaId = await idOf("sofia");
    const created = await admin.postForm("/livechat/channels/new", {
      name: "Sales Chat",
      welcome_message: "Welcome to sales!",
      button_text: "Talk to sales",
      max_sessions: "3",
      member_ids: [String(sofiaId)],
    });
    expect(created.status).to.equal(302);
    const sales = await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Sales Chat" });
    expect(sales).to.include({ welcomeMessage: "Welcome to sales!", buttonText: "Talk to sales", maxSessions: 3 });
    expect(await members(sales.id)).to.deep.equal([sofiaId]);
    const event = await t.host.db.getRepository(ChannelMembershipEvent).findOneByOrFail({ channelId: sales.id });
    expect(event).to.include({ action: "joined", reason: "manager", actorId: await idOf("admin") });

    const edited = await admin.postForm(`/livechat/channels/${sales.id}`, { name: "Sales", button_text: "Talk to sales", max_sessions: "" });
    expect(edited.status).to.equal(302);
    const after = await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ id: sales.id });
    expect(after).to.include({ name: "Sales", maxSessions: null });
    expect(await members(sales.id)).to.deep.equal([]);

    const bad = await admin.postForm(`/livechat/channels/${sales.id}`, { name: "", button_text: "x", max_sessions: "-2" });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain("Channel Name is required.");
    expect((await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ id: sales.id })).name).to.equal("Sales");

    const operator = await t.login("marc");
    expect((await operator.postForm("/livechat/channels/new", { name: "Nope", button_text: "x" })).status).to.equal(403);
  });

  describe("the 30-minute rule", () => {
    it("removes an operator idle for 31 minutes from every channel, keeps one active 29 minutes ago, and tells the removed one", async () => {
      const mitchell = await idOf("mitchell");
      const marc = await idOf("marc");
      const sofia = await idOf("sofia");
      // Everyone active now, then Mitchell goes quiet for 31 minutes while Marc works on until 29 minutes ago.
      for (const id of [mitchell, marc, sofia]) await t.host.presence.recordActivity(id);
      const mitchellSession = await t.login("mitchell");
      t.clock.advance(2 * 60_000);
      await t.host.presence.recordActivity(marc);
      await t.host.presence.recordActivity(sofia);
      t.clock.advance(29 * 60_000);
      await t.host.presence.recordActivity(sofia);
      expect(await members()).to.include.members([mitchell, marc, sofia]);

      const socket = await connectBus(t.url, { cookie: mitchellSession.cookie });
      try {
        expect(await t.host.scheduler.runNow(INACTIVITY_JOB)).to.equal(true);
        expect(await members()).to.include.members([marc, sofia]).and.not.to.include(mitchell);
        const notice = await socket.next((n) => n.type === "livechat.channel_left");
        expect(notice.payload).to.deep.include({ channelIds: [support.id], reason: "inactivity" });
      } finally {
        socket.close();
      }
      const event = (await t.host.db.getRepository(ChannelMembershipEvent).find({ where: { userId: mitchell }, order: { id: "DESC" }, take: 1 }))[0];
      expect(event).to.include({ action: "left", reason: "inactivity", actorId: null });

      // Running again changes nothing and records nothing.
      const eventsBefore = await t.host.db.getRepository(ChannelMembershipEvent).count();
      await t.host.scheduler.runNow(INACTIVITY_JOB);
      expect(await t.host.db.getRepository(ChannelMembershipEvent).count()).to.equal(eventsBefore);

      // Back at work, Mitchell sees Join again and can rejoin.
      const page = await (await t.login("mitchell")).agent.get("/livechat/channels");
      expect(page.text).to.contain(`action="/livechat/channels/${support.id}/join"`);
    });

    it("follows the threshold setting", async () => {
      const marc = await idOf("marc");
      await t.host.settings.set("livechat.inactivity_minutes", "5");
      try {
        await t.host.presence.recordActivity(marc);
        t.clock.advance(6 * 60_000);
        await t.host.scheduler.runNow(INACTIVITY_JOB);
        expect(await members()).not.to.include(marc);
      } finally {
        await t.host.settings.set("livechat.inactivity_minutes", "30");
      }
    });

    it("counts joining as activity: an operator added without any page activity stays for 30 minutes", async () => {
      const marc = (await t.host.users.findByLogin("marc"))!;
      t.clock.advance(60 * 60_000);
      await new ChannelService(t.host.contract).join(support.id, marc);
      t.clock.advance(29 * 60_000);
      await t.host.scheduler.runNow(INACTIVITY_JOB);
      expect(await members()).to.include(marc.id);
      t.clock.advance(2 * 60_000);
      await t.host.scheduler.runNow(INACTIVITY_JOB);
      expect(await members()).not.to.include(marc.id);
    });
  });
});
