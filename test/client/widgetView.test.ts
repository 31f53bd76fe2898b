import { expect } from "chai";
import type { ChannelInfoDto, ConversationDto, MessageDto } from "../../module/services/conversations/dto";
import { conversationView, countsAsUnseen, introView, isStaleQueueNotice, messageAuthor, queueStatus } from "../../module/client/widget/widgetView";
import { messageText } from "../../module/client/shared/messageText";
import { useCatalog } from "../../module/client/shared/i18n";

function conversation(fields: Partial<ConversationDto> = {}): ConversationDto {
  return {
    id: 1,
    channel: { id: 1, name: "Website Support" },
    state: "open",
    operator: { name: "Mitchell" },
    queuePosition: null,
    queueVersion: null,
    createdAt: "2026-11-25T09:00:00.000Z",
    closedAt: null,
    ...fields,
  };
}

function message(kind: MessageDto["author"]["kind"], name: string): MessageDto {
  return { id: 1, conversationId: 1, author: { kind, name }, body: "Hello", createdAt: "2026-11-25T09:00:00.000Z" };
}

const info: ChannelInfoDto = {
  id: 1,
  name: "Website Support",
  buttonText: "Chat with us",
  welcomeMessage: "Hi! How can we help?",
  available: true,
  hasChatbot: false,
  lang: "en",
};

describe("Client: what the visitor's widget shows", () => {
  it("names the operator, online, with their initials, once one answers", () => {
    const view = conversationView(conversation());
    expect(view).to.include({ title: "Mitchell", subtitle: "Online", avatarName: "Mitchell", status: "", ended: false });
    expect(view.answers).to.deep.equal([]);
  });

  it("tells a waiting visitor their place in the queue", () => {
    const view = conversationView(conversation({ state: "waiting", operator: null, queuePosition: 3 }));
    expect(view.title).to.equal("Website Support");
    expect(view.avatarName).to.equal(null);
    expect(view.subtitle).to.equal("Waiting for an operator");
    expect(view.status).to.equal(
      "No operator is available right now. You are number 3 in the queue; leave a message and we will answer as soon as possible.",
    );
  });

  it("still asks for a message when the queue position is not known", () => {
    expect(queueStatus(null)).to.equal("No operator is available right now. Leave a message and we will answer as soon as possible.");
  });

  it("shows the chatbot's answer buttons, and the right hint for email and phone questions", () => {
    const step = { id: 4, type: "question", answers: [{ id: 1, label: "Billing" }, { id: 2, label: "Technical issue" }] };
    const asking = conversationView(conversation({ state: "bot", operator: null, chatbot: { name: "Bot", step } }));
    expect(asking).to.include({ title: "Bot", subtitle: "Virtual assistant", avatarName: "Bot", placeholder: "Type your message…" });
    expect(asking.answers).to.deep.equal(["Billing", "Technical issue"]);
    const email = conversationView(conversation({ state: "bot", operator: null, chatbot: { name: "Bot", step: { id: 5, type: "email", answers: [] } } }));
    expect(email.placeholder).to.equal("name@example.com");
    const phone = conversationView(conversation({ state: "bot", operator: null, chatbot: { name: "Bot", step: { id: 6, type: "phone", answers: [] } } }));
    expect(phone.placeholder).to.equal("Your phone number");
  });

  it("says an ended conversation has ended and offers no answers any more", () => {
    const step = { id: 4, type: "question", answers: [{ id: 1, label: "Billing" }] };
    const view = conversationView(conversation({ state: "closed", chatbot: { name: "Bot", step } }));
    expect(view).to.include({ ended: true, subtitle: "Conversation ended", status: "The conversation has ended." });
    expect(view.answers).to.deep.equal([]);
  });

  it("greets with the channel's welcome message before the conversation starts", () => {
    expect(introView(info)).to.deep.equal({ title: "Website Support", subtitle: "We are online", avatarName: null, greeting: "Hi! How can we help?" });
    expect(introView({ ...info, available: false, welcomeMessage: "" }).subtitle).to.equal("We will answer as soon as possible");
    expect(introView(null)).to.deep.equal({ title: "Live chat", subtitle: "", avatarName: null, greeting: "" });
  });

  it("shows the visitor's own messages as theirs, and initials for the operator and the bot", () => {
    expect(messageAuthor(message("visitor", "Visitor #4"))).to.deep.equal({ label: "You", avatarName: null });
    expect(messageAuthor(message("operator", "Mitchell"))).to.deep.equal({ label: "Mitchell", avatarName: "Mitchell" });
    expect(messageAuthor(message("bot", "Bot"))).to.deep.equal({ label: "Bot", avatarName: "Bot" });
  });

  it("counts on the launcher only others' messages that arrive while the window is closed", () => {
    expect(countsAsUnseen(message("operator", "Mitchell"), false)).to.equal(true);
    expect(countsAsUnseen(message("system", ""), false)).to.equal(true);
    expect(countsAsUnseen(message("operator", "Mitchell"), true)).to.equal(false);
    expect(countsAsUnseen(message("visitor", "Visitor #4"), false)).to.equal(false);
  });

  it("reads system lines from the visitor's side, in the page's language", () => {
    const ended: MessageDto = { ...message("system", "System"), body: "The visitor ended the conversation.", system: { key: "visitor_ended", params: {} } };
    expect(messageText(ended, "visitor")).to.equal("You ended the conversation.");
    expect(messageText(ended, "operator")).to.equal("The visitor ended the conversation.");
    const joined: MessageDto = { ...message("system", "System"), body: "Marc joined the conversation.", system: { key: "operator_joined", params: { name: "Marc" } } };
    useCatalog("fr", { "{name} joined the conversation.": "{name} a rejoint la conversation." });
    try {
      expect(messageText(joined, "visitor")).to.equal("Marc a rejoint la conversation.");
    } finally {
      useCatalog("en", {});
    }
    // A line stored without a key (by an older version) shows its text.
    expect(messageText({ ...message("system", "System"), body: "Something happened." }, "visitor")).to.equal("Something happened.");
  });

  it("drops the queue notice once an operator took over", () => {
    const notice: MessageDto = { ...message("system", "System"), system: { key: "queued", params: {} } };
    expect(isStaleQueueNotice(notice, conversation({ state: "waiting", operator: null }))).to.equal(false);
    expect(isStaleQueueNotice(notice, conversation({ state: "open", operator: { name: "Marc" } }))).to.equal(true);
    expect(isStaleQueueNotice(message("system", "System"), conversation())).to.equal(false);
  });
});
