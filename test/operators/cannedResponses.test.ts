import { expect } from "chai";
import { CannedResponse } from "../../module/models/CannedResponse";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { asVisitor, channelWithOperators, online, startVisitor } from "../conversations/helpers";
import { browserScenario } from "../support/browserScenario";
import { startTestHost, type TestHost, type TestSession } from "../support/testHost";

describe("Live Chat → Configuration → Canned Responses", function () {
  this.timeout(60_000);
  let t: TestHost;
  let sales: LivechatChannel;
  let support: LivechatChannel;
  let ana: TestSession;
  let ben: TestSession;
  let admin: TestSession;

  before(async () => {
    t = await startTestHost();
    support = (await channelWithOperators(t, "Support", ["ana", "ben"], null)).channel;
    sales = (await channelWithOperators(t, "Sales", ["ben"], null)).channel;
    const anaUser = (await t.host.users.findByLogin("ana"))!;
    ana = await t.login("ana");
    ben = await t.login("ben");
    admin = await t.login("admin");
    await online(t, anaUser);
  });
  after(async () => {
    await t?.stop();
  });

  const idOf = async (shortcut: string) => (await t.host.db.getRepository(CannedResponse).findOneByOrFail({ shortcut })).id;

  it("lets an operator create a response; the shortcut is one word, unique whatever its case", async () => {
    const created = await ana.postForm("/livechat/canned-responses/new", { shortcut: ":Hi", text: "Hello {visitor_name}, I am {operator_name}." });
    expect(created.status).to.equal(302);
    const list = await ana.agent.get("/livechat/canned-responses");
    expect(list.text).to.contain(":hi<").and.contain("Hello {visitor_name}, I am {operator_name}.").and.contain("All channels");

    const clash = await ben.postForm("/livechat/canned-responses/new", { shortcut: "HI", text: "Another" });
    expect(clash.status).to.equal(400);
    expect(clash.text).to.contain("The shortcut &quot;hi&quot; is already used by another canned response.");
    const spaced = await ben.postForm("/livechat/canned-responses/new", { shortcut: "two words", text: "x" });
    expect(spaced.status).to.equal(400);
    expect(spaced.text).to.contain("A shortcut is one word");
    const empty = await ben.postForm("/livechat/canned-responses/new", { shortcut: "empty", text: "   " });
    expect(empty.status).to.equal(400);
    expect(empty.text).to.contain("Text is required.");
    const badChannel = await ben.postForm("/livechat/canned-responses/new", { shortcut: "ghost", text: "x", channel_ids: "9999" });
    expect(badChannel.status).to.equal(400);
    expect(await t.host.db.getRepository(CannedResponse).countBy({ createdBy: (await t.host.users.findByLogin("ben"))!.id })).to.equal(0);
  });

  it("lets only its author or a manager change or delete a response", async () => {
    const id = await idOf("hi");
    const byBen = await ben.postForm(`/livechat/canned-responses/${id}`, { shortcut: "hi", text: "Hijacked" });
    expect(byBen.status).to.equal(403);
    expect((await ben.agent.get(`/livechat/canned-responses/${id}`)).text).to.contain("Only its author or a Live Chat administrator may change");
    expect((await ben.postForm(`/livechat/canned-responses/${id}/delete`, {})).status).to.equal(403);
    expect((await t.host.db.getRepository(CannedResponse).findOneByOrFail({ id })).text).to.equal("Hello {visitor_name}, I am {operator_name}.");

    const byAdmin = await admin.postForm(`/livechat/canned-responses/${id}`, { shortcut: "hi", text: "Hi {visitor_name}, {operator_name} here." });
    expect(byAdmin.status).to.equal(302);
    expect((await t.host.db.getRepository(CannedResponse).findOneByOrFail({ id })).createdBy).to.equal((await t.host.users.findByLogin("ana"))!.id);
    expect((await ana.agent.get("/livechat/canned-responses/999")).status).to.equal(404);
  });

  it("offers in a conversation the responses of its channel and of every channel, with its names filled in", async () => {
    await ben.postForm("/livechat/canned-responses/new", { shortcut: "pricing", text: "Our prices are online.", channel_ids: String(sales.id) });
    await ben.postForm("/livechat/canned-responses/new", { shortcut: "refund", text: "Refunds take 5 days.", channel_ids: String(support.id) });
    const visitor = await startVisitor(t, support.id, { name: "Zoé" });
    expect(visitor.body.conversation.operator?.name).to.equal("Operator ana");

    const res = await ana.agent.get(`/livechat/api/conversations/${visitor.id}/canned-responses`);
    expect(res.status).to.equal(200);
    const offered = (res.body.responses as { shortcut: string; text: string }[]).map((r) => `${r.shortcut}: ${r.text}`);
    expect(offered).to.include.members(["hi: Hi Zoé, Operator ana here.", "refund: Refunds take 5 days.", "bye: Thank you for chatting with us, Zoé. Have a nice day!"]);
    expect(offered.filter((r) => r.startsWith("pricing"))).to.deep.equal([]);

    // Someone who may not see the conversation learns nothing of it.
    const stranger = await t.host.users.create({ login: "carl", name: "Carl", password: "carl", langCode: "en_US", groups: ["base.user", "livechat.user"] });
    const carl = await t.login(stranger.login);
    expect((await carl.agent.get(`/livechat/api/conversations/${visitor.id}/canned-responses`)).status).to.equal(404);
    expect((await asVisitor(t, visitor).get(`/livechat/api/conversations/${visitor.id}/canned-responses`)).status).to.be.oneOf([401, 302]);
  });

  it("counts each use, shown on the list and putting the most used first", async () => {
    const refund = await idOf("refund");
    expect((await ana.postJson(`/livechat/api/canned-responses/${refund}/use`, {})).status).to.equal(204);
    expect((await ana.postJson(`/livechat/api/canned-responses/${refund}/use`, {})).status).to.equal(204);
    expect((await t.host.db.getRepository(CannedResponse).findOneByOrFail({ id: refund })).usageCount).to.equal(2);
    expect((await ana.postJson(`/livechat/api/canned-responses/424242/use`, {})).status).to.equal(404);
    const visitor = await startVisitor(t, support.id, { name: "Yann" });
    const res = await admin.agent.get(`/livechat/api/conversations/${visitor.id}/canned-responses`);
    expect(res.body.responses[0].shortcut).to.equal("refund");
  });

  it("shows operators the Canned Responses menu but not the managers' configuration", async () => {
    const page = await ben.agent.get("/livechat/canned-responses");
    expect(page.text).to.contain('href="/livechat/canned-responses"');
    expect(page.text).not.to.contain('href="/livechat/expertise"');
    expect((await admin.agent.get("/livechat/canned-responses")).text).to.contain('href="/livechat/expertise"');
  });
});

