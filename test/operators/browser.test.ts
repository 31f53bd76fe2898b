import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { ChannelService } from "../../module/services/ChannelService";
import { INACTIVITY_JOB } from "../../module/services/InactivityRule";
import { loggedInPage } from "../support/browser";
import { readmeShot } from "../support/screenshot";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Operators in a real browser", () => {
  let t: TestHost;
  let browser: Browser;
  before(async () => {
    t = await startTestHost();
    browser = await t.browser();
    // These tests read the English interface; Marc's own French pages are tested in test/i18n.
    const marc = (await t.host.users.findByLogin("marc"))!;
    await t.host.db.transaction((m) => t.host.users.update(marc.id, { name: marc.name, langCode: "en_US" }, m));
  });
  after(async () => {
    await t?.stop();
  });

  const loginPage = (login: string) => loggedInPage(browser, t.url, login);

  async function openMenu(page: Page, app: string, entry: string): Promise<void> {
    const nav = page.getByRole("navigation", { name: "Main menu" });
    await nav.getByRole("button", { name: app }).click();
    await nav.getByRole("link", { name: entry, exact: true }).click();
  }

  /** The tags a tag input shows: each has a button to remove it, named after the tag. */
  async function tagsOf(page: Page, label: string): Promise<string[]> {
    const wrapper = page.locator(".ts-wrapper").filter({ has: page.getByRole("combobox", { name: label }) });
    const names = await wrapper.getByRole("button").evaluateAll((buttons) => buttons.map((b) => b.getAttribute("aria-label") ?? ""));
    return names.map((name) => name.replace(/^Remove /, ""));
  }

  /** A kanban card's state as a person sees it: its button, count and avatars. */
  async function expectCard(page: Page, name: string, button: "Join" | "Leave", count: string, marcShown: boolean): Promise<void> {
    const card = page.getByRole("listitem", { name });
    await card.getByRole("button", { name: button, exact: true }).waitFor();
    expect(await card.getByText(count, { exact: true }).isVisible()).to.equal(true);
    expect(await card.getByLabel("Marc Demo").count()).to.equal(marcShown ? 1 : 0);
  }

  it("joins then leaves a channel from the kanban, the card changing at once without a reload", async () => {
    const admin = (await t.host.users.findByLogin("admin"))!;
    await new ChannelService(t.host.contract).save(
      null,
      { name: "Returns Desk", welcomeMessage: "", buttonText: "Chat with us", maxSessions: null, memberIds: [] },
      admin,
    );
    const page = await loginPage("marc");
    await openMenu(page, "Live Chat", "Channels");
    await page.waitForURL(`${t.url}/livechat/channels`);
    await expectCard(page, "Returns Desk", "Join", "0 operators", false);
    // A marker on the window survives only if the page is not reloaded.
    await page.evaluate(() => ((window as unknown as { kept?: boolean }).kept = true));

    const card = page.getByRole("listitem", { name: "Returns Desk" });
    await card.getByRole("button", { name: "Join" }).click();
    await expectCard(page, "Returns Desk", "Leave", "1 operator", true);
    await card.getByRole("button", { name: "Leave" }).click();
    await expectCard(page, "Returns Desk", "Join", "0 operators", false);
    expect(await page.evaluate(() => (window as unknown as { kept?: boolean }).kept)).to.equal(true);

    await card.getByRole("button", { name: "Join" }).click();
    await expectCard(page, "Returns Desk", "Leave", "1 operator", true);
    await readmeShot(page, "channels-kanban.png");
    // The change is stored: a reload shows the same.
    await page.reload();
    await expectCard(page, "Returns Desk", "Leave", "1 operator", true);
    await page.context().close();
  });

  it("joins and leaves with JavaScript turned off, as plain form posts", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${t.url}/web/login`);
    await page.getByLabel("Login").fill("marc");
    await page.getByLabel("Password").fill("marc");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${t.url}/web`);
    await page.goto(`${t.url}/livechat/channels`);
    const card = page.getByRole("listitem", { name: "Returns Desk" });
    await card.getByRole("button", { name: "Leave" }).click();
    await page.waitForURL(`${t.url}/livechat/channels`);
    await expectCard(page, "Returns Desk", "Join", "0 operators", false);
    await card.getByRole("button", { name: "Join" }).click();
    await page.waitForURL(`${t.url}/livechat/channels`);
    await expectCard(page, "Returns Desk", "Leave", "1 operator", true);
    await context.close();
  });

  it("shows Join again on the open kanban when the 30-minute rule removes the operator", async () => {
    const login = await loginPage("marc");
    // A page of its own, on which no input ever happens: an open, idle tab.
    const page = await login.context().newPage();
    await login.close();
    await page.goto(`${t.url}/livechat/channels`);
    await expectCard(page, "Website Support", "Leave", "3 operators", true);
    // The page listens to the bus once the connection reported ready (it then stores the last id).
    await page.waitForFunction(() => window.sessionStorage.getItem("host.bus.last") !== null);

    t.clock.advance(31 * 60_000);
    // Mitchell and Sofia keep working; only Marc has been away for 31 minutes.
    for (const login of ["mitchell", "sofia"]) await t.host.presence.recordActivity((await t.host.users.findByLogin(login))!.id);
    expect(await t.host.scheduler.runNow(INACTIVITY_JOB)).to.equal(true);

    await expectCard(page, "Website Support", "Join", "2 operators", false);
    await expectCard(page, "Returns Desk", "Join", "0 operators", false);
    await page.getByRole("alert").filter({ hasText: "inactive for too long" }).waitFor();
    // Back at the desk, Marc joins again.
    await page.getByRole("listitem", { name: "Website Support" }).getByRole("button", { name: "Join" }).click();
    await expectCard(page, "Website Support", "Leave", "3 operators", true);
    await page.context().close();
  });

  it("reaches every page from the menus: Channels and the channel form, Configuration → Expertise and Operators with the operator form, My Profile → Preferences", async () => {
    const page = await loginPage("admin");
    await openMenu(page, "Live Chat", "Channels");
    await page.getByRole("list", { name: "Channels" }).waitFor();
    await page.getByRole("link", { name: "Configure Website Support" }).click();
    expect(await page.getByLabel("Channel Name").inputValue()).to.equal("Website Support");
    await page.getByRole("link", { name: "Discard" }).click();
    await page.getByRole("link", { name: "New" }).click();
    await page.getByLabel("Channel Name").waitFor();

    await openMenu(page, "Live Chat", "Expertise");
    await page.getByRole("table", { name: "Expertise" }).waitFor();
    await page.getByRole("link", { name: "New" }).click();
    await page.getByLabel("Name").fill("Shipping");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("link", { name: "Shipping" }).waitFor();

    await openMenu(page, "Live Chat", "Operators");
    await page.getByRole("table", { name: "Operators" }).getByRole("link", { name: "Sofia Herrera" }).click();
    await page.getByLabel("Online Chat Name").waitFor();
    await page.getByRole("button", { name: "Remove Sales" }).waitFor();
    expect(await tagsOf(page, "Live Chat Expertise")).to.have.members(["Sales", "Technical"]);

    await page.context().close();
  });

  it("picks and removes Online Chat Languages and Live Chat Expertise as tags with the keyboard, and saves them", async () => {
    const page = await loginPage("admin");
    await page.getByRole("button", { name: "User menu" }).click();
    await page.getByRole("link", { name: "My Profile" }).click();
    await page.getByRole("tab", { name: "Preferences" }).waitFor();
    await page.getByLabel("Online Chat Name").fill("Mitch");
    // Tags are chosen and removed with the keyboard: type, Enter; Backspace removes the last one.
    const languages = page.getByRole("combobox", { name: "Online Chat Languages" });
    await languages.focus();
    const choices = page.getByRole("listbox", { name: "Online Chat Languages" });
    for (const name of ["French / Français", "Spanish / Español", "German / Deutsch"]) {
      await page.keyboard.type(name.slice(0, 4));
      await choices.getByRole("option", { name }).waitFor();
      await page.keyboard.press("Enter");
      await page.getByRole("button", { name: `Remove ${name}` }).waitFor();
    }
    await page.keyboard.press("Backspace");
    await page.getByRole("button", { name: "Remove German / Deutsch" }).waitFor({ state: "detached" });
    await page.keyboard.press("Tab");
    await page.keyboard.type("Ship");
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Remove Shipping" }).waitFor();
    await readmeShot(page, "profile-tags.png");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Your profile was saved." }).waitFor();
    expect(await page.getByLabel("Online Chat Name").inputValue()).to.equal("Mitch");
    expect(await tagsOf(page, "Online Chat Languages")).to.have.members(["French / Français", "Spanish / Español"]);
    expect(await tagsOf(page, "Live Chat Expertise")).to.have.members(["Shipping"]);
    const saved = await t.host.db.query("SELECT l.lang_code FROM livechat_operator_lang l JOIN host_user u ON u.id = l.user_id WHERE u.login = 'admin'");
    expect(saved.map((r: { lang_code: string }) => r.lang_code)).to.have.members(["fr_FR", "es_ES"]);
    await page.context().close();
  });
});
