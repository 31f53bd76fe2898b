import { expect } from "chai";
import { ChatbotScript } from "../../module/models/ChatbotScript";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { ChatbotScripts } from "../../module/services/chatbot/ChatbotScripts";
import { ExpertiseService } from "../../module/services/ExpertiseService";
import { loggedInPage } from "../support/browser";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Live Chat → Configuration → Chatbots", () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });
  const steps = async (name: string) => {
    const script = await t.host.db.getRepository(ChatbotScript).findOneByOrFail({ name });
    return (await new ChatbotScripts(t.host.contract).load(script.id)).steps.map((s) => [s.type, s.text]);
  };

  it("saves a script from the form, answers and jumps included, and shows it back", async () => {
    const admin = await t.login("admin");
    const res = await admin.postForm("/livechat/chatbots/new", {
      name: "Returns bot",
      bot_name: "Returny",
      "steps[0][type]": "question",
      "steps[0][text]": "Do you want to return an item?",
      "steps[0][answers]": "Yes\nNo > end\nTalk to someone > 3",
      "steps[1][type]": "email",
      "steps[1][text]": "Your email, please?",
      "steps[2][type]": "forward",
      "steps[2][text]": "Connecting you.",
    });
    expect(res.status).to.equal(302);
    expect(await steps("Returns bot")).to.deep.equal([
      ["question", "Do you want to return an item?"],
      ["email", "Your email, please?"],
      ["forward", "Connecting you."],
    ]);
    const page = await admin.agent.get(res.headers.location);
    expect(page.text).to.contain("Yes\nNo &gt; end\nTalk to someone &gt; 3");
  });

  it("keeps the expertise a forward step asks for, and drops an expertise that is deleted", async () => {
    const admin = await t.login("admin");
    const expertise = new ExpertiseService(t.host.contract);
    const vat = await expertise.save(null, { name: "VAT", operatorIds: [] });
    const refunds = await expertise.save(null, { name: "Refunds", operatorIds: [] });
    const res = await admin.postForm("/livechat/chatbots/new", {
      name: "Expert bot",
      "steps[0][type]": "forward",
      "steps[0][text]": "Finding someone.",
      "steps[0][expertise_ids]": [String(vat), String(refunds)],
    });
    expect(res.status).to.equal(302);
    const selected = async () => {
      const page = await admin.agent.get(res.headers.location);
      return [...page.text.matchAll(/<option value="(\d+)" selected>/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
    };
    expect(await selected()).to.deep.equal([vat, refunds].sort((a, b) => a - b));
    await expertise.delete(vat);
    expect(await selected()).to.deep.equal([refunds]);
  });

  it("refuses a script that cannot run with a message, saving nothing, and is closed to operators", async () => {
    const admin = await t.login("admin");
    const before = await t.host.db.getRepository(ChatbotScript).count();
    const res = await admin.postForm("/livechat/chatbots/new", { name: "Broken", "steps[0][type]": "question", "steps[0][text]": "Well?" });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain("Step 1: a question needs at least one answer.");
    const badJump = await admin.postForm("/livechat/chatbots/new", {
      name: "Broken",
      "steps[0][type]": "question",
      "steps[0][text]": "Well?",
      "steps[0][answers]": "Go > somewhere",
    });
    expect(badJump.status).to.equal(400);
    expect(await t.host.db.getRepository(ChatbotScript).count()).to.equal(before);
    const operator = await t.login("marc");
    expect((await operator.agent.get("/livechat/chatbots")).status).to.equal(403);
  });

  it("sets a channel to run a script first, refusing one that does not exist", async () => {
    const admin = await t.login("admin");
    const script = await t.host.db.getRepository(ChatbotScript).findOneByOrFail({ name: "Returns bot" });
    const support = await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Website Support" });
    const form = { name: "Website Support", button_text: "Chat", max_sessions: "5" };
    expect((await admin.postForm(`/livechat/channels/${support.id}`, { ...form, chatbot_script_id: String(script.id) })).status).to.equal(302);
    expect((await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ id: support.id })).chatbotScriptId).to.equal(script.id);
    const bad = await admin.postForm(`/livechat/channels/${support.id}`, { ...form, chatbot_script_id: "99999" });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain("Chatbot: this script does not exist.");
    expect((await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ id: support.id })).chatbotScriptId).to.equal(script.id);
  });

  it("adds, reorders and removes steps in the script form in a real browser", async function () {
    this.timeout(60_000);
    const page = await loggedInPage(await t.browser(), t.url, "admin");
    await page.goto(`${t.url}/livechat/chatbots/new`);
    await page.getByLabel("Name", { exact: true }).fill("Editor bot");
    const step = (n: number) => page.getByRole("group", { name: `Step ${n}` });
    await step(1).getByLabel("The bot says").fill("first");
    await page.getByRole("button", { name: "Add a step" }).click();
    await step(2).getByLabel("The bot says").fill("second");
    await page.getByRole("button", { name: "Add a step" }).click();
    await step(3).getByLabel("The bot says").fill("third");
    await step(3).getByLabel("Type").selectOption("email");
    await step(3).getByRole("button", { name: "Move step up" }).click();
    await step(1).getByRole("button", { name: "Remove step" }).click();
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/\/livechat\/chatbots\/\d+$/);
    expect(await steps("Editor bot")).to.deep.equal([
      ["email", "third"],
      ["message", "second"],
    ]);
  });
});
