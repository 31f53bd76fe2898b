import path from "node:path";
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { ROOT_DIR } from "../../host/app";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { launchBrowser, loggedInPage } from "../support/browser";
import { startTestHost, type TestHost } from "../support/testHost";

const SHOTS = process.env.SCREENSHOTS === "1";
const shot = async (page: Page, name: string) => {
  if (SHOTS) await page.screenshot({ path: path.join(ROOT_DIR, "docs", name) });
};

describe("Live chat in real browsers: visitor widget, operator windows, Discuss, Messages", function () {
  this.timeout(90_000);
  let t: TestHost;
  let browser: Browser;
  before(async () => {
    t = await startTestHost();
    // Operators answer directly here; the chatbot flow has its own browser test.
    await t.host.db.getRepository(LivechatChannel).update({ name: "Website Support" }, { chatbotScriptId: null });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  const operatorPage = (login: string) => loggedInPage(browser, t.url, login, { viewport: { width: 1280, height: 800 } });

  it("chats both ways, keeps the window across pages, shows Discuss unread in bold, escapes HTML, and ends", async () => {
    const operator = await operatorPage("mitchell");
    const visitor = await (await browser.newContext({ viewport: { width: 1100, height: 760 } })).newPage();
    await visitor.goto(`${t.url}/livechat/demo`);
    await visitor.getByRole("button", { name: "Have a question? Chat with us." }).click();
    const chat = visitor.getByRole("region", { name: "Live chat" });
    await chat.getByRole("textbox", { name: "Your message" }).fill("Hello, I need help with my order");
    await chat.getByRole("textbox", { name: "Your message" }).press("Enter");

    // The operator gets a chat window with the visitor's message, and answers.
    const window = operator.getByRole("region", { name: "Chat window" });
    await window.getByText("Hello, I need help with my order").waitFor();
    await window.getByRole("textbox", { name: "Message" }).fill("Sure! What is your order number?");
    await window.getByRole("textbox", { name: "Message" }).press("Enter");

    // The visitor sees the answer under the operator's Online Chat Name, never the full name.
    await chat.getByText("Sure! What is your order number?").waitFor();
    expect(await chat.getByRole("heading").textContent()).to.equal("Mitchell");
    expect(await chat.textContent()).not.to.contain("Stephens");
    await shot(visitor, "visitor-widget.png");
    await shot(operator, "operator-chat-window.png");

    // The operator moves to another page: the window is there and keeps receiving.
    await operator.goto(`${t.url}/my/profile`);
    await chat.getByRole("textbox", { name: "Your message" }).fill("It is 4242");
    await chat.getByRole("textbox", { name: "Your message" }).press("Enter");
    await operator.getByRole("region", { name: "Chat window" }).getByText("It is 4242").waitFor();

    // Markup is shown as text everywhere and never runs.
    const attack = "<script>window.__xss=1</script><b>bold</b>";
    await chat.getByRole("textbox", { name: "Your message" }).fill(attack);
    await chat.getByRole("textbox", { name: "Your message" }).press("Enter");
    await operator.getByRole("region", { name: "Chat window" }).getByText(attack).waitFor();
    expect(await chat.getByText(attack).count()).to.equal(1);
    expect(await operator.evaluate(() => (window as unknown as { __xss?: number }).__xss)).to.equal(undefined);
    expect(await visitor.evaluate(() => (window as unknown as { __xss?: number }).__xss)).to.equal(undefined);

    // Folded, the window does not mark new messages read: Discuss shows the conversation in bold until opened.
    await operator.getByRole("region", { name: "Chat window" }).getByRole("button", { name: "Fold" }).click();
    await operator.getByRole("region", { name: "Chat window" }).getByRole("button", { name: "Unfold" }).waitFor();
    await operator.reload();
    await operator.getByRole("region", { name: "Chat window" }).getByRole("button", { name: "Unfold" }).waitFor();
    await chat.getByRole("textbox", { name: "Your message" }).fill("Are you still there?");
    await chat.getByRole("textbox", { name: "Your message" }).press("Enter");
    const badge = operator.getByRole("button", { name: /^Messages, 1 unread$/ });
    await badge.waitFor();

    await operator.getByRole("navigation", { name: "Main menu" }).getByRole("link", { name: "Discuss" }).click();
    const sidebar = operator.getByRole("navigation", { name: "Conversations" });
    const entry = sidebar.getByRole("list", { name: "Website Support" }).getByRole("link");
    await entry.first().waitFor();
    expect(await entry.first().evaluate((a) => getComputedStyle(a.querySelector(".o-discuss-name") as Element).fontWeight)).to.equal("700");
    await shot(operator, "discuss.png");
    await entry.first().click();
    await operator.getByRole("region", { name: "Conversation" }).getByText("Are you still there?").waitFor();
    await operator.waitForFunction(() => !document.querySelector(".o-discuss-item.o-unread"));
    expect(await entry.first().evaluate((a) => getComputedStyle(a.querySelector(".o-discuss-name") as Element).fontWeight)).to.equal("400");
    await operator.getByRole("button", { name: "Messages", exact: true }).waitFor();

    // Replying from Discuss, then ending from the window: the visitor sees both.
    await operator.getByRole("region", { name: "Conversation" }).getByRole("textbox", { name: "Message" }).fill("Yes, checking now.");
    await operator.getByRole("region", { name: "Conversation" }).getByRole("textbox", { name: "Message" }).press("Enter");
    await chat.getByText("Yes, checking now.").waitFor();
    await operator.getByRole("region", { name: "Chat window" }).getByRole("button", { name: "Unfold" }).click();
    await operator.getByRole("region", { name: "Chat window" }).getByRole("button", { name: "End conversation" }).click();
    await chat.getByRole("status").filter({ hasText: "The conversation has ended." }).waitFor();
    await chat.getByRole("button", { name: "Start a new conversation" }).waitFor();
  });

  it("resumes the visitor's conversation after a reload", async () => {
    const operator = await operatorPage("mitchell");
    const visitor = await (await browser.newContext()).newPage();
    await visitor.goto(`${t.url}/livechat/demo`);
    await visitor.getByRole("button", { name: "Have a question? Chat with us." }).click();
    const chat = visitor.getByRole("region", { name: "Live chat" });
    await chat.getByRole("textbox", { name: "Your message" }).fill("Before reload");
    await chat.getByRole("textbox", { name: "Your message" }).press("Enter");
    await chat.getByText("Before reload").waitFor();
    await visitor.reload();
    await visitor.getByRole("region", { name: "Live chat" }).getByText("Before reload").waitFor();
    await operator.getByRole("region", { name: "Chat window" }).last().getByText("Before reload").waitFor();
  });
});