describe("Canned responses in the composer, by keyboard alone", function () {
  this.timeout(90_000);
  const scenario = browserScenario();

  it("filters as the operator types :, inserts the chosen text to edit, and sends it", async () => {
    const t = scenario.t;
    const mitchell = await t.login("mitchell");
    await mitchell.postForm("/livechat/canned-responses/new", { shortcut: "greet", text: "Hello {visitor_name}, {operator_name} here. How can I help?" });
    await mitchell.postForm("/livechat/canned-responses/new", { shortcut: "goodbye", text: "Thanks for chatting, {visitor_name}!" });
    const page = await scenario.operator("mitchell");
    const channel = await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Website Support" });
    const visitor = await startVisitor(t, channel.id, { name: "Nadia" });
    expect(visitor.body.conversation.operator?.name).to.equal("Mitchell");
    expect((await asVisitor(t, visitor).post(`/livechat/conversations/${visitor.id}/messages`, { body: "Hi there", clientMessageId: "c1" })).status).to.equal(201);

    await page.goto(`${t.url}/livechat/discuss?conversation=${visitor.id}`);
    const conversation = page.getByRole("region", { name: "Conversation" });
    await conversation.getByText("Hi there").waitFor();
    const input = conversation.getByRole("textbox", { name: "Message" });
    await input.pressSequentially("Sure :g");
    const list = conversation.getByRole("listbox", { name: "Canned responses" });
    await list.waitFor();
    expect(await list.getByRole("option").allTextContents()).to.deep.equal([
      ":goodbyeThanks for chatting, Nadia!",
      ":greetHello Nadia, Mitchell here. How can I help?",
    ]);
    await input.pressSequentially("r");
    expect(await list.getByRole("option").count()).to.equal(1);
    await input.press("Enter");
    expect(await list.isVisible()).to.equal(false);
    // Inserted, not sent: the operator edits it first.
    expect(await input.inputValue()).to.equal("Sure Hello Nadia, Mitchell here. How can I help?");
    await input.press("End");
    await input.pressSequentially(" :ord");
    await input.press("ArrowDown");
    await input.press("Escape");
    expect(await list.isVisible()).to.equal(false);
    expect(await input.inputValue()).to.equal("Sure Hello Nadia, Mitchell here. How can I help? :ord");
    await input.press("Backspace");
    await list.waitFor();
    await input.press("Tab");
    expect(await input.inputValue()).to.equal("Sure Hello Nadia, Mitchell here. How can I help? Could you give me your order number, please?");
    await input.press("Enter");
    await conversation.getByText("Sure Hello Nadia, Mitchell here. How can I help? Could you give me your order number, please?").waitFor();
    const seen = await asVisitor(t, visitor).get(`/livechat/conversations/${visitor.id}/messages`);
    expect(seen.body.messages.map((m: { body: string }) => m.body)).to.include("Sure Hello Nadia, Mitchell here. How can I help? Could you give me your order number, please?");
    const greet = await t.host.db.getRepository(CannedResponse).findOneByOrFail({ shortcut: "greet" });
    expect(greet.usageCount).to.equal(1);
  });
});
