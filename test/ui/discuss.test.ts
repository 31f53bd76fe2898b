import { expect } from "chai";
import { ChatbotScripts } from "../../module/services/chatbot/ChatbotScripts";
import { asVisitor, channelWithOperators, online, startVisitor } from "../conversations/helpers";
import { loggedInPage } from "../support/browser";
import { startTestHost, type TestHost } from "../support/testHost";
import { LivechatChannel } from "../../module/models/LivechatChannel";

describe("Discuss in a real browser: search, more pages, the visitor panel and an ended conversation", function () {
  this.timeout(180_000);
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("finds a conversation by its text, loads older ones, shows the visitor beside the thread, and locks the composer once the visitor ends", async () => {
    const { channel, operators } = await channelWithOperators(t, "Shop help", ["quinn"], null);
    await online(t, operators[0]);
    // Nora first talked with the chatbot, which took her email, then with Quinn; she came back later.
    const scriptId = await new ChatbotScripts(t.host.contract).save(null, {
      name: "Contact",
      botName: "Robbie",
      steps: [
        { type: "email", text: "Your email?" },
        { type: "forward", text: "Connecting you.", expertiseIds: [] },
      ],
    });
    await t.host.db.getRepository(LivechatChannel).update({ id: channel.id }, { chatbotScriptId: scriptId });
    const before = await startVisitor(t, channel.id, { name: "Nora", pageUrl: "https://shop.example/pricing" }, { "Accept-Language": "fr-FR" });
    await asVisitor(t, before).post(`/livechat/conversations/${before.id}/messages`, { body: "nora@example.com" });
    await asVisitor(t, before).post(`/livechat/conversations/${before.id}/messages`, { body: "I was charged twice" });
    await asVisitor(t, before).post(`/livechat/conversations/${before.id}/end`);
    await t.host.db.getRepository(LivechatChannel).update({ id: channel.id }, { chatbotScriptId: null });
    t.clock.advance(60_000);
    // Enough others for a second page.
    for (let i = 1; i <= 50; i++) await startVisitor(t, channel.id, { name: `Shopper ${i}` });
    t.clock.advance(60_000);
    const nora = await startVisitor(
      t,
      channel.id,
      { name: "Nora", visitorKey: before.visitorKey, pageUrl: "https://shop.example/cart", referrer: "https://search.example/?q=shop" },
      { "Accept-Language": "fr-FR" },
    );
    await asVisitor(t, nora).post(`/livechat/conversations/${nora.id}/messages`, { body: "My refund for order 42_B?" });

    const page = await loggedInPage(await t.browser(), t.url, "quinn", { viewport: { width: 1280, height: 800 } });
    await page.goto(`${t.url}/livechat/discuss`);
    const sidebar = page.getByRole("navigation", { name: "Conversations" });
    const list = sidebar.getByRole("list", { name: "Shop help" });
    const entries = list.getByRole("link");
    await list.getByRole("link", { name: /^Nora/ }).first().waitFor();
    expect(await entries.count()).to.equal(50);

    // Older conversations come by scrolling to "Load more" (or clicking it).
    await sidebar.getByRole("button", { name: "Load more" }).waitFor();
    await entries.last().scrollIntoViewIfNeeded();
    await list.getByRole("link", { name: /^Nora/ }).nth(1).waitFor();
    expect(await entries.count()).to.equal(52);
    await sidebar.getByRole("button", { name: "Load more" }).waitFor({ state: "hidden" });

    // Search by message text: only Nora's current conversation, bold with its unread message.
    const search = sidebar.getByRole("searchbox", { name: "Search conversations" });
    await search.fill("order 42_b");
    await list.getByRole("link", { name: /^Shopper/ }).first().waitFor({ state: "detached" });
    expect(await entries.count()).to.equal(1);
    const found = list.getByRole("link", { name: /^Nora/ });
    expect(await found.textContent()).to.contain("My refund for order 42_B?");
    expect(await found.evaluate((a) => a.classList.contains("o-unread"))).to.equal(true);
    await search.fill("%");
    await sidebar.getByText("No conversation matches this search.").waitFor();
    await search.fill("");
    await list.getByRole("link", { name: /^Shopper 50/ }).waitFor();

    await search.fill("nora");
    await list.getByRole("link", { name: /^Shopper/ }).first().waitFor({ state: "detached" });
    await found.first().click();
    const main = page.getByRole("region", { name: "Conversation" });
    await main.getByRole("heading", { name: "Nora" }).first().waitFor();
    await main.getByRole("list", { name: "Messages" }).getByText("My refund for order 42_B?").waitFor();

    // The visitor panel: language, pages, and the earlier conversation with what the chatbot collected there.
    const panel = main.getByRole("complementary", { name: "Visitor information" });
    await panel.getByRole("link", { name: "shop.example/cart" }).waitFor();
    const panelText = await panel.textContent();
    expect(panelText).to.contain("French (France)").and.contain("search.example/?q=shop");
    const earlier = panel.getByRole("list", { name: "Earlier conversations" }).getByRole("link");
    expect(await earlier.count()).to.equal(1);
    await page.screenshot({ path: "/tmp/discuss-panel.png" });
    await earlier.click();
    await page.waitForURL(`${t.url}/livechat/discuss?conversation=${before.id}`);
    await panel.getByRole("link", { name: "nora@example.com" }).waitFor();
    await panel.getByRole("link", { name: "shop.example/pricing" }).waitFor();
    // Ended by the visitor before: said so, and nothing to write with.
    await main.getByRole("status").filter({ hasText: "The visitor ended this conversation." }).waitFor();
    expect(await main.getByRole("textbox", { name: "Message" }).isDisabled()).to.equal(true);
    expect(await main.getByRole("button", { name: "Send" }).isDisabled()).to.equal(true);
    expect(await main.getByRole("button", { name: "End conversation" }).isVisible()).to.equal(false);

    // Back to the current one, which the visitor ends while Quinn looks at it.
    await page.goBack();
    await main.getByRole("list", { name: "Messages" }).getByText("My refund for order 42_B?").waitFor();
    const composer = main.getByRole("textbox", { name: "Message" });
    expect(await composer.isDisabled()).to.equal(false);
    await asVisitor(t, nora).post(`/livechat/conversations/${nora.id}/end`);
    await main.getByRole("status").filter({ hasText: "The visitor ended this conversation." }).waitFor();
    expect(await composer.isDisabled()).to.equal(true);
    expect(await main.getByRole("button", { name: "Send" }).isDisabled()).to.equal(true);
    expect(await main.getByRole("button", { name: "End conversation" }).isVisible()).to.equal(false);
    await page.screenshot({ path: "/tmp/discuss-ended.png" });
  });
});
