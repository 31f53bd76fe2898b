import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { startDemoSite } from "../../scripts/demoSite";
import { loggedInPage } from "../support/browser";
import { readmeShot } from "../support/screenshot";
import { startTestHost, type TestHost } from "../support/testHost";

describe("The demo website on another origin, in a real browser", function () {
  this.timeout(120_000);
  let t: TestHost;
  let browser: Browser;
  let site: { url: string; close: () => Promise<void> };
  before(async () => {
    t = await startTestHost();
    const channel = await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Website Support" });
    await t.host.db.getRepository(LivechatChannel).update({ id: channel.id }, { chatbotScriptId: null, maxSessions: 1 });
    site = await startDemoSite({ port: 0, helpdeskUrl: t.url, channelId: channel.id });
    browser = await t.browser();
  });
  after(async () => {
    await site?.close();
    await t?.stop();
  });

  /** A visitor on the demo website who also holds a session cookie of the helpdesk. */
  async function visitor(cookies: string[]): Promise<Page> {
    const context = await browser.newContext();
    // Same site (the same host name), another origin (another port): the cookie would go along if the widget let it.
    await context.addCookies([{ name: "host_sid", value: "not-for-the-widget", url: t.url }]);
    const page = await context.newPage();
    page.on("request", (request) => {
      if (request.url().startsWith(t.url)) void request.allHeaders().then((h) => h.cookie && cookies.push(`${request.url()}: ${h.cookie}`));
    });
    return page;
  }

  it("chats with an operator from the other origin, without the helpdesk's cookies, shows the queue position and resumes after a reload", async () => {
    expect(new URL(site.url).origin).not.to.equal(new URL(t.url).origin);
    const cookies: string[] = [];
    const busy = await visitor(cookies);
    const mitchell = await loggedInPage(browser, t.url, "mitchell");

    // The first visitor takes Mitchell's only place; the second waits and sees its place in the queue.
    await busy.goto(site.url.replace("localhost", new URL(t.url).hostname));
    await busy.getByRole("button", { name: "Have a question? Chat with us." }).click();
    const busyChat = busy.getByRole("region", { name: "Live chat" });
    await busyChat.getByRole("textbox", { name: "Your message" }).fill("First in line");
    await busyChat.getByRole("textbox", { name: "Your message" }).press("Enter");
    await busyChat.getByRole("heading", { name: "Mitchell" }).waitFor();

    const page = await visitor(cookies);
    await page.goto(site.url.replace("localhost", new URL(t.url).hostname));
    await page.getByRole("button", { name: "Have a question? Chat with us." }).click();
    const chat = page.getByRole("region", { name: "Live chat" });
    await chat.getByRole("status").filter({ hasText: "You are number 1 in the queue" }).waitFor();
    await chat.getByRole("textbox", { name: "Your message" }).fill("Hello from another website");
    await chat.getByRole("textbox", { name: "Your message" }).press("Enter");
    await chat.getByText("Hello from another website").waitFor();

    // A reload on the website keeps the conversation.
    await page.reload();
    const resumed = page.getByRole("region", { name: "Live chat" });
    const launcher = page.getByRole("button", { name: "Have a question? Chat with us." });
    // The widget comes back either open (its launcher hidden) or closed: wait until it shows one.
    await resumed.or(launcher).first().waitFor();
    if (!(await resumed.isVisible())) await launcher.click();
    await resumed.getByText("Hello from another website").waitFor();
    await resumed.getByRole("status").filter({ hasText: "You are number 1 in the queue" }).waitFor();

    // The first visitor ends: Mitchell gets the second one, who chats with him.
    await busyChat.getByRole("button", { name: "End conversation" }).click();
    await resumed.getByRole("heading", { name: "Mitchell" }).waitFor();
    const window = mitchell.getByRole("region", { name: "Chat window" }).filter({ hasText: "Hello from another website" });
    await window.getByRole("textbox", { name: "Message" }).fill("Hello, website visitor!");
    await window.getByRole("textbox", { name: "Message" }).press("Enter");
    await resumed.getByText("Hello, website visitor!").waitFor();
    await readmeShot(page, "widget-hand-over.png");
    expect(cookies).to.deep.equal([]);
  });
});
