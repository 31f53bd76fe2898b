import { expect } from "chai";
import request from "supertest";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { Expertise } from "../../module/models/Expertise";
import { Message } from "../../module/models/Message";
import { OperatorProfiles } from "../../module/services/OperatorProfiles";
import { channelWithOperators, online, startVisitor, asVisitor } from "../conversations/helpers";
import { hostForSuite, type TestHost, type TestSession } from "../support/testHost";

const NUL = "a\u0000b";
const LONE_HIGH = "a\ud800b";
const LONE_LOW = "a\udc00b";
const BIDI_OVERRIDE = "\u202Egnp.exe";
const CONTROL = "bell\u0007";
const INVISIBLE = "\u200b\u200d\u2060\ufeff";

for (const database of ["sqlite", "postgres"] as const) {
  describe(`Text hygiene: refused characters in every text input (${database})`, () => {
    let t: TestHost;
    let admin: TestSession;
    let channelId: number;
    hostForSuite(database, async (host) => {
      t = host;
      admin = await t.login("admin");
      const { channel, operators } = await channelWithOperators(t, "Hygiene", ["mitchell"], null);
      await online(t, ...operators);
      channelId = channel.id;
    });

    it("refuses NUL and unpaired surrogates in a visitor's message with 400, storing nothing", async () => {
      const visitor = await startVisitor(t, channelId);
      const before = await t.host.db.getRepository(Message).countBy({ conversationId: visitor.id });
      for (const body of [NUL, LONE_HIGH, LONE_LOW]) {
        const res = await asVisitor(t, visitor).post(`/livechat/conversations/${visitor.id}/messages`, { body, clientMessageId: `m-${body.length}-${body.charCodeAt(1)}` });
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.body.error).to.match(/not allowed/);
      }
      expect(await t.host.db.getRepository(Message).countBy({ conversationId: visitor.id })).to.equal(before);
      const ok = await asVisitor(t, visitor).post(`/livechat/conversations/${visitor.id}/messages`, { body: "emoji 😀 fine", clientMessageId: "ok-1" });
      expect(ok.status).to.equal(201);
    });

    it("refuses NUL in form fields and query strings", async () => {
      const me = await t.login("marc");
      const res = await me.postForm("/my/profile", { name: NUL, lang_code: "en_US" });
      expect(res.status).to.equal(400);
      expect((await t.host.users.findByLogin("marc"))?.name).to.equal("Marc Demo");
      expect((await me.agent.get("/livechat/api/conversations?state=a%00").set("Accept", "application/json")).status).to.equal(400);
      expect((await request(t.url).post(`/livechat/channels/${channelId}/conversations`).send({ name: LONE_HIGH })).status).to.equal(400);
    });

    it("refuses control and bidi-override characters in user, channel, expertise, chat and visitor names", async () => {
      const expertiseBefore = await t.host.db.getRepository(Expertise).count();
      for (const bad of [BIDI_OVERRIDE, CONTROL, INVISIBLE]) {
        const user = await admin.postForm("/settings/users/new", { name: bad, login: "newbie", lang_code: "en_US", groups: ["base.user"], password: "long-enough" });
        expect(user.status, `user ${JSON.stringify(bad)}`).to.equal(400);
        const login = await admin.postForm("/settings/users/new", { name: "Newbie", login: `x${bad}`, lang_code: "en_US", groups: ["base.user"], password: "long-enough" });
        expect(login.status, `login ${JSON.stringify(bad)}`).to.equal(400);
        const channel = await admin.postForm("/livechat/channels/new", { name: bad, button_text: "Chat" });
        expect(channel.status, `channel ${JSON.stringify(bad)}`).to.equal(400);
        const expertise = await admin.postForm("/livechat/expertise/new", { name: bad });
        expect(expertise.status, `expertise ${JSON.stringify(bad)}`).to.equal(400);
        const profile = await admin.postForm("/my/profile", { name: "Administrator", lang_code: "en_US", livechat_profile: "1", livechat_chat_name: bad });
        expect(profile.status, `chat name ${JSON.stringify(bad)}`).to.equal(400);
        const visitor = await request(t.url).post(`/livechat/channels/${channelId}/conversations`).send({ name: bad });
        expect(visitor.status, `visitor ${JSON.stringify(bad)}`).to.equal(400);
      }
      expect(await t.host.users.findByLogin("newbie")).to.equal(null);
      expect(await t.host.db.getRepository(LivechatChannel).countBy({ name: BIDI_OVERRIDE })).to.equal(0);
      expect(await t.host.db.getRepository(Expertise).count()).to.equal(expertiseBefore);
      const adminId = (await t.host.users.findByLogin("admin"))!.id;
      expect((await new OperatorProfiles(t.host.contract).get(adminId)).chatName).to.equal("");
    });

    it("treats logins as unique regardless of case, and logs in whatever the case typed", async () => {
      const clash = await admin.postForm("/settings/users/new", { name: "Other Mitchell", login: "MITCHELL", lang_code: "en_US", groups: ["base.user"], password: "long-enough" });
      expect(clash.status).to.equal(400);
      expect(clash.text).to.contain("already used");
      const created = await admin.postForm("/settings/users/new", { name: "Case Person", login: "CasePerson", lang_code: "en_US", groups: ["base.user"], password: "long-enough" });
      expect(created.status).to.equal(302);
      const again = await admin.postForm("/settings/users/new", { name: "Case Person 2", login: "caseperson", lang_code: "en_US", groups: ["base.user"], password: "long-enough" });
      expect(again.status).to.equal(400);
      const s = await t.login("CASEPERSON", "long-enough");
      expect((await s.agent.get("/web")).status).to.equal(200);
    });
  });
}
