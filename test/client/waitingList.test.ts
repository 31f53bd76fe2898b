import { expect } from "chai";
import { waitedFor } from "../../module/client/operator/waitingList";

describe("Client: how long a waiting visitor has waited", () => {
  const now = new Date("2026-11-26T10:00:00Z");
  const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

  it("says less than a minute, then minutes, then hours", () => {
    expect(waitedFor(ago(20_000), now)).to.equal("waiting for less than a minute");
    expect(waitedFor(ago(60_000), now)).to.equal("waiting for 1 min");
    expect(waitedFor(ago(5 * 60_000 + 59_000), now)).to.equal("waiting for 5 min");
    expect(waitedFor(ago(130 * 60_000), now)).to.equal("waiting for 2 h");
  });

  it("never shows a negative wait when the browser's clock is behind the server's", () => {
    expect(waitedFor(ago(-90_000), now)).to.equal("waiting for less than a minute");
  });
});
