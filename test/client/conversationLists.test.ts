import { expect } from "chai";
import type { MessageDto, OperatorConversationDto, OperatorConversationListDto } from "../../module/services/conversations/dto";
import { dayLabel } from "../../module/client/operator/daySeparators";
import { conversationDetails, conversationTag, endedText, waitingNotice } from "../../module/client/operator/discussView";
import { languageName } from "../../module/client/operator/visitorPanel";
import { conversationPreview, isUnassigned, messagesButtonText, recentConversations } from "../../module/client/operator/recentConversations";

function message(id: number, kind: MessageDto["author"]["kind"], name: string, body: string): MessageDto {
  return { id, conversationId: 1, author: { kind, name }, body, createdAt: "2026-11-25T09:00:00.000Z" };
}

function conversation(id: number, fields: Partial<OperatorConversationDto> = {}): OperatorConversationDto {
  return {
    id,
    channel: { id: 1, name: "Website Support" },
    state: "open",
    operator: { name: "Mitchell" },
    queuePosition: null,
    queueVersion: null,
    createdAt: "2026-11-25T09:00:00.000Z",
    closedAt: null,
    visitorName: `Visitor #${id}`,
    visitorLang: "en_US",
    operatorId: 2,
    unread: 0,
    lastMessage: null,
    lastActivityAt: "2026-11-25T09:00:00.000Z",
    ...fields,
  };
}

const grouped = (...lists: OperatorConversationDto[][]): OperatorConversationListDto => ({
  channels: lists.map((conversations, i) => ({ id: i + 1, name: `Channel ${i + 1}`, conversations })),
  waiting: [],
  unreadConversations: lists.flat().filter((c) => c.unread > 0).length,
  next: null,
});

describe("Client: the Messages menu and Discuss's list", () => {
  it("lists unread conversations first, then by latest message, across channels", () => {
    const list = grouped(
      [conversation(1, { lastMessage: message(10, "visitor", "Visitor #1", "a") }), conversation(2, { unread: 1, lastMessage: message(5, "visitor", "Visitor #2", "b") })],
      [conversation(3, { lastMessage: message(30, "visitor", "Visitor #3", "c") }), conversation(4), conversation(5)],
    );
    expect(recentConversations(list).map((c) => c.id)).to.deep.equal([2, 3, 1, 5, 4]);
  });

  it("keeps the menu short", () => {
    const many = Array.from({ length: 20 }, (_, i) => conversation(i + 1));
    expect(recentConversations(grouped(many))).to.have.length(12);
    expect(recentConversations(grouped(many), 3).map((c) => c.id)).to.deep.equal([20, 19, 18]);
  });

  it("names the Messages button with the number of unread conversations", () => {
    expect(messagesButtonText(0)).to.deep.equal({ label: "Messages", title: "Messages" });
    expect(messagesButtonText(1)).to.deep.equal({ label: "Messages, 1 unread", title: "1 conversation with unread messages" });
    expect(messagesButtonText(3)).to.deep.equal({ label: "Messages, 3 unread", title: "3 conversations with unread messages" });
  });

  it("previews the last message with its author, unless the visitor wrote it, or the channel when there is none", () => {
    expect(conversationPreview(conversation(1, { lastMessage: message(1, "visitor", "Visitor #1", "Hello") }))).to.equal("Hello");
    expect(conversationPreview(conversation(1, { lastMessage: message(2, "operator", "Mitchell", "Hi!") }))).to.equal("Mitchell: Hi!");
    expect(conversationPreview(conversation(1))).to.equal("Website Support");
  });

  it("tags ended and waiting conversations, and tells the operator where a waiting visitor stands", () => {
    expect(conversationTag({ state: "closed" })).to.deep.equal({ text: "ended", waiting: false });
    expect(conversationTag({ state: "waiting" })).to.deep.equal({ text: "waiting", waiting: true });
    expect(conversationTag({ state: "bot" })).to.deep.equal({ text: "waiting", waiting: true });
    expect(conversationTag({ state: "open" })).to.equal(null);
    expect(isUnassigned({ state: "waiting" })).to.equal(true);
    expect(isUnassigned({ state: "open" })).to.equal(false);
    expect(waitingNotice({ state: "waiting", queuePosition: 2 })).to.equal(
      "This visitor is waiting in the queue (number 2): the conversation opens in a chat window when it is assigned.",
    );
    expect(waitingNotice({ state: "waiting", queuePosition: null })).to.equal(
      "This visitor is waiting in the queue: the conversation opens in a chat window when it is assigned.",
    );
    expect(waitingNotice({ state: "bot", queuePosition: null })).to.equal("The visitor is talking with the chatbot.");
  });

  it("sums up a conversation under the visitor's name", () => {
    expect(conversationDetails(conversation(1), "14:05")).to.equal("Website Support · with Mitchell · English (United States) · started 14:05");
    expect(conversationDetails(conversation(1, { operator: null, visitorLang: null }), "Mon 09:00")).to.equal("Website Support · started Mon 09:00");
  });
});

describe("Client: Discuss's thread and visitor panel texts", () => {
  it("names days as the reader says them: today, yesterday, else the date", () => {
    const now = new Date(2026, 10, 26, 15, 0);
    expect(dayLabel(new Date(2026, 10, 26, 8, 0), now, "en")).to.equal("Today");
    expect(dayLabel(new Date(2026, 10, 25, 23, 59), now, "fr")).to.equal("Hier");
    expect(dayLabel(new Date(2026, 10, 20, 9, 0), now, "de")).to.equal("Freitag, 20. November");
    expect(dayLabel(new Date(2025, 0, 3, 9, 0), now, "en")).to.equal("Friday, January 3, 2025");
  });

  it("says who ended a conversation", () => {
    expect(endedText({ reason: "operator", name: "Mitchell" })).to.equal("Mitchell ended this conversation.");
    expect(endedText({ reason: "visitor", name: null })).to.equal("The visitor ended this conversation.");
    expect(endedText({ reason: "inactivity", name: null })).to.equal("This conversation ended: the visitor left.");
    expect(endedText({ reason: "chatbot", name: null })).to.equal("The chatbot ended this conversation.");
    expect(endedText(null)).to.equal("This conversation has ended.");
  });

  it("names the visitor's language in the reader's", () => {
    expect(languageName("fr_FR", "en")).to.equal("French (France)");
    expect(languageName("es", "de")).to.equal("Spanisch");
    expect(languageName("not a language", "en")).to.equal("not a language");
  });
});
