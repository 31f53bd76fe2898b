import { expect } from "chai";
import { parseCommand } from "../../module/services/commands/commandText";

describe("Composer: which texts call a command (the browser and the server alike)", () => {
  it("reads /name and its arguments, trimmed, and leaves every other text a message", () => {
    expect(parseCommand("/help")).to.deep.equal({ name: "help", args: "" });
    expect(parseCommand("  /transfer   Marc Dupont  ")).to.deep.equal({ name: "transfer", args: "Marc Dupont" });
    expect(parseCommand("/note first line\nsecond line")).to.deep.equal({ name: "note", args: "first line\nsecond line" });
    for (const message of ["hello /help", "/", "/Help", "/transfer:Marc", "// comment", "a/b"]) expect(parseCommand(message), message).to.equal(null);
  });
});
