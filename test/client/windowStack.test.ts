import { expect } from "chai";
import { toggledFold, WindowStack, windowRoom } from "../../module/client/operator/windowStack";

describe("Client: operator chat windows' state", () => {
  it("fits as many windows as the screen is wide, and always at least one", () => {
    expect(windowRoom(1280)).to.equal(3);
    expect(windowRoom(1920)).to.equal(5);
    expect(windowRoom(663)).to.equal(1);
    expect(windowRoom(664)).to.equal(2);
    expect(windowRoom(320)).to.equal(1);
  });

  it("keeps windows in opening order, the newest rightmost, and brings a chosen one to the front", () => {
    const stack = new WindowStack<string>();
    stack.add(1, "first");
    stack.add(2, "second");
    stack.add(3, "third");
    stack.toFront(1);
    expect(stack.ids()).to.deep.equal([2, 3, 1]);
    expect(stack.remove(3)).to.equal("third");
    expect(stack.remove(3)).to.equal(undefined);
    expect(stack.all()).to.deep.equal(["second", "first"]);
    stack.toFront(42);
    expect(stack.ids()).to.deep.equal([2, 1]);
  });

  it("shows the newest windows that fit and puts the oldest behind the +N menu, which takes a place", () => {
    const stack = new WindowStack<number>();
    for (const id of [1, 2, 3, 4, 5]) stack.add(id, id);
    expect(stack.hidden(5)).to.deep.equal([]);
    expect(stack.hidden(4)).to.deep.equal([1, 2]);
    expect(stack.hidden(3)).to.deep.equal([1, 2, 3]);
    // On a narrow screen one window stays, beside the menu.
    expect(stack.hidden(1)).to.deep.equal([1, 2, 3, 4]);
  });

  it("closes the windows the server no longer lists (another tab closed them)", () => {
    const stack = new WindowStack<number>();
    for (const id of [1, 2, 3]) stack.add(id, id);
    expect(stack.closedBy([{ conversationId: 2, state: "folded" }, { conversationId: 7, state: "open" }])).to.deep.equal([1, 3]);
    expect(stack.closedBy([])).to.deep.equal([1, 2, 3]);
  });

  it("folds an open window and opens a folded one", () => {
    expect(toggledFold("open")).to.equal("folded");
    expect(toggledFold("folded")).to.equal("open");
  });
});
