import { expect } from "chai";
import { TYPING_EVERY_MS, TypingSender } from "../../module/client/shared/typingSender";

describe("TypingSender: throttled typing signals from a composer", () => {
  let now = 0;
  let sent: boolean[] = [];
  const sender = () => new TypingSender(async (typing) => void sent.push(typing), () => now);
  beforeEach(() => {
    now = 1_000_000;
    sent = [];
  });

  it("says typing once when the text starts, again only every few seconds while it changes", () => {
    const s = sender();
    s.changed("H");
    s.changed("He");
    now += TYPING_EVERY_MS - 1;
    s.changed("Hel");
    expect(sent).to.deep.equal([true]);
    now += 1;
    s.changed("Hell");
    expect(sent).to.deep.equal([true, true]);
  });

  it("says stopped once when the text is sent, cleared or left, and nothing if it never said typing", () => {
    const s = sender();
    s.stopped();
    s.changed("   ");
    expect(sent).to.deep.equal([]);
    s.changed("Hi");
    s.changed("");
    s.stopped();
    expect(sent).to.deep.equal([true, false]);
    // Typing again right after a stop is told at once.
    s.changed("Again");
    expect(sent).to.deep.equal([true, false, true]);
  });

  it("tries again on the next keystroke after a failed send", async () => {
    let fail = true;
    const calls: boolean[] = [];
    const s = new TypingSender(async (typing) => {
      calls.push(typing);
      if (fail) throw new Error("offline");
    }, () => now);
    s.changed("a");
    await new Promise((resolve) => setImmediate(resolve));
    fail = false;
    s.changed("ab");
    expect(calls).to.deep.equal([true, true]);
  });
});
