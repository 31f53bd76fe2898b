import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import type { LivechatChannel } from "../../module/models/LivechatChannel";
import { asVisitor, channelWithOperators, online, startVisitor, type Visitor } from "../conversations/helpers";
import { loggedInPage } from "../support/browser";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Who sees what in real browsers: the Waiting list, Take, and the Messages badge", function () {
  this.timeout(120_000);
  let t: TestHost;
  let browser: Browser;
  before(async () => {
    t = await startTestHost();
    browser = await t.browser();
  });
  after(async () => {
    await t?.stop();
  });

  const operatorPage = (login: string) => loggedInPage(browser, t.url, login, { viewport: { width: 1280, height: 800 } });
  const discuss = async (page: Page) => {
    await page.goto(`${t.url}/livechat/discuss`);
    const sidebar = page.getByRole("navigation", { name: "Conversations" });
    await sidebar.getByText("Loading…").waitFor({ state: "detached" });
    return sidebar;
  };

  it("shows waiting visitors to both operators of the channel live, never as unread; one takes one and it leaves the other's list; nobody's badge counts another's chat", async () => {
    let channel: LivechatChannel;
    let peters: Visitor;
    {
      const made = await channelWithOperators(t, "Billing desk", ["olivia", "peter"], null);
      channel = made.channel;
      const peter = made.operators[1];
      // Peter has a conversation of his own, with a message he has not read.
      await online(t, peter);
      peters = await startVisitor(t, channel.id, { name: "Paula" });
      await asVisitor(t, peters).post(`/livechat/conversations/${peters.id}/messages`, { body: "Where is my refund?" });
      // He closed its chat window (an open one reads what arrives).
      await (await t.login("peter")).postJson(`/livechat/api/windows/${peters.id}`, { state: "closed" });
      // Later, with nobody available, a visitor waits and leaves a message.
      t.clock.advance(3 * 3600_000);
    }
    const waiting = await startVisitor(t, channel.id, { name: "Walter" });
    expect(waiting.body.conversation.state).to.equal("waiting");
    await asVisitor(t, waiting).post(`/livechat/conversations/${waiting.id}/messages`, { body: "My invoice is wrong" });

    const olivia = await operatorPage("olivia");
    const peter = await operatorPage("peter");
    const oliviasSidebar = await discuss(olivia);
    const petersSidebar = await discuss(peter);

    for (const sidebar of [oliviasSidebar, petersSidebar]) {
      const queue = sidebar.getByRole("list", { name: "Waiting" });
      const entry = queue.getByRole("link", { name: /^Walter/ });
      await entry.waitFor();
      expect(await entry.textContent()).to.contain("My invoice is wrong").and.to.match(/waiting for/);
      // Waiting is not unread: no bold entry, no count.
      expect(await entry.evaluate((a) => a.classList.contains("o-unread"))).to.equal(false);
      await queue.getByRole("button", { name: "Take the conversation with Walter" }).waitFor();
    }
    // A visitor who starts waiting now shows up in both lists as they are (both operators count as gone meanwhile).
    t.clock.advance(3 * 3600_000);
    const wanda = await startVisitor(t, channel.id, { name: "Wanda" });
    expect(wanda.body.conversation.state).to.equal("waiting");
    for (const sidebar of [oliviasSidebar, petersSidebar]) await sidebar.getByRole("list", { name: "Waiting" }).getByRole("link", { name: /^Wanda/ }).waitFor();
    // The badge counts Peter's own unread conversation, and nothing for Olivia: the menu has loaded and lists nothing of hers.
    await peter.getByRole("button", { name: "Messages, 1 unread" }).waitFor();
    await olivia.getByRole("button", { name: "Messages" }).click();
    await olivia.getByRole("list", { name: "Recent conversations" }).getByText("No conversations yet.").waitFor();
    expect(await olivia.getByRole("button", { name: /^Messages/ }).getAttribute("aria-label")).to.equal("Messages");
    await olivia.keyboard.press("Escape");
    // Peter's own conversation is in his list only.
    await petersSidebar.getByRole("list", { name: "Billing desk" }).getByRole("link", { name: /^Paula/ }).waitFor();
    expect(await oliviasSidebar.getByRole("link", { name: /^Paula/ }).count()).to.equal(0);

    // Olivia takes it: the conversation opens with a working composer, and she answers.
    await oliviasSidebar.getByRole("button", { name: "Take the conversation with Walter" }).click();
    const conversation = olivia.getByRole("region", { name: "Conversation" });
    const composer = conversation.getByRole("textbox", { name: "Message" });
    await composer.waitFor();
    await olivia.waitForFunction(() => !document.querySelector<HTMLTextAreaElement>("[data-discuss-main] textarea")?.disabled);
    await composer.fill("Hello Walter, let me check your invoice");
    await composer.press("Enter");
    await conversation.getByText("Hello Walter, let me check your invoice").waitFor();
    await oliviasSidebar.getByRole("list", { name: "Billing desk" }).getByRole("link", { name: /^Walter/ }).waitFor();
    const seen = (await asVisitor(t, waiting).get(`/livechat/conversations/${waiting.id}`)).body.conversation;
    expect(seen).to.deep.include({ state: "open", operator: { name: "Operator olivia" } });

    // Peter's Waiting list follows the queue: Walter leaves it as Olivia takes him, Wanda stays.
    await petersSidebar.getByRole("link", { name: /^Walter/ }).waitFor({ state: "detached" });
    await petersSidebar.getByRole("list", { name: "Waiting" }).getByRole("link", { name: /^Wanda/ }).waitFor();
    expect(await peter.getByRole("button", { name: /^Messages/ }).getAttribute("aria-label")).to.equal("Messages, 1 unread");
  });
});
