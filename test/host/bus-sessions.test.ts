import { expect } from "chai";
import { connectBus } from "../support/busClient";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Host bus over WebSocket with real logins", () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("delivers a notification for user:A to A's socket and not to B's", async () => {
    const mitchell = await t.login("mitchell");
    const marc = await t.login("marc");
    const a = await connectBus(t.url, { cookie: mitchell.cookie });
    const b = await connectBus(t.url, { cookie: marc.cookie });
    try {
      const mitchellId = (await t.host.users.findByLogin("mitchell"))!.id;
      const marcId = (await t.host.users.findByLogin("marc"))!.id;
      await t.host.bus.publish(`user:${mitchellId}`, "test.hello", { text: "for mitchell" });
      // B gets its own notification afterwards: ordering proves it would have seen A's by then.
      await t.host.bus.publish(`user:${marcId}`, "test.hello", { text: "for marc" });
      const got = await a.next((n) => n.type === "test.hello");
      expect(got.payload).to.deep.equal({ text: "for mitchell" });
      await b.next((n) => n.type === "test.hello");
      expect(b.notifications.map((n) => n.payload)).to.deep.equal([{ text: "for marc" }]);
      expect(a.notifications.map((n) => n.payload)).to.deep.equal([{ text: "for mitchell" }]);
    } finally {
      a.close();
      b.close();
    }
  });

  it("gives a reconnecting client what it missed since its last id", async () => {
    const sofia = await t.login("sofia");
    const sofiaId = (await t.host.users.findByLogin("sofia"))!.id;
    const first = await connectBus(t.url, { cookie: sofia.cookie });
    await t.host.bus.publish(`user:${sofiaId}`, "test.seq", { n: 1 });
    const seen = await first.next((n) => n.type === "test.seq");
    first.close();
    await t.host.bus.publish(`user:${sofiaId}`, "test.seq", { n: 2 });
    await t.host.bus.publish(`user:${sofiaId}`, "test.seq", { n: 3 });
    const again = await connectBus(t.url, { cookie: sofia.cookie, last: seen.id });
    try {
      await again.next((n) => n.type === "test.seq" && (n.payload as { n: number }).n === 3);
      expect(again.notifications.map((n) => (n.payload as { n: number }).n)).to.deep.equal([2, 3]);
    } finally {
      again.close();
    }
  });

  it("refuses a socket without a session", async () => {
    let error: Error | null = null;
    try {
      await connectBus(t.url, {});
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).to.contain("401");
  });

  it("counts browser heartbeats with input as activity, and an idle open tab as seen only", async () => {
    const marc = await t.login("marc");
    const marcId = (await t.host.users.findByLogin("marc"))!.id;
    const socket = await connectBus(t.url, { cookie: marc.cookie });
    try {
      t.clock.advance(20 * 60_000);
      const idleAt = t.clock.now().getTime();
      socket.send({ op: "presence", input: false });
      await waitFor(async () => (await t.host.presence.get(marcId)).lastSeenAt?.getTime() === idleAt);
      const idle = await t.host.presence.get(marcId);
      expect(idle.lastActivityAt!.getTime()).to.be.below(idleAt);
      expect(idle.status).to.equal("away");

      t.clock.advance(60_000);
      socket.send({ op: "presence", input: true });
      await waitFor(async () => (await t.host.presence.get(marcId)).lastActivityAt?.getTime() === t.clock.now().getTime());
      expect((await t.host.presence.get(marcId)).status).to.equal("online");
    } finally {
      socket.close();
    }
  });
});

/** Polls a condition the server reaches asynchronously; fails after a generous bound. */
async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error("Condition not reached");
    await new Promise((r) => setTimeout(r, 20));
  }
}
