import { expect } from "chai";
import request from "supertest";
import { asVisitor, channelWithOperators, online, startVisitor } from "./helpers";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Conversation transcripts", function () {
  this.timeout(60_000);
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("gives the visitor and the operator the whole conversation as plain text, markup kept as text", async () => {
    const { channel, operators } = await channelWithOperators(t, "Transcripts", ["tess"], null);
    await online(t, operators[0]);
    const visitor = await startVisitor(t, channel.id, { name: "Ivy", lang: "es" }, { "Accept-Language": "es" });
    const as = asVisitor(t, visitor);
    await as.post(`/livechat/conversations/${visitor.id}/messages`, { body: "<script>alert(1)</script>\nsecond line", clientMessageId: "v1" });
    const tess = await t.login("tess");
    await tess.postJson(`/livechat/api/conversations/${visitor.id}/messages`, { body: "Hello Ivy", clientMessageId: "o1" });
    await as.post(`/livechat/conversations/${visitor.id}/end`);

    const mine = await as.get(`/livechat/conversations/${visitor.id}/transcript`);
    expect(mine.status).to.equal(200);
    expect(mine.headers["content-type"]).to.match(/^text\/plain; charset=utf-8/);
    expect(mine.headers["content-disposition"]).to.contain(`livechat-${visitor.id}.txt`);
    const lines = mine.text.split("\n");
    // Written in the conversation's language.
    expect(lines[0]).to.match(/^Chat en vivo con Ivy en Transcripts, el /);
    expect(mine.text).to.contain("Ivy: <script>alert(1)</script>\n    second line");
    expect(mine.text).to.match(/\] Operator tess: Hello Ivy\n/);

    const theirs = await tess.agent.get(`/livechat/api/conversations/${visitor.id}/transcript`);
    expect(theirs.status).to.equal(200);
    expect(theirs.text).to.contain("Operator tess: Hello Ivy");

    // Nobody else reads it.
    expect((await request(t.url).get(`/livechat/conversations/${visitor.id}/transcript`)).status).to.equal(404);
    const stranger = await t.host.users.create({ login: "sam", name: "Sam", password: "sam", langCode: "en_US", groups: ["base.user", "livechat.user"] });
    expect((await (await t.login(stranger.login)).agent.get(`/livechat/api/conversations/${visitor.id}/transcript`)).status).to.equal(404);
  });
});
