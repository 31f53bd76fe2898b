import { expect } from "chai";
import type { MessageDto } from "../../module/services/conversations/dto";
import { countsAsUnread, readMarkToSend } from "../../module/client/operator/unread";
import { followsToBottom } from "../../module/client/operator/operatorThread";

const from = (kind: MessageDto["author"]["kind"]): MessageDto => ({
  id: 9,
  conversationId: 1,
  author: { kind, name: kind },
  body: "Hello",
  createdAt: "2026-11-25T09:00:00.000Z",
});

describe("Client: unread messages for operators", () => {
  it("counts the visitor's and the bot's messages that arrive while the operator does not see the conversation", () => {
    expect(countsAsUnread(from("visitor"), false)).to.equal(true);
    expect(countsAsUnread(from("bot"), false)).to.equal(true);
    expect(countsAsUnread(from("visitor"), true)).to.equal(false);
  });

  it("never counts the operator's own messages or system lines", () => {
    expect(countsAsUnread(from("operator"), false)).to.equal(false);
    expect(countsAsUnread(from("system"), false)).to.equal(false);
  });

  it("marks read up to the newest message shown, once", () => {
    expect(readMarkToSend(0, 12)).to.equal(12);
    expect(readMarkToSend(12, 12)).to.equal(null);
    expect(readMarkToSend(12, 15)).to.equal(15);
    // A failed mark is forgotten (read position back to 0) and sent again.
    expect(readMarkToSend(0, 15)).to.equal(15);
    expect(readMarkToSend(0, 0)).to.equal(null);
  });

  it("follows new messages to the bottom only for a reader who is there, or for the operator's own", () => {
    expect(followsToBottom(from("visitor"), true)).to.equal(true);
    expect(followsToBottom(from("visitor"), false)).to.equal(false);
    expect(followsToBottom(from("operator"), false)).to.equal(true);
  });
});
