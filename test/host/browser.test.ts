import { expect } from "chai";
import type { Browser } from "playwright-core";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Host in a real browser", function () {
  let t: TestHost;
  let browser: Browser;
  before(async () => {
    t = await startTestHost();
    browser = await t.browser();
  });
  after(async () => {
    await t?.stop();
  });

  it("logs in through the form and sees the Live Chat menu", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.url}/web`);
    expect(page.url()).to.contain("/web/login");
    await page.getByLabel("Login").fill("mitchell");
    await page.getByLabel("Password").fill("mitchell");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${t.url}/web`);
    const nav = page.getByRole("navigation", { name: "Main menu" });
    await nav.getByRole("button", { name: "Live Chat" }).click();
    expect(await nav.getByRole("link", { name: "Channels" }).isVisible()).to.equal(true);
    expect(await page.getByRole("button", { name: "User menu" }).textContent()).to.contain("Mitchell Stephens");
    await context.close();
  });

  it("shows a wrong password as an error on the login page", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.url}/web/login`);
    await page.getByLabel("Login").fill("mitchell");
    await page.getByLabel("Password").fill("wrong");
    await page.getByRole("button", { name: "Log in" }).click();
    expect(await page.getByRole("alert").textContent()).to.contain("Wrong login/password");
    await context.close();
  });
});
