import { expect } from "chai";
import { insertionIndex, ShownMessages } from "../../module/client/shared/messageOrder";
import { initials } from "../../module/client/shared/initials";

/** Plays the rows of a thread as the page does: each id placed where insertionIndex says. */
function place(rows: (number | null)[], id: number): (number | null)[] {
  const at = insertionIndex(rows, id);
  const next = [...rows];
  next.splice(at === null ? next.length : at, 0, id);
  return next;
}

describe("Client: message order in a thread", () => {
  it("shows each message once, however often it arrives (load, notification, answer to a post)", () => {
    const shown = new ShownMessages();
    expect(shown.add(5)).to.equal(true);
    expect(shown.add(7)).to.equal(true);
    expect(shown.add(5)).to.equal(false);
    expect(shown.add(7)).to.equal(false);
    expect(shown.lastId).to.equal(7);
  });

  it("catches up from the newest message shown, even when an older one arrives last", () => {
    const shown = new ShownMessages();
    expect(shown.lastId).to.equal(0);
    shown.add(12);
    shown.add(9);
    expect(shown.lastId).to.equal(12);
    shown.clear();
    expect(shown.lastId).to.equal(0);
    expect(shown.add(12)).to.equal(true);
  });

  it("appends new messages and puts late ones in id order", () => {
    let rows: (number | null)[] = [];
    for (const id of [3, 4, 8, 6, 5, 9, 1]) rows = place(rows, id);
    expect(rows).to.deep.equal([1, 3, 4, 5, 6, 8, 9]);
    expect(insertionIndex([1, 2, 3], 4)).to.equal(null);
  });

  it("keeps a greeting (a row that is no message) above every message", () => {
    let rows: (number | null)[] = [null];
    for (const id of [10, 11, 2]) rows = place(rows, id);
    expect(rows).to.deep.equal([null, 2, 10, 11]);
  });
});

describe("Client: avatars' initials", () => {
  it("takes the first letter or digit of the first two words, in capitals", () => {
    expect(initials("Mitchell Admin")).to.equal("MA");
    expect(initials("Visitor #12")).to.equal("V1");
    expect(initials("élodie   de la tour")).to.equal("ÉD");
    expect(initials("Marc")).to.equal("M");
  });

  it("shows a question mark when the name has nothing to take", () => {
    expect(initials("")).to.equal("?");
    expect(initials(null)).to.equal("?");
    expect(initials("  #  ")).to.equal("?");
  });
});
