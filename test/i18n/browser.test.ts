import { expect } from "chai";
import type { Browser } from "playwright-core";
import { loggedInPage } from "../support/browser";
import { startTestHost, type TestHost } from "../support/testHost";

describe("A French operator's pages in a real browser", function () {
  this.timeout(90_000);
  let t: TestHost;
  let browser: Browser;
  before(async () => {
    t = await startTestHost();
    browser = await t.browser();
  });
  after(async () => {
    await t?.stop();
  });

  it("shows Marc the menus, the Channels kanban, his profile and Discuss in French", async () => {
    const page = await loggedInPage(browser, t.url, "marc");
    expect(await page.locator("html").getAttribute("lang")).to.equal("fr");

    const nav = page.getByRole("navigation", { name: "Menu principal" });
    await nav.getByRole("button", { name: "Chat en direct" }).click();
    await nav.getByRole("link", { name: "Canaux", exact: true }).click();
    await page.waitForURL(`${t.url}/livechat/channels`);
    expect(await page.title()).to.equal("Canaux · Assistance");
    const card = page.getByRole("list", { name: "Canaux" }).getByRole("listitem", { name: "Website Support" });
    await card.getByRole("button", { name: "Quitter", exact: true }).waitFor();
    expect(await card.getByText("3 opérateurs", { exact: true }).isVisible()).to.equal(true);

    await page.getByRole("button", { name: "Menu utilisateur" }).click();
    await page.getByRole("link", { name: "Mon profil" }).click();
    await page.getByRole("tab", { name: "Préférences" }).waitFor();
    await page.getByRole("combobox", { name: "Langues du chat en ligne" }).waitFor();
    expect(await page.getByRole("button", { name: "Enregistrer" }).isVisible()).to.equal(true);

    await nav.getByRole("link", { name: "Discussion" }).click();
    await page.waitForURL(`${t.url}/livechat/discuss`);
    await page.getByText("Choisissez une conversation à gauche.").waitFor();
    expect(await page.getByRole("button", { name: "Messages" }).isVisible()).to.equal(true);
    expect(await page.locator("html").getAttribute("lang")).to.equal("fr");
    await page.context().close();
  });
});
