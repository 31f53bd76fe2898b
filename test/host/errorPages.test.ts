import { expect } from "chai";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { loggedInPage } from "../support/browser";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Error pages and the favicon, for people", function () {
  this.timeout(60_000);
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("says in plain words that a page does not exist, with a way home, and no request line", async () => {
    const s = await t.login("mitchell");
    const page = await s.agent.get("/nothing/here").set("Accept", "text/html");
    expect(page.status).to.equal(404);
    expect(page.text).to.contain("Page not found").and.to.contain("This page does not exist.");
    expect(page.text).to.match(/<a class="btn btn-primary" href="\/web">Back to home<\/a>/);
    expect(page.text).not.to.contain("GET").and.not.to.contain("/nothing/here");
    const anonymous = await t.anonymous().agent.get("/livechat/channels/1/nothing").set("Accept", "text/html");
    expect(anonymous.status).to.equal(302);
  });

  it("refuses a managers' page to an operator in plain words, naming no group", async () => {
    const s = await t.login("mitchell");
    const page = await s.agent.get("/livechat/settings").set("Accept", "text/html");
    expect(page.status).to.equal(403);
    expect(page.text).to.contain("You cannot open this page").and.to.contain("ask an administrator for access");
    expect(page.text).not.to.match(/livechat\.manager|base\.admin|reserved to the group/);
    expect(page.text).to.contain('href="/web"');
  });

  it("answers 404 for a record that does not exist, also to a user who may not open such pages; 403 for one that does", async () => {
    const channel = await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Website Support" });
    const operator = await t.login("mitchell");
    const admin = await t.login("admin");
    for (const path of ["/livechat/channels/99999", "/livechat/expertise/99999", "/livechat/chatbots/99999", "/livechat/operators/99999", "/livechat/channels/abc"]) {
      for (const s of [operator, admin]) {
        const page = await s.agent.get(path).set("Accept", "text/html");
        expect(page.status, path).to.equal(404);
        expect(page.text, path).to.contain("Page not found");
      }
    }
    expect((await operator.postForm("/livechat/channels/99999", { name: "X" })).status).to.equal(404);
    expect((await operator.agent.get(`/livechat/channels/${channel.id}`).set("Accept", "text/html")).status).to.equal(403);
    expect((await admin.agent.get(`/livechat/channels/${channel.id}`).set("Accept", "text/html")).status).to.equal(200);
    const marc = (await t.host.users.findByLogin("marc"))!;
    expect((await admin.agent.get(`/livechat/operators/${marc.id}`).set("Accept", "text/html")).status).to.equal(200);
  });

  it("serves a favicon that every page names, to anyone", async () => {
    const icon = await t.anonymous().agent.get("/favicon.ico");
    expect(icon.status).to.equal(200);
    expect(icon.headers["content-type"]).to.contain("image/svg+xml");
    const login = await t.anonymous().agent.get("/web/login");
    const href = /<link rel="icon" href="([^"]+)"/.exec(login.text)?.[1];
    expect(href).to.be.a("string");
    expect((await t.anonymous().agent.get(href as string)).status).to.equal(200);
  });

  it("loads the login page, an operator's pages and the demo website without a failed request in the browser", async () => {
    const browser = await t.browser();
    const failures: string[] = [];
    const watch = (page: import("playwright-core").Page) => {
      page.on("console", (message) => {
        if (message.type() === "error") failures.push(`${page.url()}: ${message.text()}`);
      });
      page.on("response", (response) => {
        if (response.status() >= 400) failures.push(`${response.status()} ${response.url()}`);
      });
    };
    const visitor = await (await browser.newContext()).newPage();
    watch(visitor);
    await visitor.goto(`${t.url}/web/login`);
    await visitor.getByRole("button", { name: "Log in" }).waitFor();
    await visitor.goto(`${t.url}/livechat/demo`);
    await visitor.getByRole("button", { name: "Have a question? Chat with us." }).waitFor();
    const operator = await loggedInPage(browser, t.url, "mitchell");
    watch(operator);
    await operator.goto(`${t.url}/livechat/discuss`);
    await operator.getByRole("navigation", { name: "Conversations" }).getByText("Loading…").waitFor({ state: "detached" });
    await operator.goto(`${t.url}/livechat/channels`);
    await operator.getByRole("heading", { name: "Website Support" }).waitFor();
    expect(failures).to.deep.equal([]);
  });
});
