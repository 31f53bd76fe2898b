import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, loggedInPage } from "../support/browser";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Operators in a real browser", () => {
  let t: TestHost;
  let browser: Browser;
  before(async () => {
    t = await startTestHost();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  const loginPage = (login: string) => loggedInPage(browser, t.url, login);

  async function openMenu(page: Page, app: string, entry: string): Promise<void> {
    const nav = page.getByRole("navigation", { name: "Main menu" });
    await nav.getByRole("button", { name: app }).click();
    await nav.getByRole("link", { name: entry, exact: true }).click();
  }

  it("leaves and joins Website Support from the kanban, the button changing each time", async () => {
    const page = await loginPage("marc");
    await openMenu(page, "Live Chat", "Channels");
    await page.waitForURL(`${t.url}/livechat/channels`);
    const card = page.getByRole("listitem", { name: "Website Support" });
    await card.getByRole("button", { name: "Leave" }).click();
    await card.getByRole("button", { name: "Join" }).waitFor();
    expect(await card.getByText("2 operators").isVisible()).to.equal(true);
    expect(await card.getByLabel("Marc Demo").count()).to.equal(0);

    await card.getByRole("button", { name: "Join" }).click();
    await card.getByRole("button", { name: "Leave" }).waitFor();
    expect(await card.getByText("3 operators").isVisible()).to.equal(true);
    expect(await card.getByLabel("Marc Demo").count()).to.equal(1);
    // The change is stored: a reload shows the same.
    await page.reload();
    expect(await page.getByRole("listitem", { name: "Website Support" }).getByRole("button", { name: "Leave" }).count()).to.equal(1);
    await page.context().close();
  });

  it("reaches every page from the menus: Channels, Configuration → Expertise and Operators, My Profile → Preferences", async () => {
    const page = await loginPage("admin");
    await openMenu(page, "Live Chat", "Channels");
    await page.getByRole("list", { name: "Channels" }).waitFor();

    await openMenu(page, "Live Chat", "Expertise");
    await page.getByRole("table", { name: "Expertise" }).waitFor();
    await page.getByRole("link", { name: "New" }).click();
    await page.getByLabel("Name").fill("Shipping");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("link", { name: "Shipping" }).waitFor();

    await openMenu(page, "Live Chat", "Operators");
    await page.getByRole("table", { name: "Operators" }).waitFor();

    await page.getByRole("button", { name: "User menu" }).click();
    await page.getByRole("link", { name: "My Profile" }).click();
    await page.getByRole("tab", { name: "Preferences" }).waitFor();
    await page.getByLabel("Online Chat Name").fill("Mitch");
    await page.getByLabel("Online Chat Languages").selectOption(["fr_FR", "es_ES"]);
    await page.getByLabel("Live Chat Expertise").selectOption({ label: "Shipping" });
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Your profile was saved." }).waitFor();
    expect(await page.getByLabel("Online Chat Name").inputValue()).to.equal("Mitch");
    const selected = await page.getByLabel("Online Chat Languages").evaluate((el) =>
      [...(el as HTMLSelectElement).selectedOptions].map((o) => o.value),
    );
    expect(selected).to.have.members(["fr_FR", "es_ES"]);
    await page.context().close();
  });
});
