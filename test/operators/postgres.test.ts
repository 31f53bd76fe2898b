import { expect } from "chai";
import request from "supertest";
import { TestClock } from "../../host/clock";
import { ChannelMember } from "../../module/models/ChannelMember";
import { ChannelMembershipEvent } from "../../module/models/ChannelMembershipEvent";
import { Expertise } from "../../module/models/Expertise";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { INACTIVITY_JOB } from "../../module/services/InactivityRule";
import { connectBus } from "../support/busClient";
import { skipUnlessPostgres } from "../support/postgres";
import { startTwoInstances, type TestHost, type TwoInstances } from "../support/testHost";

describe("Operators on two instances sharing one PostgreSQL database", () => {
  let two: TwoInstances | null = null;
  let a: TestHost;
  let b: TestHost;
  let support: LivechatChannel;
  const clock = new TestClock();

  before(async function () {
    await skipUnlessPostgres(this);
    two = await startTwoInstances({ clock });
    ({ a, b } = two);
    support = await a.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Website Support" });
  });
  after(async () => {
    await two?.stop();
  });

  const idOf = async (login: string) => (await a.host.users.findByLogin(login))!.id;

  it("shows the demo channel and the operators' fields, from either instance", async () => {
    const s = await a.login("marc");
    const kanban = await request(b.url).get("/livechat/channels").set("Cookie", s.cookie);
    expect(kanban.status).to.equal(200);
    // Marc reads French.
    expect(kanban.text).to.contain("Website Support").and.to.contain("3 opérateurs");
    const profile = await request(b.url).get("/my/profile").set("Cookie", s.cookie);
    expect(profile.text).to.contain("Nom de chat en ligne").and.to.contain('value="Marc"');
  });

  it("keeps one membership and one record when the same operator clicks Join on both instances at once", async () => {
    const admin = (await a.host.users.findByLogin("admin"))!;
    const s = await a.login("admin");
    const join = (host: TestHost) =>
      request(host.url)
        .post(`/livechat/channels/${support.id}/join`)
        .set("Cookie", s.cookie)
        .set("x-csrf-token", s.csrf)
        .set("Accept", "application/json");
    const answers = await Promise.all([a, b, a, b, a, b].map(join));
    expect(answers.map((r) => r.status)).to.deep.equal([200, 200, 200, 200, 200, 200]);
    for (const r of answers) expect(r.body.channel).to.include({ isMember: true, memberCount: 4 });
    expect(await a.host.db.getRepository(ChannelMember).countBy({ channelId: support.id, userId: admin.id })).to.equal(1);
    const joined = await a.host.db.getRepository(ChannelMembershipEvent).countBy({ channelId: support.id, userId: admin.id, action: "joined" });
    expect(joined).to.equal(1);
  });

  it("creates an expertise once when two managers save the same name at once, refusing the others clearly", async () => {
    const s = await a.login("admin");
    const create = (host: TestHost, name: string) =>
      request(host.url).post("/livechat/expertise/new").set("Cookie", s.cookie).type("form").send({ name, _csrf: s.csrf });
    const answers = await Promise.all([create(a, "Returns"), create(b, "returns"), create(a, " RETURNS "), create(b, "Returns")]);
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).to.deep.equal([302, 400, 400, 400]);
    for (const r of answers.filter((x) => x.status === 400)) expect(r.text).to.match(/An expertise named &quot;returns&quot; already exists\./i);
    expect(await a.host.db.getRepository(Expertise).countBy({ nameKey: "returns" })).to.equal(1);
  });

  it("runs the 30-minute rule once when both instances run it: one removal, one record, one notification", async () => {
    const ids = await Promise.all(["admin", "mitchell", "marc", "sofia"].map(idOf));
    for (const id of ids) await a.host.presence.recordActivity(id);
    const marc = await idOf("marc");
    const marcSession = await a.login("marc");
    clock.advance(31 * 60_000);
    for (const id of ids.filter((x) => x !== marc)) await a.host.presence.recordActivity(id);

    const socket = await connectBus(b.url, { cookie: marcSession.cookie });
    try {
      // Both instances' schedulers find the job due at the same moment; only one may run it.
      const ran = await Promise.all([a.host.scheduler.tick(), b.host.scheduler.tick()]);
      expect(ran.filter((names) => names.includes(INACTIVITY_JOB))).to.have.length(1);
      const notice = await socket.next((n) => n.type === "livechat.channel_left");
      expect(notice.payload).to.deep.include({ channelIds: [support.id], reason: "inactivity" });
    } finally {
      socket.close();
    }
    const members = (await a.host.db.getRepository(ChannelMember).findBy({ channelId: support.id })).map((m) => m.userId);
    expect(members).to.have.members(ids.filter((x) => x !== marc));
    const left = await a.host.db.getRepository(ChannelMembershipEvent).findBy({ userId: marc, action: "left" });
    expect(left.map((e) => e.reason)).to.deep.equal(["inactivity"]);
  });
});
