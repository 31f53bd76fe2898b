import { expect } from "chai";
import { cannedQueryAt, insertResponse, matchingResponses, MAX_SUGGESTIONS } from "../../module/client/operator/cannedMatch";

const responses = ["refund", "hello", "shipping", "help", "greet-fr"].map((shortcut, i) => ({ id: i + 1, shortcut, text: `text of ${shortcut}` }));

describe("Client: canned responses in the composer", () => {
  it("opens on a colon at the start or after a space, not inside a word or a time", () => {
    expect(cannedQueryAt(":he", 3)).to.deep.equal({ start: 0, query: "he" });
    expect(cannedQueryAt("Sure :He", 8)).to.deep.equal({ start: 5, query: "he" });
    expect(cannedQueryAt("Sure :", 6)).to.deep.equal({ start: 5, query: "" });
    expect(cannedQueryAt("at 10:30", 8)).to.equal(null);
    expect(cannedQueryAt("http://x", 8)).to.equal(null);
    expect(cannedQueryAt(":he llo", 7)).to.equal(null);
    // Only up to the caret counts: text after it is left alone.
    expect(cannedQueryAt(":he and more", 3)).to.deep.equal({ start: 0, query: "he" });
  });

  it("lists shortcuts starting with the letters first, then those containing them", () => {
    expect(matchingResponses(responses, "he").map((r) => r.shortcut)).to.deep.equal(["hello", "help"]);
    expect(matchingResponses(responses, "ip").map((r) => r.shortcut)).to.deep.equal(["shipping"]);
    expect(matchingResponses(responses, "r").map((r) => r.shortcut)).to.deep.equal(["refund", "greet-fr"]);
    expect(matchingResponses(responses, "zzz")).to.deep.equal([]);
    const many = Array.from({ length: 20 }, (_, i) => ({ id: i, shortcut: `a${i}`, text: "" }));
    expect(matchingResponses(many, "a")).to.have.length(MAX_SUGGESTIONS);
  });

  it("replaces the colon and letters with the text and puts the caret after it", () => {
    const text = "Sure :ref, then more";
    const at = cannedQueryAt(text, 9)!;
    const result = insertResponse(text, 9, at, responses[0]);
    expect(result.text).to.equal("Sure text of refund, then more");
    expect(result.caret).to.equal("Sure text of refund".length);
  });
});
