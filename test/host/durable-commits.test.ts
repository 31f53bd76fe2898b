import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import type { BusNotification, Logger } from "../../host/contract";
import { HostBus } from "../../host/bus/HostBus";
import { DurableCommits, type SyncFile } from "../../host/durableCommits";
import { createGroupedWrites } from "../../host/groupedWrites";
import { Setting } from "../../host/models/Setting";
import { HostDatabase } from "../support/hostDatabase";
import { TestClock } from "../../host/clock";

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A flush of the log that can be held, to see what waits for it. */
class HeldFlushes {
  flushes = 0;
  held = false;
  failWith: Error | null = null;
  private readonly releases: (() => void)[] = [];

  readonly sync: SyncFile = async () => {
    this.flushes++;
    if (this.held) await new Promise<void>((resolve) => this.releases.push(resolve));
    if (this.failWith) throw this.failWith;
  };

  release(): void {
    this.held = false;
    for (const release of this.releases.splice(0)) release();
  }
}

/** Follows whether a promise has settled. */
function watch<T>(promise: Promise<T>): { settled: boolean; promise: Promise<T> } {
  const watched = { settled: false, promise };
  promise.then(
    () => (watched.settled = true),
    () => (watched.settled = true),
  );
  return watched;
}

/** A few turns of the event loop, for anything that would settle to do so. */
const turns = () => new Promise((resolve) => setTimeout(resolve, 30));

