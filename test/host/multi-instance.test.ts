import { expect } from "chai";
import { connectBus } from "../support/busClient";
import { skipUnlessPostgres } from "../support/postgres";
import { startTwoInstances, type TestHost, type TwoInstances } from "../support/testHost";
import { TestClock } from "../../host/clock";

describe("Two host instances on one PostgreSQL database", () => {
  let two: TwoInstances | null = null;
  let a: TestHost;
  let b: TestHost;
  const clock = new TestClock();

  before(async function () {
    await skipUnlessPostgres(this);
    two = await startTwoInstances({ clock });
    ({ a, b } = two);
  });
  after(async () => {
    await two?.stop();
  });

  it("accepts on instance B a session opened on instance A", async () => {
    const s = await a.login("mitchell");
    const res = await (await import("supertest")).default(b.url).get("/my/profile").set("Cookie", s.cookie);
    expect(res.status).to.equal(200);
    expect(res.text).to.contain("Mitchell Stephens");
  });

  it("delivers a notification published on A to a socket connected to B", async () => {
    const s = await a.login("marc");
    const marcId = (await a.host.users.findByLogin("marc"))!.id;
    const onB = await connectBus(b.url, { cookie: s.cookie });
    try {
      await a.host.bus.publish(`user:${marcId}`, "test.cross", { from: "A" });
      const n = await onB.next((x) => x.type === "test.cross");
      expect(n.payload).to.deep.equal({ from: "A" });
    } finally {
      onB.close();
    }
  });

  it("runs a scheduled job once per period, not once per instance", async () => {
    const runs: string[] = [];
    a.host.scheduler.register("test.multi_job", 60_000, async () => {
      runs.push("A");
    });
    b.host.scheduler.register("test.multi_job", 60_000, async () => {
      runs.push("B");
    });
    for (let period = 0; period < 5; period++) {
      clock.advance(60_000);
      await Promise.all([a.host.scheduler.tick(), b.host.scheduler.tick()]);
    }
    expect(runs).to.have.length(5);
  });
});
