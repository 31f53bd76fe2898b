import path from "node:path";
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { ROOT_DIR } from "../../host/app";
import { ASSIGN_WAITING_JOB } from "../../module/conversations";
import { Conversation } from "../../module/models/Conversation";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { Message } from "../../module/models/Message";
import { loggedInPage } from "../support/browser";
import { startTestHost, type TestHost } from "../support/testHost";

const SHOTS = process.env.SCREENSHOTS === "1";
const shot = async (page: Page, name: string) => {
  if (SHOTS) await page.screenshot({ path: path.join(ROOT_DIR, "docs", name) });
};

/** A new visitor on the demo page who opens the chat and sends `text`, once the widget shows it. */
async function openChatAndSay(browser: Browser, url: string, text: string): Promise<Page> {
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(`${url}/livechat/demo`);
  await visitor.getByRole("button", { name: "Have a question? Chat with us." }).click();
  const chat = visitor.getByRole("region", { name: "Live chat" });
  await chat.getByRole("textbox", { name: "Your message" }).fill(text);
  await chat.getByRole("textbox", { name: "Your message" }).press("Enter");
  await chat.getByText(text).waitFor();
  return visitor;
}

/**
 * The page's POSTs of messages, typing and read marks over HTTP once its bus socket is live, and the
 * posts the socket sends, as they happen; `ready` once the socket is live. Before that a page rightly
 * sends over HTTP: an operator's windows mark what they show read as the page loads.
 */
function watchPosts(page: Page): { httpPosts: string[]; socketPosts: string[]; ready: Promise<void> } {
  const httpPosts: string[] = [];
  const socketPosts: string[] = [];
  let live = false;
  page.on("request", (r) => {
    if (live && r.method() === "POST" && /\/(messages|typing|read)$/.test(r.url())) httpPosts.push(r.url());
  });
  const ready = new Promise<void>((resolve) =>
    page.on("websocket", (ws) => {
      ws.on("framereceived", (frame) => {
        if (!String(frame.payload).includes('"op":"ready"')) return;
        live = true;
        resolve();
      });
      ws.on("framesent", (frame) => {
        if (String(frame.payload).includes('"op":"post"')) socketPosts.push(String(frame.payload));
      });
    }),
  );
  return { httpPosts, socketPosts, ready };
}

/** One message, `text`, went over the socket and nothing over HTTP; typing started, then stopped as the message left. */
function expectSentOnSocket(httpPosts: string[], socketPosts: string[], text: string): void {
  expect(httpPosts).to.deep.equal([]);
  const sentMessages = socketPosts.filter((p) => p.includes("/messages"));
  expect(sentMessages).to.have.length(1);
  expect(sentMessages[0]).to.contain(text);
  expect(socketPosts.filter((p) => p.includes("/typing")).map((p) => (JSON.parse(p) as { body: { typing: boolean } }).body.typing)).to.deep.equal([true, false]);
}