describe("Commits acknowledged once the database log is on the disk (SQLite)", function () {
  this.timeout(20_000);

  describe("DurableCommits", () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "livechat-durable-"));
      fs.writeFileSync(path.join(dir, "db.sqlite-wal"), "log");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("waits for a flush begun after the commit; commits made during a flush wait for the next; one flush serves all who wait", async () => {
      const held = new HeldFlushes();
      const commits = new DurableCommits(path.join(dir, "db.sqlite"), held.sync);
      await commits.durable();
      expect(held.flushes, "nothing committed, nothing to flush").to.equal(0);

      held.held = true;
      commits.committed();
      const first = [watch(commits.durable()), watch(commits.durable())];
      commits.committed();
      const second = watch(commits.durable());
      await turns();
      expect(held.flushes).to.equal(1);
      expect([...first, second].some((w) => w.settled)).to.equal(false);

      held.release();
      await Promise.all(first.map((w) => w.promise));
      await second.promise;
      expect(held.flushes, "the second commit came during the first flush").to.equal(2);
      await commits.durable();
      expect(held.flushes).to.equal(2);
      await commits.close();
    });

    it("fails every wait from a failed flush on", async () => {
      const held = new HeldFlushes();
      const commits = new DurableCommits(path.join(dir, "db.sqlite"), held.sync);
      held.failWith = new Error("EIO");
      commits.committed();
      let failure: unknown = null;
      await commits.durable().catch((error: unknown) => (failure = error));
      expect(String(failure)).to.contain("EIO");
      held.failWith = null;
      commits.committed();
      failure = null;
      await commits.durable().catch((error: unknown) => (failure = error));
      expect(String(failure), "a later flush that succeeds proves nothing of the earlier commits").to.contain("EIO");
      await commits.close();
    });
  });

  describe("on a host database", () => {
    let held: HeldFlushes;
    let database: HostDatabase;
    beforeEach(async () => {
      held = new HeldFlushes();
      database = await HostDatabase.create("sqlite", undefined, held.sync);
    });
    afterEach(async () => {
      held.release();
      await database.close();
    });

    const settings = () => database.db.getRepository(Setting);
    /** Waits until `key` is committed (visible to a read), while its writer may still wait. */
    const untilVisible = async (key: string) => {
      for (let i = 0; i < 200 && !(await settings().findOneBy({ key })); i++) await new Promise((r) => setTimeout(r, 5));
      expect(await settings().findOneBy({ key }), `${key} committed`).to.not.equal(null);
    };

    it("settles a transaction after the flush, while the next transaction commits meanwhile", async () => {
      held.held = true;
      const first = watch(database.db.transaction((m) => m.getRepository(Setting).save({ key: "durable.a", value: "1" })));
      await untilVisible("durable.a");
      const second = watch(database.db.transaction((m) => m.getRepository(Setting).save({ key: "durable.b", value: "2" })));
      await untilVisible("durable.b");
      await turns();
      expect(first.settled || second.settled, "acknowledged before the flush").to.equal(false);
      held.release();
      await Promise.all([first.promise, second.promise]);
    });

    it("settles a transaction that wrote nothing without waiting for others' flush", async () => {
      held.held = true;
      const write = watch(settings().insert({ key: "durable.pending", value: "1" }));
      await untilVisible("durable.pending");
      const read = await database.db.transaction((m) => m.getRepository(Setting).countBy({ key: "durable.pending" }));
      expect(read).to.equal(1);
      expect(write.settled).to.equal(false);
      held.release();
      await write.promise;
    });

    it("settles typeorm's own save and a write outside any transaction after the flush; a read waits for nothing", async () => {
      held.held = true;
      const saved = watch(settings().save({ key: "durable.saved", value: "1" }));
      await untilVisible("durable.saved");
      const inserted = watch(settings().insert({ key: "durable.inserted", value: "1" }));
      await untilVisible("durable.inserted");
      await turns();
      expect(saved.settled || inserted.settled, "acknowledged before the flush").to.equal(false);
      expect(await settings().countBy({ value: "1" }), "reads go on").to.equal(2);
      held.release();
      await Promise.all([saved.promise, inserted.promise]);
    });

    /** Grouped writes on this database, each storing `key` and publishing it, and what the bus delivered. */
    const groupedWrites = async () => {
      const clock = new TestClock();
      const bus = new HostBus(database.db, database.target, clock, quiet);
      await bus.start();
      const writes = createGroupedWrites(database.db, database.target, bus, clock, quiet);
      const seen: BusNotification[] = [];
      const stop = bus.onNotification((n) => seen.push(n));
      return {
        seen,
        writes,
        write: (key: string) =>
          writes.run(async (tx) => {
            await tx.query("INSERT INTO host_setting (key, value) VALUES ($1, 'x')", [key]);
            await tx.publish([{ channel: `test.durable:${key}`, type: "test", payload: { key } }]);
            return key;
          }),
        close: async () => {
          stop();
          held.release();
          await writes.close();
          await bus.stop();
        },
      };
    };

    /** Runs `test` against grouped writes on this database, closed afterwards whatever happens. */
    const withGroupedWrites = async (test: (group: Awaited<ReturnType<typeof groupedWrites>>) => Promise<void>) => {
      const group = await groupedWrites();
      try {
        await test(group);
      } finally {
        await group.close();
      }
    };

    it("answers grouped writes and delivers their notifications after the flush, in the order they committed", async () => {
      await withGroupedWrites(async (group) => {
        held.held = true;
        const first = watch(group.write("group.first"));
        await untilVisible("group.first");
        const second = watch(group.write("group.second"));
        await untilVisible("group.second");
        await turns();
        expect(first.settled || second.settled, "answered before the flush").to.equal(false);
        expect(group.seen, "delivered before the flush").to.have.length(0);
        held.release();
        expect(await Promise.all([first.promise, second.promise])).to.deep.equal(["group.first", "group.second"]);
        expect(group.seen.map((n) => n.payload)).to.deep.equal([{ key: "group.first" }, { key: "group.second" }]);
      });
    });

    it("counts a stalled flush in the wait a write arriving now can expect, so that the server refuses instead of piling answers up", async () => {
      await withGroupedWrites(async (group) => {
        held.held = true;
        const first = watch(group.write("group.stalled"));
        await untilVisible("group.stalled");
        await new Promise((r) => setTimeout(r, 80));
        expect(first.settled).to.equal(false);
        expect(group.writes.expectedWaitMs, "the flush has stalled for 80 ms").to.be.at.least(80);
        held.release();
        await first.promise;
        expect(group.writes.expectedWaitMs).to.equal(0);
      });
    });

    it("fails a grouped write whose commit could not be flushed, and delivers nothing of it", async () => {
      await withGroupedWrites(async (group) => {
        held.failWith = new Error("EIO");
        let failure: unknown = null;
        await group.write("group.unflushed").catch((error: unknown) => (failure = error));
        expect(String(failure)).to.contain("could not be flushed");
        await turns();
        expect(group.seen).to.have.length(0);
      });
    });
  });
});
