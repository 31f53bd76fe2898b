import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { ROOT_DIR } from "../../host/app";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Live chat pages: demo website, loader, Discuss, and what each user's pages load", () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
    await t.host.users.create({ login: "clerk", name: "Clara Clerk", password: "clerk", langCode: "en_US", groups: ["base.user"] });
  });
  after(async () => {
    await t?.stop();
  });

  it("serves the demo as a plain website with the one loader tag, the channel's name escaped", async () => {
    const repo = t.host.db.getRepository(LivechatChannel);
    const channel = await repo.findOneByOrFail({ name: "Website Support" });
    await repo.update({ id: channel.id }, { name: "<b>Support</b> & Co" });
    try {
      const res = await t.anonymous().agent.get(`/livechat/demo?channel=${channel.id}`);
      expect(res.status).to.equal(200);
      expect(res.type).to.equal("text/html");
      expect(res.text).to.contain(`<script src="/livechat/loader.js?channel=${channel.id}" async></script>`);
      expect(res.text).to.contain("&lt;b&gt;Support&lt;/b&gt; &amp; Co");
      expect(res.text).not.to.contain("<b>Support</b>");
      // Not the helpdesk's backend: no menus, no Bootstrap, no operator scripts.
      expect(res.text).not.to.contain("o-navbar");
      expect(res.text).not.to.contain("/vendor/bootstrap");
      expect(res.text).not.to.contain("operator.js");
    } finally {
      await repo.update({ id: channel.id }, { name: channel.name });
    }
  });

  it("shows the first channel by default and says so when a channel does not exist", async () => {
    const first = (await t.host.db.getRepository(LivechatChannel).find({ order: { id: "ASC" }, take: 1 }))[0];
    const res = await t.anonymous().agent.get("/livechat/demo");
    expect(res.text).to.contain(`/livechat/loader.js?channel=${first.id}`);
    const missing = await t.anonymous().agent.get("/livechat/demo?channel=99999");
    expect(missing.status).to.equal(404);
    expect(missing.text).to.contain("This live chat channel does not exist.");
    expect(missing.text).not.to.contain("/livechat/loader.js?channel=99999\" async");
  });

  it("serves the widget script to any website", async () => {
    const res = await t.anonymous().agent.get("/livechat/loader.js?channel=1");
    expect(res.status).to.equal(200);
    expect(res.type).to.equal("application/javascript");
    expect(res.headers["cross-origin-resource-policy"]).to.equal("cross-origin");
    expect(res.text).to.contain("Authorization");
    // The widget never renders markup it receives.
    expect(res.text).not.to.match(/innerHTML|insertAdjacentHTML|outerHTML/);
  });

  it("builds every live chat screen without HTML parsing of data", async () => {
    const htmlParsing = /innerHTML|insertAdjacentHTML|outerHTML|document\.write/;
    // Bundles of the module's own code only.
    for (const file of ["build/operator.js", "build/discuss.js", "build/channels.js", "build/widget.js"]) {
      const res = await t.anonymous().agent.get(`/livechat/static/${file}`);
      expect(res.status, file).to.equal(200);
      expect(res.text, file).not.to.match(htmlParsing);
    }
    // Bundles with the tag-input library (which renders its own templates) are served, and the
    // module's code in them, like all of its browser code, builds elements instead of parsing HTML.
    for (const file of ["build/chatbot_form.js", "build/tags.js"]) expect((await t.anonymous().agent.get(`/livechat/static/${file}`)).status, file).to.equal(200);
    const sources = fs.readdirSync(path.join(ROOT_DIR, "module/client"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    expect(sources.length).to.be.greaterThan(20);
    for (const file of sources) expect(fs.readFileSync(path.join(ROOT_DIR, "module/client", file), "utf8"), file).not.to.match(htmlParsing);
  });

  it("opens Discuss to operators only", async () => {
    const anonymous = await t.anonymous().agent.get("/livechat/discuss");
    expect(anonymous.status).to.equal(302);
    const clerk = await t.login("clerk");
    expect((await clerk.agent.get("/livechat/discuss")).status).to.equal(403);
    const operator = await t.login("mitchell");
    const page = await operator.agent.get("/livechat/discuss");
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('aria-label="Conversations"');
    expect(page.text).to.contain("/livechat/static/build/discuss.js");
  });

  it("adds the Messages icon, the chat windows and the Discuss menu to operators' pages only", async () => {
    const operator = await (await t.login("mitchell")).agent.get("/web");
    expect(operator.text).to.contain('aria-label="Messages"');
    expect(operator.text).to.contain('<script src="/livechat/static/build/operator.js" defer></script>');
    expect(operator.text).to.contain('href="/livechat/discuss"');

    const clerk = await (await t.login("clerk")).agent.get("/web");
    expect(clerk.status).to.equal(200);
    expect(clerk.text).not.to.contain('aria-label="Messages"');
    expect(clerk.text).not.to.contain("operator.js");
    expect(clerk.text).not.to.contain('href="/livechat/discuss"');
  });
});
