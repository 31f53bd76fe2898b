import { expect } from "chai";
import { ChatbotScript } from "../../module/models/ChatbotScript";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { ChatbotScripts } from "../../module/services/chatbot/ChatbotScripts";
import { ExpertiseService } from "../../module/services/ExpertiseService";
import { loggedInPage } from "../support/browser";
import { formFields } from "../support/formFields";
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
      "steps[0][key]": "a",
      "steps[0][answers][0][label]": "Yes",
      "steps[0][answers][1][label]": "No",
      "steps[0][answers][1][then]": "end",
      "steps[0][answers][2][label]": "Talk to someone",
      "steps[0][answers][2][then]": "step:c",
      "steps[1][key]": "b",
      "steps[1][type]": "email",
      "steps[1][text]": "Your email, please?",
      "steps[2][key]": "c",
      "steps[2][type]": "forward",
      "steps[2][text]": "Connecting you.",
    });
    expect(res.status).to.equal(302);
    expect(await steps("Returns bot")).to.deep.equal([
      ["question", "Do you want to return an item?"],
      ["email", "Your email, please?"],
      ["forward", "Connecting you."],
    ]);
    const shown = formFields((await admin.agent.get(res.headers.location)).text, "data-script-form");
    expect(shown).to.include({
      "steps[0][answers][0][label]": "Yes",
      "steps[0][answers][0][then]": "next",
      "steps[0][answers][1][label]": "No",
      "steps[0][answers][1][then]": "end",
      "steps[0][answers][2][label]": "Talk to someone",
      "steps[0][answers][2][then]": `step:${shown["steps[2][key]"] as string}`,
    });
  });

  it("moves steps without changing where an answer jumps: the jump names the step, not its place", async () => {
    const admin = await t.login("admin");
    const script = await t.host.db.getRepository(ChatbotScript).findOneByOrFail({ name: "Returns bot" });
    const url = `/livechat/chatbots/${script.id}`;
    const before = formFields((await admin.agent.get(url)).text, "data-script-form");
    const [question, email, forward] = [0, 1, 2].map((i) => before[`steps[${i}][key]`] as string);
    // The editor moved the email step to the end: the form posts the steps in their new order.
    const moved: Record<string, string | string[]> = { name: "Returns bot", bot_name: "Returny" };
    for (const [to, from] of [0, 2, 1].entries()) {
      for (const [name, value] of Object.entries(before)) {
        const prefix = `steps[${from}]`;
        if (name.startsWith(prefix)) moved[`steps[${to}]${name.slice(prefix.length)}`] = value;
      }
    }
    expect((await admin.postForm(url, moved)).status).to.equal(302);
    const loaded = await new ChatbotScripts(t.host.contract).load(script.id);
    expect(loaded.steps.map((s) => [String(s.id), s.type])).to.deep.equal([
      [question, "question"],
      [forward, "forward"],
      [email, "email"],
    ]);
    const talk = loaded.answers.get(Number(question))!.find((a) => a.label === "Talk to someone")!;
    expect(talk.jumpToStepId).to.equal(Number(forward));
    const after = formFields((await admin.agent.get(url)).text, "data-script-form");
    expect(after["steps[0][answers][2][then]"]).to.equal(`step:${forward}`);

    // A jump to a step that was removed is refused, saying so, and nothing changes.
    const removed = { ...moved };
    for (const name of Object.keys(removed)) if (name.startsWith("steps[1]")) delete removed[name];
    const refused = await admin.postForm(url, removed);
    expect(refused.status).to.equal(400);
    expect(refused.text).to.contain("Step 1: the answer &quot;Talk to someone&quot; jumps to a step that is no longer in the script.");
    expect((await new ChatbotScripts(t.host.contract).load(script.id)).steps).to.have.length(3);
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
      "steps[0][answers][0][label]": "Go",
      "steps[0][answers][0][then]": "step:somewhere",
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

  it("adds, reorders and removes steps in the script form in a real browser, showing each type's fields and keeping jumps on their step", async function () {
    this.timeout(90_000);
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

    // A message has no answers and no expertise; a question has answers; a forward has expertise.
    await step(1).getByLabel("End the script here").waitFor();
    expect(await step(1).getByRole("table", { name: "Answers" }).isVisible()).to.equal(false);
    expect(await step(1).getByRole("combobox", { name: "Expertise (forward to operator)" }).isVisible()).to.equal(false);
    await step(1).getByLabel("Type").selectOption("question");
    await step(1).getByRole("table", { name: "Answers" }).waitFor();
    expect(await step(1).getByLabel("End the script here").isVisible()).to.equal(false);
    await step(1).getByLabel("Answer 1", { exact: true }).fill("Straight to the third");
    await step(1).getByLabel("After answer 1", { exact: true }).selectOption({ label: "Step 3: third" });
    await step(2).getByLabel("Type").selectOption("forward");
    await step(2).getByRole("combobox", { name: "Expertise (forward to operator)" }).waitFor();
    expect(await step(2).getByRole("table", { name: "Answers" }).isVisible()).to.equal(false);
    expect(await step(2).getByLabel("End the script here").isVisible()).to.equal(false);
    await step(2).getByRole("combobox", { name: "Expertise (forward to operator)" }).focus();
    await page.keyboard.type("Bill");
    await page.keyboard.press("Enter");
    await step(2).getByRole("button", { name: "Remove Billing" }).waitFor();

    // Moving the target step keeps the jump on it, under its new number.
    await step(3).getByRole("button", { name: "Move step up" }).click();
    expect(await step(1).getByLabel("After answer 1", { exact: true }).evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.text)).to.equal("Step 2: third");
    await page.getByRole("button", { name: "Add a step" }).click();
    await step(4).getByLabel("The bot says").fill("dropped");
    await step(4).getByRole("button", { name: "Remove step" }).click();
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/\/livechat\/chatbots\/\d+$/);
    expect(await steps("Editor bot")).to.deep.equal([
      ["question", "first"],
      ["email", "third"],
      ["forward", "second"],
    ]);
    const script = await t.host.db.getRepository(ChatbotScript).findOneByOrFail({ name: "Editor bot" });
    const loaded = await new ChatbotScripts(t.host.contract).load(script.id);
    expect(loaded.answers.get(loaded.steps[0].id)?.map((a) => [a.label, a.jumpToStepId])).to.deep.equal([["Straight to the third", loaded.steps[1].id]]);
    expect(await step(1).getByLabel("After answer 1", { exact: true }).evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.text)).to.equal("Step 2: third");
    await page.context().close();
  });
});