describe("Live chat in real browsers: visitor widget, operator windows, Discuss, Messages", function () {
  this.timeout(90_000);
  let t: TestHost;
  let browser: Browser;
  before(async () => {
    t = await startTestHost();
    // Operators answer directly here; the chatbot flow has its own browser test.
    await t.host.db.getRepository(LivechatChannel).update({ name: "Website Support" }, { chatbotScriptId: null });
    browser = await t.browser();
  });
  after(async () => {
    await t?.stop();
  });

  const operatorPage = (login: string) => loggedInPage(browser, t.url, login, { viewport: { width: 1280, height: 800 } });

  it("chats both ways, keeps the window across pages, shows Discuss unread in bold, escapes HTML, and ends", async () => {
    const operator = await operatorPage("mitchell");
    const visitor = await (await browser.newContext({ viewport: { width: 1100, height: 760 } })).newPage();
    const scriptErrors: string[] = [];
    for (const page of [operator, visitor]) page.on("pageerror", (error) => scriptErrors.push(error.message));
    await visitor.goto(`${t.url}/livechat/demo`);
    await visitor.getByRole("button", { name: "Have a question? Chat with us." }).click();
    const chat = visitor.getByRole("region", { name: "Live chat" });
    await chat.getByRole("textbox", { name: "Your message" }).fill("Hello, I need help with my order");
    await chat.getByRole("textbox", { name: "Your message" }).press("Enter");

    // The operator gets a chat window with the visitor's message, and answers.
    const chatWindow = operator.getByRole("region", { name: "Chat window" });
    await chatWindow.getByText("Hello, I need help with my order").waitFor();
    await chatWindow.getByRole("textbox", { name: "Message" }).fill("Sure! What is your order number?");
    await chatWindow.getByRole("textbox", { name: "Message" }).press("Enter");

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
    expect(await operator.evaluate(() => (globalThis as { __xss?: number }).__xss)).to.equal(undefined);
    expect(await visitor.evaluate(() => (globalThis as { __xss?: number }).__xss)).to.equal(undefined);

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
    // Discuss shows conversations in the page: the chat windows stay out of the way there.
    expect(await operator.getByRole("region", { name: "Chat window" }).isVisible()).to.equal(false);
    const sidebar = operator.getByRole("navigation", { name: "Conversations" });
    const entry = sidebar.getByRole("list", { name: "Website Support" }).getByRole("link");
    await entry.first().waitFor();
    expect(await entry.first().evaluate((a) => getComputedStyle(a.querySelector(".o-discuss-name") as Element).fontWeight)).to.equal("700");
    await entry.first().click();
    await operator.getByRole("region", { name: "Conversation" }).getByText("Are you still there?").waitFor();
    expect(await operator.getByRole("region", { name: "Conversation" }).getByText(attack).count()).to.equal(1);
    expect(await operator.evaluate(() => (globalThis as { __xss?: number }).__xss)).to.equal(undefined);
    await operator.waitForFunction(() => !document.querySelector(".o-discuss-item.o-unread"));
    expect(await entry.first().evaluate((a) => getComputedStyle(a.querySelector(".o-discuss-name") as Element).fontWeight)).to.equal("400");
    await operator.getByRole("button", { name: "Messages", exact: true }).waitFor();

    // Replying from Discuss, then ending from the window: the visitor sees both.
    await operator.getByRole("region", { name: "Conversation" }).getByRole("textbox", { name: "Message" }).fill("Yes, checking now.");
    await operator.getByRole("region", { name: "Conversation" }).getByRole("textbox", { name: "Message" }).press("Enter");
    await chat.getByText("Yes, checking now.").waitFor();
    await operator.goto(`${t.url}/web`);
    await operator.getByRole("region", { name: "Chat window" }).getByRole("button", { name: "Unfold" }).click();
    await operator.getByRole("region", { name: "Chat window" }).getByText("Yes, checking now.").waitFor();
    await operator.getByRole("region", { name: "Chat window" }).getByRole("button", { name: "End conversation" }).click();
    await operator.getByRole("region", { name: "Chat window" }).getByRole("status").filter({ hasText: "This conversation has ended." }).waitFor();
    await chat.getByRole("status").filter({ hasText: "The conversation has ended." }).waitFor();
    await chat.getByRole("button", { name: "Start a new conversation" }).waitFor();
    expect(scriptErrors).to.deep.equal([]);
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
    const chatWindow = operator.getByRole("region", { name: "Chat window" }).filter({ hasText: "Before reload" });
    await chatWindow.getByText("Before reload").waitFor();

    // The visitor ends it: the operator's window says so, and the visitor may start again.
    await visitor.getByRole("region", { name: "Live chat" }).getByRole("button", { name: "End conversation" }).click();
    await visitor.getByRole("region", { name: "Live chat" }).getByRole("status").filter({ hasText: "The conversation has ended." }).waitFor();
    await chatWindow.getByRole("status").filter({ hasText: "This conversation has ended." }).waitFor();
    expect(await chatWindow.getByRole("textbox", { name: "Message" }).isDisabled()).to.equal(true);
    await visitor.getByRole("region", { name: "Live chat" }).getByRole("button", { name: "Start a new conversation" }).click();
    await visitor.getByRole("region", { name: "Live chat" }).getByRole("textbox", { name: "Your message" }).waitFor();
    expect(await visitor.getByRole("region", { name: "Live chat" }).getByText("Before reload").count()).to.equal(0);
  });

  it("sends the visitor's messages and typing over the widget's open socket, without an HTTP request each", async () => {
    // An operator online, so the conversation is open and the visitor's typing is sent.
    const operator = await operatorPage("mitchell");
    const visitor = await (await browser.newContext()).newPage();
    const { httpPosts, socketPosts, ready } = watchPosts(visitor);
    await visitor.goto(`${t.url}/livechat/demo`);
    await visitor.getByRole("button", { name: "Have a question? Chat with us." }).click();
    await ready;
    const chat = visitor.getByRole("region", { name: "Live chat" });
    await chat.getByRole("textbox", { name: "Your message" }).fill("Sent on the socket");
    await chat.getByRole("textbox", { name: "Your message" }).press("Enter");
    await chat.getByText("Sent on the socket").waitFor();
    await operator.getByRole("region", { name: "Chat window" }).getByText("Sent on the socket").waitFor();
    expect(await t.host.db.getRepository(Message).countBy({ body: "Sent on the socket" })).to.equal(1);
    expectSentOnSocket(httpPosts, socketPosts, "Sent on the socket");
  });

  it("sends the operator's messages and typing over the page's open socket, without an HTTP request each", async () => {
    const operator = await operatorPage("mitchell");
    const { httpPosts, socketPosts, ready } = watchPosts(operator);
    // The page's socket, opened again now that it is watched.
    await operator.reload();
    await ready;
    const chat = (await openChatAndSay(browser, t.url, "Is anyone there?")).getByRole("region", { name: "Live chat" });
    const chatWindow = operator.getByRole("region", { name: "Chat window" }).filter({ hasText: "Is anyone there?" });
    await chatWindow.getByText("Is anyone there?").waitFor();
    await chatWindow.getByRole("textbox", { name: "Message" }).fill("Answered on the socket");
    await chatWindow.getByRole("textbox", { name: "Message" }).press("Enter");
    await chat.getByText("Answered on the socket").waitFor();
    await chatWindow.getByText("Answered on the socket").waitFor();
    expect(await t.host.db.getRepository(Message).countBy({ body: "Answered on the socket" })).to.equal(1);
    expectSentOnSocket(httpPosts, socketPosts, "Answered on the socket");
  });
});

