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
});
