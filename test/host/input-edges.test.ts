import { expect } from "chai";
import request from "supertest";
import { safeRedirect } from "../../host/http/safeRedirect";
import { startTestHost, type TestHost, type TestSession } from "../support/testHost";
import { channelWithOperators, online, startVisitor, asVisitor } from "../conversations/helpers";

const BAD_IDS = ["abc", "%00", "NaN", "Infinity", "0x10", "0x1", "1e0", "1e3", "-1", "0", "01", "+1", "1.0", "%201", "99999999999999999999", "2147483648"];

describe("Host: ids in URLs and redirects after login", () => {
  let t: TestHost;
  let admin: TestSession;
  let conversationId: number;
  let visitorToken: string;
  before(async () => {
    t = await startTestHost();
    admin = await t.login("admin");
    const { channel, operators } = await channelWithOperators(t, "Ids", ["admin"], null);
    await online(t, ...operators);
    const visitor = await startVisitor(t, channel.id);
    conversationId = visitor.id;
    visitorToken = visitor.token;
  });
  after(async () => {
    await t?.stop();
  });

  it("answers 404 for every malformed or out-of-range id, on host and module pages and APIs", async () => {
    const urls = [
      "/settings/users/",
      "/livechat/channels/",
      "/livechat/operators/",
      "/livechat/expertise/",
      "/livechat/chatbots/",
      "/livechat/api/conversations/",
    ];
    for (const base of urls) {
      for (const bad of BAD_IDS) {
        const res = await admin.agent.get(`${base}${bad}`);
        expect(res.status, `${base}${bad}`).to.equal(404);
      }
    }
    for (const bad of BAD_IDS) {
      const res = await asVisitor(t, { token: visitorToken }).get(`/livechat/conversations/${bad}`);
      expect(res.status, `visitor ${bad}`).to.equal(404);
    }
  });

  it("reads a conversation only by its plain decimal id", async () => {
    expect((await admin.agent.get(`/livechat/api/conversations/${conversationId}`)).status).to.equal(200);
    expect((await admin.agent.get(`/livechat/api/conversations/0x${conversationId.toString(16)}`)).status).to.equal(404);
    expect((await admin.agent.get(`/livechat/api/conversations/${conversationId}e0`)).status).to.equal(404);
  });

  it("refuses a post to a malformed id with 404 and changes nothing", async () => {
    const res = await admin.postForm("/settings/users/NaN", { name: "X", login: "x", lang_code: "en_US", password: "longenough" });
    expect(res.status).to.equal(404);
    expect(await t.host.users.findByLogin("x")).to.equal(null);
  });

  it("after login, follows only paths on this host", async () => {
    const res = await request(t.url).get("/web/login?redirect=%2F%5Cevil.example%2Fagain");
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('name="redirect" value="/web"');
    for (const bad of ["/\\evil.example", "//evil.example", "https://evil.example/", "/\tevil", "\\\\evil", "javascript:alert(1)", "evil.example", "/\u0000x"]) {
      expect(safeRedirect(bad), JSON.stringify(bad)).to.equal("/web");
    }
    expect(safeRedirect("/%0A")).to.equal("/%0A");
    expect(safeRedirect("/livechat/discuss?x=1#m")).to.equal("/livechat/discuss?x=1#m");
  });

  it("sends a logged-in user to a safe target, never off-site", async () => {
    const res = await admin.agent.get("/web/login?redirect=%2F%5Cevil.example%2Fagain");
    expect(res.status).to.equal(302);
    expect(res.headers.location).to.equal("/web");
  });
});
