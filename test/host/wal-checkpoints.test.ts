import fs from "node:fs";
import { expect } from "chai";
import type { Logger } from "../../host/contract";
import { WalCheckpoints } from "../../host/walCheckpoints";
import { Setting } from "../../host/models/Setting";
import { HostDatabase } from "../support/hostDatabase";
import { startTestHost } from "../support/testHost";

const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** About 2 MB of settings, each in its own transaction, as requests would write them. */
async function writeTwoMegabytes(database: { getRepository: HostDatabase["db"]["getRepository"] }, prefix: string): Promise<void> {
  const repo = database.getRepository(Setting);
  for (let i = 0; i < 500; i++) await repo.save({ key: `${prefix}${i}`, value: "x".repeat(4000) });
}

/** Whether the database file itself (not its write-ahead log) grows by `bytes` within `ms`. */
async function fileGrows(file: string, from: number, bytes: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (fs.statSync(file).size - from >= bytes) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

describe("SQLite checkpoints off the event loop", function () {
  this.timeout(30_000);

  it("leaves what is written in the log while nobody checkpoints, and copies it into the database file once they run", async () => {
    const database = await HostDatabase.create("sqlite");
    const target = database.target;
    if (target.kind !== "sqlite") throw new Error("expected SQLite");
    try {
      const before = fs.statSync(target.file).size;
      await writeTwoMegabytes(database.db, "before-");
      // The host's connection never checkpoints by itself: the commits stay quick, the log grows.
      expect(await fileGrows(target.file, before, 1_500_000, 300)).to.equal(false);
      const checkpoints = new WalCheckpoints(target.file, quietLogger, 20);
      try {
        expect(await fileGrows(target.file, before, 1_500_000, 10_000)).to.equal(true);
      } finally {
        await checkpoints.stop();
      }
      expect(await database.db.getRepository(Setting).countBy({ value: "x".repeat(4000) })).to.equal(500);
    } finally {
      await database.close();
    }
  });

  it("runs with every host on a SQLite file", async () => {
    const t = await startTestHost();
    try {
      const target = t.host.target;
      if (target.kind !== "sqlite") throw new Error("expected SQLite");
      const before = fs.statSync(target.file).size;
      await writeTwoMegabytes(t.host.db, "host-");
      expect(await fileGrows(target.file, before, 1_500_000, 10_000)).to.equal(true);
    } finally {
      await t.stop();
    }
  });
});
