import path from "node:path";
import { expect } from "chai";
import { Conversation } from "../../module/models/Conversation";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { loggedInPage } from "../support/browser";
import { FIXTURES_DIR, startTestHost, type TestHost } from "../support/testHost";
import { asVisitor, channelWithOperators, online, startVisitor } from "./helpers";

describe("Composer commands", function () {
  this.timeout(90_000);
  let t: TestHost;
  before(async () => {
    t = await startTestHost({ extraModules: [path.join(FIXTURES_DIR, "livechat_extra")] });
  });
  after(async () => {
    await t?.stop();
  });

  it("runs /help, /end and a command another module added, and refuses an unknown one", async () => {
    const { channel, operators } = await channelWithOperators(t, "Commands", ["cora", "dan"], 1);
    await online(t, ...operators);
    const visitor = await startVisitor(t, channel.id, { name: "Eli" });
    const conversation = await t.host.db.getRepository(Conversation).findOneByOrFail({ id: visitor.id });
    const owner = operators.find((o) => o.id === conversation.operatorId)!;
    const other = operators.find((o) => o.id !== conversation.operatorId)!;
    const session = await t.login(owner.login);
    const run = (text: unknown) => session.postJson(`/livechat/api/conversations/${visitor.id}/commands`, { text });

    const list = await session.agent.get("/livechat/api/commands");
    expect(list.body.commands.map((c: { name: string }) => c.name)).to.deep.equal(["help", "end", "transfer", "note"]);
    const help = await run("/help");
    expect(help.status).to.equal(200);
    expect(help.body.notice.split("\n")).to.deep.equal([
      "/help — Lists the commands.",
      "/end — Ends the conversation.",
      "/transfer — Transfers the conversation to an operator or a channel: /transfer followed by a name.",
      "/note — Adds a note about the conversation.",
    ]);

    const note = await run("/note  called back about the invoice ");
    expect(note.body.notice).to.equal("Note saved.");
    const notes = await session.agent.get("/livechat-extra/notes");
    expect(notes.text).to.contain(`${owner.login} on ${visitor.id}: called back about the invoice`);
    const empty = await run("/note");
    expect(empty.status).to.equal(400);
    expect(empty.body.error).to.equal("Write the note after /note.");

    const unknown = await run("/teleport now");
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error).to.equal("There is no command /teleport. Type /help for the list.");
    expect((await run(42)).status).to.equal(400);
    // Nothing a command did was posted to the visitor.
    const seen = await asVisitor(t, visitor).get(`/livechat/conversations/${visitor.id}/messages`);
    expect(seen.body.messages.map((m: { body: string }) => m.body).join(" ")).not.to.contain("invoice");

    // Another member of the channel cannot end someone else's conversation by command either.
    const otherSession = await t.login(other.login);
    const refused = await otherSession.postJson(`/livechat/api/conversations/${visitor.id}/commands`, { text: "/end" });
    expect(refused.status).to.be.oneOf([403, 404]);
    const ended = await run("/end");
    expect(ended.body.notice).to.equal("The conversation has ended.");
    expect((await t.host.db.getRepository(Conversation).findOneByOrFail({ id: visitor.id })).state).to.equal("closed");
  });

  it("runs a command typed in Discuss and shows its answer to the operator only", async () => {
    await t.host.db.getRepository(LivechatChannel).update({ name: "Website Support" }, { chatbotScriptId: null });
    const channel = await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Website Support" });
    const page = await loggedInPage(await t.browser(), t.url, "mitchell", { viewport: { width: 1280, height: 800 } });
    const visitor = await startVisitor(t, channel.id, { name: "Gus" });
    expect(visitor.body.conversation.operator?.name).to.equal("Mitchell");
    await page.goto(`${t.url}/livechat/discuss?conversation=${visitor.id}`);
    const region = page.getByRole("region", { name: "Conversation" });
    const input = region.getByRole("textbox", { name: "Message" });
    await input.fill("/help");
    await input.press("Enter");
    await region.getByRole("status").filter({ hasText: "/end — Ends the conversation." }).waitFor();
    expect(await input.inputValue()).to.equal("");
    await input.fill("/note asked for a callback");
    await input.press("Enter");
    await region.getByRole("status").filter({ hasText: "Note saved." }).waitFor();
    await input.fill("/nope");
    await input.press("Enter");
    await region.getByRole("alert").filter({ hasText: "There is no command /nope." }).waitFor();
    const seen = await asVisitor(t, visitor).get(`/livechat/conversations/${visitor.id}/messages`);
    expect(seen.body.messages.map((m: { body: string }) => m.body).join(" ")).not.to.contain("/help");
  });
});
