import { expect } from "chai";
import { busAddress, type BusNotification } from "../../host/contract";
import { DeliveryOrder } from "../../host/bus/HostBus";
import { connectBus } from "../support/busClient";
import { skipUnlessPostgres } from "../support/postgres";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Bus catch-up in commit order (PostgreSQL)", function () {
  this.timeout(60_000);
  let t: TestHost;
  before(async function () {
    await skipUnlessPostgres(this);
    t = await startTestHost({ database: "postgres" });
  });
  after(async () => {
    await t?.stop();
  });

  /** Resolves once this instance has delivered the notification `id` (its NOTIFY came back). */
  const delivered = (id: () => number | null) =>
    new Promise<void>((resolve) => {
      const stop = t.host.bus.onNotification((n: BusNotification) => {
        if (n.id === id()) {
          stop();
          resolve();
        }
      });
    });

  it("gives a client that reconnects after a later id what a transaction held open committed meanwhile, once", async () => {
    const user = (await t.host.users.findByLogin("mitchell"))!;
    const channel = busAddress.user(user.id);
    const session = await t.login("mitchell");

    // A transaction takes its id and stays open.
    const runner = t.host.db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    let heldId: number | null = null;
    let laterId = 0;
    try {
      heldId = await t.host.bus.publish(channel, "test.held", { n: 1 }, runner.manager);
      // A later id commits first and reaches the client.
      const first = await connectBus(t.url, { cookie: session.cookie });
      laterId = await t.host.bus.publish(channel, "test.later", { n: 2 });
      expect(laterId).to.be.greaterThan(heldId);
      await first.next((n) => n.id === laterId);
      first.close();

      // The held transaction commits while the client is away.
      const heldDelivered = delivered(() => heldId);
      await runner.commitTransaction();
      await heldDelivered;
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }

    // Back with the last id it saw, the client gets the late one, and nothing twice.
    const back = await connectBus(t.url, { cookie: session.cookie, last: laterId });
    try {
      const late = await back.next((n) => n.id === heldId);
      expect(late).to.include({ type: "test.held", channel });
      expect(back.notifications.filter((n) => n.id === heldId)).to.have.length(1);
    } finally {
      back.close();
    }
  });
});

describe("The order an instance delivered bus ids in", () => {
  it("names the ids delivered after one that are smaller than it, and forgets the oldest", () => {
    const order = new DeliveryOrder(4);
    for (const id of [1, 3, 4, 2, 6]) order.add(id);
    expect(order.lateAfter(4)).to.deep.equal([2]);
    expect(order.lateAfter(3)).to.deep.equal([2]);
    expect(order.lateAfter(6)).to.deep.equal([]);
    // Five added, four kept: the first is forgotten, and unknown ids answer null.
    expect(order.lateAfter(1)).to.equal(null);
    expect(order.lateAfter(5)).to.equal(null);
  });
});
