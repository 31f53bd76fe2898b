import { expect } from "chai";
import { RequestError } from "../../module/client/shared/http";
import { LostMessage, newClientMessageId, withNetworkRetry } from "../../module/client/shared/sending";

/** Records the pauses instead of waiting them out. */
function pauses() {
  const waited: number[] = [];
  return { waited, wait: async (ms: number) => void waited.push(ms) };
}

describe("Client: sending a message through network failures", () => {
  it("retries a send the network lost, with growing pauses, until it goes through", async () => {
    const { waited, wait } = pauses();
    let calls = 0;
    const result = await withNetworkRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw new TypeError("Failed to fetch");
        return "stored";
      },
      600,
      wait,
    );
    expect(result).to.equal("stored");
    expect(calls).to.equal(3);
    expect(waited).to.deep.equal([600, 1200]);
  });

  it("gives up after three retries and reports the network error", async () => {
    const { waited, wait } = pauses();
    let calls = 0;
    const failing = withNetworkRetry(
      async () => {
        calls += 1;
        throw new TypeError("Failed to fetch");
      },
      800,
      wait,
    );
    await failing.then(
      () => expect.fail("should have failed"),
      (err: unknown) => expect((err as Error).message).to.equal("Failed to fetch"),
    );
    expect(calls).to.equal(4);
    expect(waited).to.deep.equal([800, 1600, 2400]);
  });

  it("never retries what the server refused: the same request would be refused again", async () => {
    const { waited, wait } = pauses();
    let calls = 0;
    const refused = withNetworkRetry(
      async () => {
        calls += 1;
        throw new RequestError("This is not an email address.", 400);
      },
      600,
      wait,
    );
    await refused.then(
      () => expect.fail("should have failed"),
      (err: unknown) => expect(err).to.be.instanceOf(RequestError).with.property("status", 400),
    );
    expect(calls).to.equal(1);
    expect(waited).to.deep.equal([]);
  });

  it("sends again after a busy server's 503, waiting as long as it asked", async () => {
    const { waited, wait } = pauses();
    let calls = 0;
    const result = await withNetworkRetry(
      async () => {
        calls += 1;
        if (calls === 1) throw new RequestError("The server is busy: please try again in a moment.", 503, 2000);
        return "stored";
      },
      800,
      wait,
    );
    expect(result).to.equal("stored");
    expect(calls).to.equal(2);
    expect(waited).to.deep.equal([2000]);
  });

  it("gives every message its own client id", () => {
    const ids = new Set(Array.from({ length: 50 }, () => newClientMessageId()));
    expect(ids.size).to.equal(50);
  });
});

describe("Client: sending the same text again after a lost send", () => {
  it("reuses the lost message's client id for the same text, so the server stores it once", () => {
    const lost = new LostMessage();
    const first = lost.idFor("Hello");
    lost.remember("Hello", first);
    expect(lost.idFor("Hello")).to.equal(first);
    // Remembered once: the next send of the same text is a new message.
    expect(lost.idFor("Hello")).not.to.equal(first);
  });

  it("gives other text a new id and forgets the lost one", () => {
    const lost = new LostMessage();
    const first = lost.idFor("Hello");
    lost.remember("Hello", first);
    expect(lost.idFor("Something else")).not.to.equal(first);
    expect(lost.idFor("Hello")).not.to.equal(first);
  });
});