describe("Messages icon, Discuss and chat windows across tabs", function () {
  this.timeout(90_000);
  let t: TestHost;
  let browser: Browser;
  before(async () => {
    // A host of its own: only Sofia is online here, so every visitor is hers.
    t = await startTestHost();
    await t.host.db.getRepository(LivechatChannel).update({ name: "Website Support" }, { chatbotScriptId: null });
    // These tests read the English interface; translated pages are tested in test/i18n.
    const sofia = (await t.host.users.findByLogin("sofia"))!;
    await t.host.db.transaction((m) => t.host.users.update(sofia.id, { name: sofia.name, langCode: "en_US" }, m));
    browser = await t.browser();
  });
  after(async () => {
    await t?.stop();
  });

  const visitorSays = (text: string) => openChatAndSay(browser, t.url, text);

  it("counts unread conversations on the Messages badge, opens them from its menu, and ends one from Discuss", async () => {
    const sofia = await loggedInPage(browser, t.url, "sofia", { viewport: { width: 1280, height: 800 } });
    // On Discuss with nothing selected, arriving messages stay unread.
    await sofia.goto(`${t.url}/livechat/discuss`);
    await sofia.getByText("No live chat conversation yet", { exact: false }).waitFor();
    const first = await visitorSays("First visitor here");
    await visitorSays("Second visitor here");
    await sofia.getByRole("button", { name: "Messages, 2 unread" }).waitFor();
    const sidebar = sofia.getByRole("navigation", { name: "Conversations" });
    await sidebar.locator(".o-discuss-item.o-unread").nth(1).waitFor();

    // The menu lists both, unread ones in bold; choosing one on Discuss opens it in the page.
    await sofia.getByRole("button", { name: "Messages, 2 unread" }).click();
    const menu = sofia.getByRole("list", { name: "Recent conversations" });
    const item = menu.getByRole("button", { name: /First visitor here/ });
    expect(await item.evaluate((b) => getComputedStyle(b.querySelector(".o-messages-name") as Element).fontWeight)).to.equal("700");
    await item.click();
    await sofia.getByRole("region", { name: "Conversation" }).getByText("First visitor here").waitFor();
    expect(new URL(sofia.url()).searchParams.get("conversation")).to.match(/^\d+$/);
    await sofia.getByRole("button", { name: "Messages, 1 unread" }).waitFor();
    const conversation = sofia.getByRole("region", { name: "Conversation" });
    await conversation.getByRole("textbox", { name: "Message" }).fill("Hi! I am Sofia, how can I help?");
    await conversation.getByRole("textbox", { name: "Message" }).press("Enter");
    await conversation.getByText("Hi! I am Sofia, how can I help?").waitFor();
    await first.getByRole("region", { name: "Live chat" }).getByText("Hi! I am Sofia, how can I help?").waitFor();
    await shot(sofia, "discuss.png");

    // Ending from Discuss: the visitor sees it ended.
    await conversation.getByRole("button", { name: "End conversation" }).click();
    await conversation.getByRole("status").filter({ hasText: "Sofia Herrera ended this conversation." }).waitFor();
    await first.getByRole("region", { name: "Live chat" }).getByRole("status").filter({ hasText: "The conversation has ended." }).waitFor();

    // On any other page, both windows are there; an open window marks its conversation read.
    await sofia.goto(`${t.url}/my/profile`);
    const windows = sofia.getByRole("region", { name: "Chat window" });
    await windows.nth(1).waitFor();
    expect(await windows.count()).to.equal(2);
    await sofia.getByRole("button", { name: "Messages", exact: true }).waitFor();

    // A closed window comes back from the Messages menu.
    const second = windows.filter({ hasText: "Second visitor here" });
    await second.getByRole("button", { name: "Close" }).click();
    await sofia.waitForFunction(() => document.querySelectorAll("section.o-chat-window").length === 1);
    await sofia.getByRole("button", { name: "Messages", exact: true }).click();
    await sofia.getByRole("list", { name: "Recent conversations" }).getByRole("button", { name: /Second visitor here/ }).click();
    await windows.filter({ hasText: "Second visitor here" }).getByRole("textbox", { name: "Message" }).waitFor();
    expect(await windows.count()).to.equal(2);
  });

  it("keeps every tab's windows in step and opens new conversations on all of them", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const tab1 = await context.newPage();
    await tab1.goto(`${t.url}/web/login`);
    await tab1.getByLabel("Login").fill("sofia");
    await tab1.getByLabel("Password").fill("sofia");
    await tab1.getByRole("button", { name: "Log in" }).click();
    await tab1.waitForURL(`${t.url}/web`);
    const tab2 = await context.newPage();
    await tab2.goto(`${t.url}/my/profile`);
    await tab1.waitForFunction(() => !!(globalThis as { hostBus?: unknown }).hostBus);

    const third = await visitorSays("Hello from a third visitor");
    const inTab1 = tab1.getByRole("region", { name: "Chat window" }).filter({ hasText: "Hello from a third visitor" });
    const inTab2 = tab2.getByRole("region", { name: "Chat window" }).filter({ hasText: "Hello from a third visitor" });
    await inTab1.waitFor();
    await inTab2.waitFor();

    await inTab1.getByRole("button", { name: "Fold" }).click();
    await inTab2.getByRole("button", { name: "Unfold" }).waitFor();
    await inTab2.getByRole("button", { name: "Close" }).click();
    await tab1.waitForFunction(() => ![...document.querySelectorAll("section.o-chat-window")].some((w) => w.textContent?.includes("third visitor")));

    // The visitor writes again: the closed window opens again on both tabs, folded as it was, with
    // the unread count on its header.
    const chat = third.getByRole("region", { name: "Live chat" });
    await chat.getByRole("textbox", { name: "Your message" }).fill("Are you still there?");
    await chat.getByRole("textbox", { name: "Your message" }).press("Enter");
    for (const tab of [inTab1, inTab2]) {
      await tab.getByRole("button", { name: "Unfold" }).waitFor();
      await tab.getByLabel("1 unread").waitFor();
    }
    // Unfolded and read in one tab: the other unfolds and its count goes at once.
    await inTab1.getByRole("button", { name: "Unfold" }).click();
    await inTab1.getByText("Are you still there?").waitFor();
    await inTab2.getByText("Are you still there?").waitFor();
    for (const tab of [inTab1, inTab2]) await tab.getByLabel("1 unread").waitFor({ state: "hidden" });
  });
});

