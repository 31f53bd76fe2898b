import { expect } from "chai";
import type { Browser } from "playwright-core";
import { ASSIGN_WAITING_JOB } from "../../module/conversations";
import { Conversation } from "../../module/models/Conversation";
import { closeContexts, loggedInPage } from "../support/browser";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Chatbot hand-off in real browsers", function () {
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

  it("takes the visitor from the demo bot to the Billing expert, who answers under their Online Chat Name", async () => {
    // Mitchell has Billing; Marc is online too but has no Billing expertise.
    const marc = (await t.host.users.findByLogin("marc"))!;
    await t.host.presence.recordActivity(marc.id);
    const operator = await loggedInPage(browser, t.url, "mitchell", { viewport: { width: 1280, height: 800 } });

    const visitor = await (await browser.newContext()).newPage();
    await visitor.goto(`${t.url}/livechat/demo`);
    await visitor.getByRole("button", { name: "Have a question? Chat with us." }).click();
    const chat = visitor.getByRole("region", { name: "Live chat" });
    await chat.getByText("What can we help you with?").waitFor();
    expect(await chat.getByRole("heading").textContent()).to.equal("Support Bot");
    // Bot messages carry the bot's name and avatar, not an operator's.
    expect(await chat.locator(".lcw-bot .lcw-author").first().textContent()).to.equal("SBSupport Bot");
    await chat.getByRole("group", { name: "Answers" }).getByRole("button", { name: "Billing" }).click();

    const window = operator.getByRole("region", { name: "Chat window" });
    await window.getByText("Let me connect you with someone from Billing.").waitFor();
    expect(await window.getByText("What can we help you with?").count()).to.equal(1);
    await window.getByRole("textbox", { name: "Message" }).fill("Hi, I handle billing. How can I help?");
    await window.getByRole("textbox", { name: "Message" }).press("Enter");

    await chat.getByText("Hi, I handle billing. How can I help?").waitFor();
    // The hand-over is said on both sides.
    await chat.getByText("Mitchell joined the conversation.", { exact: true }).waitFor();
    await window.getByText("Mitchell joined the conversation.", { exact: true }).waitFor();
    expect(await chat.getByRole("heading").textContent()).to.equal("Mitchell");
    expect(await chat.textContent()).not.to.contain("Stephens");
    const row = await t.host.db.getRepository(Conversation).findOneByOrFail({ operatorId: (await t.host.users.findByLogin("mitchell"))!.id });
    expect(row.expertAssigned).to.equal(true);
  });

  it("tells a visitor who waited for the hand-over who took the conversation, also after a reload", async () => {
    await closeContexts(browser);
    t.clock.advance(3 * 3600_000);
    const visitor = await (await browser.newContext()).newPage();
    await visitor.goto(`${t.url}/livechat/demo`);
    await visitor.getByRole("button", { name: "Have a question? Chat with us." }).click();
    const chat = visitor.getByRole("region", { name: "Live chat" });
    await chat.getByRole("group", { name: "Answers" }).getByRole("button", { name: "Billing" }).click();
    await chat.getByText("Let me connect you with someone from Billing.").waitFor();

    const mitchell = (await t.host.users.findByLogin("mitchell"))!;
    await t.host.presence.recordActivity(mitchell.id);
    await t.host.scheduler.runNow(ASSIGN_WAITING_JOB);
    const thread = chat.getByRole("list", { name: "Messages" });
    await thread.getByText("Mitchell joined the conversation.", { exact: true }).waitFor();
    // The widget reopens as it was after a reload, the line still there.
    await visitor.reload();
    await thread.getByText("Mitchell joined the conversation.", { exact: true }).waitFor();
    expect(await thread.getByText(/No operator is available/).count()).to.equal(0);
  });
});
