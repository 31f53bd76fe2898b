import { expect } from "chai";
import { joinAction, memberCountText } from "../../module/client/operator/channelsKanban";
import { answerFieldName, stepFieldName } from "../../module/client/operator/scriptFieldNames";
import { relativeTime, shortTime } from "../../module/client/operator/shortTime";

describe("Client: channel cards, chatbot steps and message times", () => {
  it("offers Leave in a channel the operator is in and Join in the others", () => {
    expect(joinAction({ id: 4, isMember: true })).to.deep.equal({ action: "/livechat/channels/4/leave", label: "Leave", className: "btn btn-outline-secondary btn-sm" });
    expect(joinAction({ id: 4, isMember: false })).to.deep.equal({ action: "/livechat/channels/4/join", label: "Join", className: "btn btn-primary btn-sm" });
    expect(memberCountText(1)).to.equal("1 operator");
    expect(memberCountText(0)).to.equal("0 operators");
  });

  it("names chatbot step fields by their position, as the server reads them", () => {
    expect(stepFieldName(2, "text")).to.equal("steps[2][text]");
    expect(answerFieldName(2, 0, "then")).to.equal("steps[2][answers][0][then]");
  });

  it("shows the hour today, the weekday this week, and the date before", () => {
    const now = new Date(2026, 10, 25, 15, 0);
    const hm = (d: Date) => d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const today = new Date(2026, 10, 25, 9, 5);
    expect(shortTime(today.toISOString(), now)).to.equal(hm(today));
    const monday = new Date(2026, 10, 23, 9, 5);
    expect(shortTime(monday.toISOString(), now)).to.equal(`${monday.toLocaleDateString([], { weekday: "short" })} ${hm(monday)}`);
    const old = new Date(2026, 9, 1, 9, 5);
    expect(shortTime(old.toISOString(), now)).to.equal(old.toLocaleDateString([], { day: "numeric", month: "short" }));
  });

  it("says how long ago within a day, in the page's language, and the short time beyond", () => {
    const now = new Date("2026-11-26T12:00:00Z");
    const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();
    expect(relativeTime(ago(20), now, "en")).to.equal("now");
    expect(relativeTime(ago(5 * 60 + 10), now, "en")).to.equal("5 min. ago");
    expect(relativeTime(ago(2 * 3600 + 5), now, "en")).to.equal("2 hr. ago");
    expect(relativeTime(ago(5 * 60), now, "fr").replace(/\s/g, " ")).to.equal("il y a 5 min");
    expect(relativeTime(ago(2 * 86_400), now, "en")).to.equal(shortTime(ago(2 * 86_400), now, "en"));
  });
});