describe("The visitor's waiting queue in a real browser", function () {
  this.timeout(90_000);
  let t: TestHost;
  let browser: Browser;
  let demoScriptId: number | null;
  before(async () => {
    // Nobody is online on this host; an operator takes one conversation at a time.
    t = await startTestHost();
    demoScriptId = (await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Website Support" })).chatbotScriptId;
    await t.host.db.getRepository(LivechatChannel).update({ name: "Website Support" }, { chatbotScriptId: null, maxSessions: 1 });
    browser = await t.browser();
  });
  const openWidget = async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${t.url}/livechat/demo`);
    await page.getByRole("button", { name: "Have a question? Chat with us." }).click();
    return page.getByRole("region", { name: "Live chat" });
  };
  after(async () => {
    await t?.stop();
  });

  it("tells waiting visitors their place, lets them leave a message, and moves them up live", async () => {
    const first = await openWidget();
    await first.getByRole("status").filter({ hasText: "No operator is available right now. You are number 1 in the queue" }).waitFor();
    expect(await first.getByRole("heading").textContent()).to.equal("Website Support");
    const second = await openWidget();
    await second.getByRole("status").filter({ hasText: "You are number 2 in the queue" }).waitFor();
    await second.getByRole("textbox", { name: "Your message" }).fill("Please call me back about my invoice");
    await second.getByRole("textbox", { name: "Your message" }).press("Enter");
    await second.getByText("Please call me back about my invoice").waitFor();

    // Mitchell comes online: the first visitor is his, the second moves up without reloading.
    const mitchell = (await t.host.users.findByLogin("mitchell"))!;
    await t.host.presence.recordActivity(mitchell.id);
    await t.host.scheduler.runNow(ASSIGN_WAITING_JOB);
    await first.getByRole("heading", { name: "Mitchell" }).waitFor();
    await second.getByRole("status").filter({ hasText: "You are number 1 in the queue" }).waitFor();
    await shot(second.page(), "visitor-waiting.png");

    // The message left while waiting is there for the operator once the visitor is served.
    const operator = await loggedInPage(browser, t.url, "mitchell", { viewport: { width: 1280, height: 800 } });
    await operator.getByRole("region", { name: "Chat window" }).getByRole("button", { name: "End conversation" }).click();
    await t.host.scheduler.runNow(ASSIGN_WAITING_JOB);
    await second.getByRole("heading", { name: "Mitchell" }).waitFor();
    await operator.getByRole("region", { name: "Chat window" }).getByText("Please call me back about my invoice").waitFor();
  });

  it("moves a waiting visitor up live when the one ahead leaves", async () => {
    // Mitchell is at the channel's limit: both wait.
    const ahead = await openWidget();
    await ahead.getByRole("status").filter({ hasText: "You are number 1 in the queue" }).waitFor();
    const behind = await openWidget();
    await behind.getByRole("status").filter({ hasText: "You are number 2 in the queue" }).waitFor();
    await ahead.getByRole("button", { name: "End conversation" }).click();
    await ahead.getByRole("status").filter({ hasText: "The conversation has ended." }).waitFor();
    await behind.getByRole("status").filter({ hasText: "You are number 1 in the queue" }).waitFor();
    await behind.getByRole("button", { name: "End conversation" }).click();
    await behind.getByRole("status").filter({ hasText: "The conversation has ended." }).waitFor();
  });

  it("tells a visitor the chatbot could not hand over their place in the queue once, live", async () => {
    await t.host.db.getRepository(LivechatChannel).update({ name: "Website Support" }, { chatbotScriptId: demoScriptId });
    try {
      // Mitchell, the Billing expert, is at the channel's limit; nobody else is online.
      const ahead = await openWidget();
      await ahead.getByRole("group", { name: "Answers" }).getByRole("button", { name: "Billing" }).click();
      await ahead.getByRole("status").filter({ hasText: "You are number 1 in the queue" }).waitFor();
      const behind = await openWidget();
      await behind.getByRole("group", { name: "Answers" }).getByRole("button", { name: "Billing" }).click();
      await behind.getByRole("status").filter({ hasText: "You are number 2 in the queue" }).waitFor();
      await behind.getByText("Let me connect you with someone from Billing.").waitFor();
      expect(await behind.getByText(/queue/).count()).to.equal(1);
      await ahead.getByRole("button", { name: "End conversation" }).click();
      await behind.getByRole("status").filter({ hasText: "You are number 1 in the queue" }).waitFor();
      expect(await behind.getByText(/queue/).count()).to.equal(1);
      await behind.getByRole("button", { name: "End conversation" }).click();
      await behind.getByRole("status").filter({ hasText: "The conversation has ended." }).waitFor();
    } finally {
      await t.host.db.getRepository(LivechatChannel).update({ name: "Website Support" }, { chatbotScriptId: null });
    }
  });

  it("keeps what a visitor left in the queue for managers to find under All Conversations, out of the operators' inboxes", async () => {
    // Mitchell is at the channel's limit now: newcomers wait. One leaves a message and goes.
    const visitor = await (await browser.newContext()).newPage();
    await visitor.goto(`${t.url}/livechat/demo`);
    await visitor.getByRole("button", { name: "Have a question? Chat with us." }).click();
    const chat = visitor.getByRole("region", { name: "Live chat" });
    await chat.getByRole("status").filter({ hasText: "You are number 1 in the queue" }).waitFor();
    await chat.getByRole("textbox", { name: "Your message" }).fill("No rush: my address changed to 5 Main St");
    await chat.getByRole("textbox", { name: "Your message" }).press("Enter");
    await chat.getByText("No rush: my address changed to 5 Main St").waitFor();
    await chat.getByRole("button", { name: "End conversation" }).click();
    await chat.getByRole("status").filter({ hasText: "The conversation has ended." }).waitFor();
    const left = await t.host.db.getRepository(Message).findOneByOrFail({ body: "No rush: my address changed to 5 Main St" });
    const name = (await t.host.db.getRepository(Conversation).findOneByOrFail({ id: left.conversationId })).visitorName;

    // Nobody took it: it is in no operator's inbox.
    const sofia = await loggedInPage(browser, t.url, "sofia", { viewport: { width: 1280, height: 800 } });
    await sofia.goto(`${t.url}/livechat/discuss`);
    const sofiasList = sofia.getByRole("navigation", { name: "Conversations" });
    await sofiasList.getByText("Loading…").waitFor({ state: "detached" });
    expect(await sofiasList.getByRole("link", { name: new RegExp(`^${name}\\b`) }).count()).to.equal(0);

    const admin = await loggedInPage(browser, t.url, "admin", { viewport: { width: 1280, height: 800 } });
    await admin.getByRole("navigation", { name: "Main menu" }).getByRole("button", { name: "Live Chat" }).click();
    await admin.getByRole("link", { name: "All Conversations" }).click();
    await admin.getByLabel("State").selectOption({ label: "Ended" });
    await admin.getByLabel("Operator").selectOption({ label: "Nobody yet" });
    await admin.getByRole("button", { name: "Filter" }).click();
    await admin.getByRole("table", { name: "All Conversations" }).getByRole("link", { name }).click();
    const conversation = admin.getByRole("region", { name: "Conversation" });
    await conversation.getByText("No rush: my address changed to 5 Main St").waitFor();
    await conversation.getByRole("status").filter({ hasText: "The visitor ended this conversation." }).waitFor();
    expect(await conversation.getByRole("textbox", { name: "Message" }).isDisabled()).to.equal(true);
  });
});
