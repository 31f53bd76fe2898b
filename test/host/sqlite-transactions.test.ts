import { expect } from "chai";
import type { DataSource, EntityManager } from "typeorm";
import { Setting } from "../../host/models/Setting";
import { sqliteTransactionsOf } from "../../host/sqliteTransactions";
import { TURN_WAIT_LIMIT_MS } from "../../host/sqliteTurns";
import { HostDatabase } from "../support/hostDatabase";

describe("SQLite transactions", () => {
  let database: HostDatabase;
  let db: DataSource;
  before(async () => {
    database = await HostDatabase.create("sqlite");
    db = database.db;
  });
  after(async () => {
    await database?.close();
  });

  const tick = () => new Promise((r) => setImmediate(r));

  it("keeps a committed transaction's writes when a concurrent one rolls back", async () => {
    const failing = db.transaction(async (m) => {
      await m.getRepository(Setting).save({ key: "doomed", value: "1" });
      await tick();
      await tick();
      throw new Error("refused");
    });
    const committing = db.transaction(async (m) => {
      await tick();
      await m.getRepository(Setting).save({ key: "kept", value: "1" });
    });
    const [a, b] = await Promise.allSettled([failing, committing]);
    expect(a.status).to.equal("rejected");
    expect(b.status).to.equal("fulfilled");
    const keys = (await db.getRepository(Setting).find()).map((s) => s.key);
    expect(keys).to.include("kept").and.not.to.include("doomed");
  });

  it("runs a transaction started inside another at once (as a savepoint) instead of waiting for itself", async () => {
    await db.transaction(async (outer) => {
      await outer.getRepository(Setting).save({ key: "outer", value: "1" });
      await db.transaction(async (inner) => {
        await inner.getRepository(Setting).save({ key: "inner", value: "1" });
      });
    });
    const keys = (await db.getRepository(Setting).find()).map((s) => s.key);
    expect(keys).to.include.members(["outer", "inner"]);
  });

  it("keeps a write made outside any transaction, and an entity saved outside one, when a transaction open meanwhile rolls back", async () => {
    const failing = db.transaction(async (m) => {
      await m.getRepository(Setting).save({ key: "rolled-back", value: "1" });
      await tick();
      await tick();
      await tick();
      throw new Error("refused");
    });
    await tick();
    const written = db.query(`INSERT INTO host_setting (key, value) VALUES ('written-alone', '1')`);
    const saved = (async () => {
      await tick();
      return db.getRepository(Setting).save({ key: "saved-alone", value: "1" });
    })();
    const [a, b, c] = await Promise.allSettled([failing, written, saved]);
    expect([a.status, b.status, c.status]).to.deep.equal(["rejected", "fulfilled", "fulfilled"]);
    const keys = (await db.getRepository(Setting).find()).map((s) => s.key);
    expect(keys).to.include.members(["written-alone", "saved-alone"]).and.not.to.include("rolled-back");
  });

  it("answers a read outside any transaction while another transaction is open, without waiting for it", async () => {
    let finish!: () => void;
    const open = db.transaction(async (m) => {
      await m.getRepository(Setting).save({ key: "held-open", value: "1" });
      await new Promise<void>((resolve) => (finish = resolve));
    });
    await tick();
    await tick();
    const read = db.getRepository(Setting).count();
    const first = await Promise.race([read.then(() => "read"), new Promise((r) => setTimeout(() => r("timed out"), 1000))]);
    finish();
    await open;
    expect(first).to.equal("read");
  });

  it("does not show a read outside a transaction what that transaction has not committed, nor what it rolls back", async () => {
    let finish!: () => void;
    const open = db.transaction(async (m) => {
      await m.getRepository(Setting).save({ key: "not-yet-committed", value: "1" });
      await new Promise<void>((resolve) => (finish = resolve));
      throw new Error("rolled back");
    });
    await tick();
    await tick();
    const during = await db.getRepository(Setting).findOneBy({ key: "not-yet-committed" });
    const counted = Number((await db.query(`SELECT COUNT(*) AS n FROM host_setting WHERE key = 'not-yet-committed'`))[0].n);
    finish();
    await open.catch(() => undefined);
    const after = await db.getRepository(Setting).findOneBy({ key: "not-yet-committed" });
    expect([during, counted, after]).to.deep.equal([null, 0, null]);
  });

  it("shows a read outside a transaction what was committed, as soon as it was", async () => {
    await db.transaction((m) => m.getRepository(Setting).save({ key: "committed-then-read", value: "2" }));
    await db.query(`UPDATE host_setting SET value = '3' WHERE key = 'committed-then-read'`);
    expect((await db.getRepository(Setting).findOneBy({ key: "committed-then-read" }))?.value).to.equal("3");
  });

  it("finishes a transaction's saves when reads and saves outside it were made while it was open", async () => {
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => (resume = resolve));
    const transaction = db.transaction(async (m) => {
      await m.getRepository(Setting).save({ key: "before-the-pause", value: "1" });
      await paused;
      await m.getRepository(Setting).save({ key: "after-the-pause", value: "1" });
    });
    await tick();
    await tick();
    const read = await db.getRepository(Setting).count();
    const outside = db.getRepository(Setting).save({ key: "saved-meanwhile", value: "1" });
    await tick();
    resume();
    const [tx, save] = await Promise.allSettled([transaction, outside]);
    expect([tx.status, save.status]).to.deep.equal(["fulfilled", "fulfilled"]);
    expect(read).to.be.a("number");
    const keys = (await db.getRepository(Setting).find()).map((s) => s.key);
    expect(keys).to.include.members(["before-the-pause", "after-the-pause", "saved-meanwhile"]);
  });

  /**
   * A transaction that saves `key`, then awaits a write made outside it once it is open (a shared
   * load that writes, say) and goes on with `then`, while writes give up after 200 ms behind a turn.
   * Both settled: the transaction's outcome, then the outside write's.
   */
  const awaitingOutside = async (key: string, outside: () => Promise<unknown>, then: (m: EntityManager, write: Promise<unknown>) => Promise<unknown>) => {
    const turns = sqliteTransactionsOf(db).turns;
    turns.limitMs = 200;
    try {
      let entered!: () => void;
      const open = new Promise<void>((resolve) => (entered = resolve));
      const made: { write?: Promise<unknown> } = {};
      const transaction = db.transaction(async (m) => {
        await m.getRepository(Setting).save({ key, value: "1" });
        entered();
        await tick();
        await then(m, made.write as Promise<unknown>);
      });
      await open;
      made.write = outside();
      return await Promise.allSettled([transaction, made.write]);
    } finally {
      turns.limitMs = TURN_WAIT_LIMIT_MS;
    }
  };

  it("fails a write made outside a transaction that awaits it, instead of stopping every write for good", async () => {
    const [tx, write] = await awaitingOutside(
      "awaits-outside",
      () => db.query(`INSERT INTO host_setting (key, value) VALUES ('written-outside', '1')`),
      (_m, shared) => shared,
    );
    expect(write.status).to.equal("rejected");
    expect(String((write as PromiseRejectedResult).reason)).to.match(/held by one transaction/);
    expect(tx.status, "the transaction gets the failure and rolls back").to.equal("rejected");
    await db.getRepository(Setting).save({ key: "after-the-failure", value: "1" });
    const keys = (await db.getRepository(Setting).find()).map((s) => s.key);
    expect(keys).to.include("after-the-failure").and.not.to.include.members(["awaits-outside", "written-outside"]);
  });

  it("leaves the transaction holding the connection alone when an entity save outside it gives up waiting", async () => {
    const [tx, save] = await awaitingOutside(
      "kept-by-transaction",
      () => db.getRepository(Setting).save({ key: "saved-outside", value: "1" }),
      // The save made outside gives up; this transaction goes on and commits.
      async (m, shared) => {
        await shared.catch(() => undefined);
        await m.getRepository(Setting).save({ key: "kept-after-waiting", value: "1" });
      },
    );
    expect(save.status).to.equal("rejected");
    expect(tx.status, String((tx as PromiseRejectedResult).reason)).to.equal("fulfilled");
    const keys = (await db.getRepository(Setting).find()).map((s) => s.key);
    expect(keys).to.include.members(["kept-by-transaction", "kept-after-waiting"]).and.not.to.include("saved-outside");
  });
});
