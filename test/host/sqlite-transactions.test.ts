import { expect } from "chai";
import type { DataSource } from "typeorm";
import { Setting } from "../../host/models/Setting";
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
});
