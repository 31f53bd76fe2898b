import { expect } from "chai";
import { Conversation } from "../../module/models/Conversation";
import { ConversationAnswer } from "../../module/models/ConversationAnswer";
import { ConversationExpertise } from "../../module/models/ConversationExpertise";
import { Expertise } from "../../module/models/Expertise";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { ChatbotScripts, type ScriptInput } from "../../module/services/chatbot/ChatbotScripts";
import { OperatorProfiles } from "../../module/services/OperatorProfiles";
import type { HostUser } from "../../host/contract";
import { startTestHost, type TestHost } from "../support/testHost";
import { asVisitor, channelWithOperators, online, startVisitor, type Visitor } from "../conversations/helpers";

describe("Chatbot scripts", () => {
  let t: TestHost;
  let scripts: ChatbotScripts;
  let billing: number;
  before(async () => {
    t = await startTestHost();
    scripts = new ChatbotScripts(t.host.contract);
    billing = (await t.host.db.getRepository(Expertise).findOneByOrFail({ name: "Billing" })).id;
  });
  after(async () => {
    await t?.stop();
  });

  /** A channel whose visitors meet `script` first. */
  async function botChannel(name: string, script: ScriptInput, logins: string[], max: number | null = null) {
    const { channel, operators } = await channelWithOperators(t, name, logins, max);
    const scriptId = await scripts.save(null, script);
    await t.host.db.getRepository(LivechatChannel).update({ id: channel.id }, { chatbotScriptId: scriptId });
    return { channelId: channel.id, operators };
  }
  const say = (v: Visitor, body: string) => asVisitor(t, v).post(`/livechat/conversations/${v.id}/messages`, { body });
  const view = async (v: Visitor) => (await asVisitor(t, v).get(`/livechat/conversations/${v.id}`)).body.conversation;
  const bodies = async (v: Visitor) => ((await asVisitor(t, v).get(`/livechat/conversations/${v.id}/messages`)).body.messages as { body: string; author: { kind: string; name: string } }[]);
  const requested = async (conversationId: number) =>
    (await t.host.db.getRepository(ConversationExpertise).findBy({ conversationId })).map((r) => r.expertiseId);
  const giveExpertise = async (user: HostUser, ids: number[]) =>
    t.host.db.transaction((m) => new OperatorProfiles(t.host.contract).save(user.id, { chatName: "", langCodes: [], expertiseIds: ids }, m));

  it("runs messages, questions with branching, and text, email and phone inputs with validation", async () => {
    const { channelId } = await botChannel(
      "Bot steps",
      {
        name: "Steps",
        botName: "Robbie",
        steps: [
          { type: "message", text: "Hi, I am Robbie." },
          { type: "question", text: "Pick one", answers: [{ label: "Skip ahead", then: 4 }, { label: "Go on", then: "next" }, { label: "Stop", then: "end" }] },
          { type: "text", text: "Your name?" },
          { type: "textarea", text: "Tell us more" },
          { type: "email", text: "Your email?" },
          { type: "phone", text: "Your phone?" },
          { type: "message", text: "Thanks, bye!" },
        ],
      },
      [],
    );
    const v = await startVisitor(t, channelId);
    expect(v.body.conversation.state).to.equal("bot");
    const first = await view(v);
    expect(first.chatbot).to.deep.include({ name: "Robbie" });
    expect(first.chatbot.step.answers.map((a: { label: string }) => a.label)).to.deep.equal(["Skip ahead", "Go on", "Stop"]);
    expect((await bodies(v)).map((m) => [m.author.kind, m.author.name, m.body])).to.deep.equal([
      ["bot", "Robbie", "Hi, I am Robbie."],
      ["bot", "Robbie", "Pick one"],
    ]);

    const wrong = await say(v, "Maybe");
    expect(wrong.status).to.equal(400);
    expect(wrong.body.error).to.equal("Please choose one of the answers: Skip ahead, Go on, Stop.");
    expect((await view(v)).chatbot.step.type).to.equal("question");

    expect((await say(v, "go on")).status).to.equal(201);
    expect((await view(v)).chatbot.step.type).to.equal("text");
    expect((await say(v, "Ann\nLee")).status).to.equal(400);
    await say(v, "Ann Lee");
    await say(v, "My invoice\nis wrong");
    const badEmail = await say(v, "ann@");
    expect(badEmail.status).to.equal(400);
    expect(badEmail.body.error).to.contain("does not look like an email address");
    expect((await view(v)).chatbot.step.type).to.equal("email");
    await say(v, "ann@example.com");
    expect((await say(v, "call me")).status).to.equal(400);
    expect((await say(v, "+32 2 123 45 67")).status).to.equal(201);

    const done = await view(v);
    expect(done.state).to.equal("closed");
    expect((await bodies(v)).at(-1)?.body).to.equal("Thanks, bye!");
    const answers = await t.host.db.getRepository(ConversationAnswer).find({ where: { conversationId: v.id } });
    expect(answers.map((a) => [a.question, a.value])).to.have.deep.members([
      ["Pick one", "Go on"],
      ["Your name?", "Ann Lee"],
      ["Tell us more", "My invoice\nis wrong"],
      ["Your email?", "ann@example.com"],
      ["Your phone?", "+32 2 123 45 67"],
    ]);

    // Branches: jumping over steps, and ending.
    const jumper = await startVisitor(t, channelId);
    await say(jumper, "Skip ahead");
    expect((await view(jumper)).chatbot.step.type).to.equal("email");
    const stopper = await startVisitor(t, channelId);
    await say(stopper, "Stop");
    expect((await view(stopper)).state).to.equal("closed");
  });

  it("refuses a script that could not run, saving nothing", async () => {
    const before = (await scripts.list()).length;
    const bad = (steps: ScriptInput["steps"]) => scripts.save(null, { name: "Bad", botName: "Bot", steps }).then(() => null, (e: Error) => e.message);
    expect(await bad([])).to.equal("A script needs at least one step.");
    expect(await bad([{ type: "question", text: "?" }])).to.equal("Step 1: a question needs at least one answer.");
    expect(await bad([{ type: "question", text: "?", answers: [{ label: "Back", then: 0 }] }])).to.contain("must jump to a later step");
    expect(await bad([{ type: "forward", text: "Wait", expertiseIds: [99999] }])).to.contain("no expertise with id 99999");
    expect((await scripts.list()).length).to.equal(before);
  });

  const forwardScript = (expertiseIds: number[]): ScriptInput => ({
    name: "Forward",
    botName: "Bot",
    steps: [
      { type: "question", text: "What can we help you with?", answers: [{ label: "Billing", then: "next" }] },
      { type: "forward", text: "Let me find an expert.", expertiseIds },
      { type: "email", text: "Leave your email and we will write back." },
    ],
  });

  it("forwards to the available expert even when they have more open conversations (within the limit), with the whole exchange", async () => {
    const { channelId, operators } = await botChannel("Bot expert", forwardScript([billing]), ["bx_novice", "bx_expert"], 5);
    const [novice, expert] = operators;
    await giveExpertise(expert, [billing]);
    await online(t, novice, expert);
    // The expert already carries two conversations of another channel.
    const { channel: other } = await channelWithOperators(t, "Elsewhere", ["bx_expert"], null);
    await startVisitor(t, other.id);
    await startVisitor(t, other.id);

    const v = await startVisitor(t, channelId);
    await say(v, "Billing");
    const row = await t.host.db.getRepository(Conversation).findOneByOrFail({ id: v.id });
    expect(row).to.include({ operatorId: expert.id, state: "open", expertAssigned: true });
    expect(await requested(v.id)).to.deep.equal([billing]);
    expect((await view(v)).operator).to.deep.equal({ name: expert.name });

    const session = await t.login("bx_expert");
    const detail = await session.agent.get(`/livechat/api/conversations/${v.id}`);
    expect(detail.body.messages.map((m: { body: string }) => m.body)).to.deep.equal([
      "What can we help you with?",
      "Billing",
      "Let me find an expert.",
      `${expert.name} joined the conversation.`,
    ]);
    expect(detail.body.answers).to.deep.equal([{ question: "What can we help you with?", value: "Billing" }]);
  });

  it("forwards by the same order as any start: previous operator, then the visitor's language before an expert who does not speak it", async () => {
    const logins = ["bo_expert", "bo_french", "bo_french_expert"];
    const { channelId, operators } = await botChannel("Bot order", forwardScript([billing]), logins, null);
    const [expert, french, frenchExpert] = operators;
    const profiles = new OperatorProfiles(t.host.contract);
    await giveExpertise(expert, [billing]);
    await t.host.db.transaction((m) => profiles.save(french.id, { chatName: "", langCodes: ["fr_FR"], expertiseIds: [] }, m));
    await t.host.db.transaction((m) => profiles.save(frenchExpert.id, { chatName: "", langCodes: ["fr_FR"], expertiseIds: [billing] }, m));
    const row = (v: Visitor) => t.host.db.getRepository(Conversation).findOneByOrFail({ id: v.id });
    const inFrench = { "Accept-Language": "fr-FR,fr;q=0.9" };

    await online(t, expert, french);
    const first = await startVisitor(t, channelId, {}, inFrench);
    await say(first, "Billing");
    expect(await row(first)).to.include({ operatorId: french.id, assignmentTier: "language", expertAssigned: false });

    await online(t, frenchExpert);
    const back = await startVisitor(t, channelId, { visitorKey: first.visitorKey }, inFrench);
    await say(back, "Billing");
    expect(await row(back)).to.include({ operatorId: french.id, assignmentTier: "previous_operator", expertAssigned: false });

    const newcomer = await startVisitor(t, channelId, {}, inFrench);
    await say(newcomer, "Billing");
    expect(await row(newcomer)).to.include({ operatorId: frenchExpert.id, assignmentTier: "language_and_all_expertise", expertAssigned: true });
  });

  it("forwards to the next available operator when the only expert is away, or at the channel limit", async () => {
    const { channelId, operators } = await botChannel("Bot away", forwardScript([billing]), ["ba_other", "ba_expert"], 1);
    const [other, expert] = operators;
    await giveExpertise(expert, [billing]);
    await online(t, other);
    t.clock.advance(11 * 60_000);
    await online(t, other);
    const v = await startVisitor(t, channelId);
    await say(v, "Billing");
    expect(await t.host.db.getRepository(Conversation).findOneByOrFail({ id: v.id })).to.include({ operatorId: other.id, expertAssigned: false });

    // Now the expert is back but at the limit: the next forward goes to someone else with room.
    const { channelId: full, operators: fullOps } = await botChannel("Bot full", forwardScript([billing]), ["bf_other", "bf_expert"], 1);
    const [fullOther, fullExpert] = fullOps;
    await giveExpertise(fullExpert, [billing]);
    await online(t, fullOther, fullExpert);
    const first = await startVisitor(t, full);
    await say(first, "Billing");
    expect((await t.host.db.getRepository(Conversation).findOneByOrFail({ id: first.id })).operatorId).to.equal(fullExpert.id);
    const second = await startVisitor(t, full);
    await say(second, "Billing");
    expect((await t.host.db.getRepository(Conversation).findOneByOrFail({ id: second.id })).operatorId).to.equal(fullOther.id);
  });

  it("queues the conversation and goes on with the script when nobody is available", async () => {
    const { channelId } = await botChannel("Bot nobody", forwardScript([billing]), [], null);
    const v = await startVisitor(t, channelId);
    await say(v, "Billing");
    const after = await view(v);
    expect(after).to.deep.include({ state: "waiting", queuePosition: 1 });
    expect(after.chatbot.step.type).to.equal("email");
    const texts = (await bodies(v)).map((m) => m.body);
    // The widget tells the visitor's live place in the queue: the chatbot does not say it a second time.
    expect(texts.filter((text) => /queue|operator/i.test(text))).to.deep.equal([]);
    expect(texts.at(-1)).to.equal("Leave your email and we will write back.");
    expect((await say(v, "me@example.com")).status).to.equal(201);
    expect(await t.host.db.getRepository(Conversation).findOneByOrFail({ id: v.id })).to.include({ state: "waiting" });
    expect(await requested(v.id)).to.deep.equal([billing]);
  });
});
