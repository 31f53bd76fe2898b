import { expect } from "chai";
import { TurnQueue, TurnWaitError } from "../../host/sqliteTurns";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("SQLite connection turns", () => {
  it("grants turns in the order they were asked for, one at a time", async () => {
    const turns = new TurnQueue();
    const order: string[] = [];
    const take = async (name: string, holdMs: number) => {
      const release = await turns.acquire();
      order.push(`${name} starts`);
      await sleep(holdMs);
      order.push(`${name} ends`);
      release();
    };
    await Promise.all([take("a", 20), take("b", 5), take("c", 0)]);
    expect(order).to.deep.equal(["a starts", "a ends", "b starts", "b ends", "c starts", "c ends"]);
  });

  it("fails the writes waiting behind a turn held past the limit, and goes on once that turn ends", async () => {
    const turns = new TurnQueue(100);
    const stuck = await turns.acquire();
    const waiting = turns.acquire();
    const outcome = await waiting.then(
      () => "granted",
      (error: unknown) => error,
    );
    expect(outcome).to.be.instanceOf(TurnWaitError);
    expect((outcome as Error).message).to.match(/held by one transaction/);
    stuck();
    const next = await Promise.race([turns.acquire(), sleep(1000).then(() => null)]);
    expect(next, "the connection is free again").to.be.a("function");
  });

  it("fails nobody while turns keep moving, however long the queue takes", async () => {
    const turns = new TurnQueue(60);
    const held = Array.from({ length: 5 }, async () => {
      const release = await turns.acquire();
      await sleep(40);
      release();
      return "done";
    });
    expect(await Promise.all(held)).to.deep.equal(["done", "done", "done", "done", "done"]);
  });

  it("ends a turn once however often its release is called", async () => {
    const turns = new TurnQueue();
    const first = await turns.acquire();
    const second = turns.acquire();
    const third = turns.acquire();
    first();
    const releaseSecond = await second;
    first();
    const thirdGranted = await Promise.race([third.then(() => true), sleep(50).then(() => false)]);
    expect(thirdGranted, "a second call of the first release must not end the second turn").to.equal(false);
    releaseSecond();
    expect(await Promise.race([third.then(() => true), sleep(1000).then(() => false)])).to.equal(true);
  });
});
