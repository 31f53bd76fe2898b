import { expect } from "chai";
import type { Page } from "playwright-core";
import { browserScenario } from "../support/browserScenario";

describe("The Messages icon in a real browser", function () {
  this.timeout(120_000);
  const scenario = browserScenario(async (t) => {
    const sofia = (await t.host.users.findByLogin("sofia"))!;
    await t.host.db.transaction((m) => t.host.users.update(sofia.id, { name: sofia.name, langCode: "en_US" }, m));
  });

  async function visitorSays(text: string): Promise<Page> {
    const visitor = await scenario.visitor();
    const chat = visitor.getByRole("region", { name: "Live chat" });
    await chat.getByRole("textbox", { name: "Your message" }).fill(text);
    await chat.getByRole("textbox", { name: "Your message" }).press("Enter");
    await chat.getByText(text).waitFor();
    return visitor;
  }

  it("puts the badge on the icon's corner and lists conversations with avatar, preview and time, unread first; choosing one opens its window", async () => {
    const t = scenario.t;
    const sofia = await scenario.operator("sofia");
    await visitorSays("First, and read");
    const windows = sofia.getByRole("region", { name: "Chat window" });
    await windows.getByText("First, and read").waitFor();
    // Read, then closed: it stays in the menu, below the unread one that comes later.
    await windows.getByRole("button", { name: "Close" }).click();
    await sofia.waitForFunction(() => document.querySelectorAll("section.o-chat-window").length === 0);
    await sofia.goto(`${t.url}/livechat/discuss`);
    const second = await visitorSays("Second, unread");
    await visitorSays("Third, unread and newest");
    const button = sofia.getByRole("button", { name: "Messages, 2 unread" });
    await button.waitFor();

    // The badge overlaps the icon's top right corner.
    const icon = (await button.locator("i").boundingBox())!;
    const badge = (await button.locator("[data-unread-badge]").boundingBox())!;
    expect(await button.locator("[data-unread-badge]").textContent()).to.equal("2");
    expect(badge.x, "badge starts left of the icon's right edge").to.be.below(icon.x + icon.width);
    expect(badge.x + badge.width, "badge ends right of the icon's right edge").to.be.above(icon.x + icon.width);
    expect(badge.y, "badge starts above the icon's top edge").to.be.below(icon.y);
    expect(badge.y + badge.height, "badge ends below the icon's top edge").to.be.above(icon.y);

    await button.click();
    const menu = sofia.getByRole("list", { name: "Recent conversations" });
    const items = menu.getByRole("button");
    await items.nth(2).waitFor();
    const texts = await items.allTextContents();
    // Unread first (newest first among them), then the read one.
    expect(texts[0]).to.contain("Third, unread and newest");
    expect(texts[1]).to.contain("Second, unread");
    expect(texts[2]).to.contain("First, and read");
    for (let i = 0; i < 3; i++) {
      const item = items.nth(i);
      expect(await item.locator(".o-messages-avatar").textContent()).to.match(/^[A-Z0-9#]{1,2}$/);
      expect(await item.locator("time").getAttribute("datetime")).to.match(/^\d{4}-\d\d-\d\dT/);
      expect(await item.locator("time").textContent()).to.match(/^(now|\d+ min\. ago)$/);
    }
    expect(await items.nth(0).getByLabel("1 unread").count()).to.equal(1);
    expect(await items.nth(2).getByLabel("1 unread").count()).to.equal(0);

    // Away from Discuss, choosing one opens its window, ready to answer.
    await sofia.goto(`${t.url}/my/profile`);
    await sofia.getByRole("button", { name: /^Messages/ }).click();
    await sofia.getByRole("list", { name: "Recent conversations" }).getByRole("button", { name: /First, and read/ }).click();
    const reopened = sofia.getByRole("region", { name: "Chat window" }).filter({ hasText: "First, and read" });
    await reopened.getByRole("textbox", { name: "Message" }).waitFor();
    await second.close();
  });
});
