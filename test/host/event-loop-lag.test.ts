import { expect } from "chai";
import { EventLoopLag } from "../../host/http/EventLoopLag";
import { LoadShedder } from "../../host/http/LoadShedder";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Holds the event loop for `ms`, as a long synchronous piece of work would. */
function hold(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

describe("Event-loop lag, measured while requests come", function () {
  this.timeout(10_000);
  let lag: EventLoopLag;
  beforeEach(() => {
    lag = new EventLoopLag();
    lag.start();
  });
  afterEach(() => lag.stop());

  it("does not wake an idle server to measure it", async () => {
    await sleep(300);
    expect(lag.measuring).to.equal(false);
    expect(lag.ms).to.equal(0);
  });

  it("measures a lagging loop once a request comes through the load shedder, and stops a window after the last", async () => {
    const shedder = new LoadShedder(256, 50, lag, 50, { ms: 0 });
    expect(shedder.admit()).to.equal(true);
    shedder.release();
    expect(lag.measuring).to.equal(true);
    // Requests keep coming while the loop is held 40 ms at a time: the median delay shows it.
    let highest = 0;
    for (let i = 0; i < 16; i++) {
      lag.busy();
      hold(40);
      await sleep(1);
      highest = Math.max(highest, lag.ms);
    }
    expect(highest).to.be.greaterThan(15);
    // No request for a whole window: measuring stops, and a stale lag refuses nothing.
    await sleep(600);
    expect(lag.measuring).to.equal(false);
    expect(lag.ms).to.equal(0);
  });
});
