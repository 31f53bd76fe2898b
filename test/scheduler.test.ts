import { expect } from "chai";
import type { DataSource } from "typeorm";
import { TestClock } from "../host/clock";
import type { Logger } from "../host/contract";
import { HostHooks } from "../host/hooks/HostHooks";
import { formatLogLine } from "../host/logger";
import { ScheduledJob } from "../host/models/ScheduledJob";
import { HostScheduler } from "../host/scheduler/HostScheduler";
import { HostSettings } from "../host/settings/HostSettings";
import { HostDatabase } from "./support/hostDatabase";
import { skipUnlessPostgres } from "./support/postgres";

const MINUTE = 60_000;
const START = new Date("2025-01-06T09:00:00.000Z");

interface LogEntry {
  level: "info" | "warn" | "error";
  message: string;
  fields: Record<string, unknown>;
}

class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];
  info(message: string, fields: Record<string, unknown> = {}): void {
    this.entries.push({ level: "info", message, fields });
  }
  warn(message: string, fields: Record<string, unknown> = {}): void {
    this.entries.push({ level: "warn", message, fields });
  }
  error(message: string, fields: Record<string, unknown> = {}): void {
    this.entries.push({ level: "error", message, fields });
  }
  at(level: LogEntry["level"]): LogEntry[] {
    return this.entries.filter((e) => e.level === level);
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets pending promise callbacks and I/O run; used only to give a wrong outcome the chance to happen. */
function settle(ms = 20): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const backends: { name: string; postgres: boolean; create(): Promise<HostDatabase> }[] = [
  {
    name: "SQLite",
    postgres: false,
    create: () => HostDatabase.create("sqlite"),
  },
  {
    name: "PostgreSQL",
    postgres: true,
    create: () => HostDatabase.create("postgres", "sched"),
  },
];

for (const backend of backends) {
  describe(`HostScheduler on ${backend.name}`, function () {
    let database: HostDatabase | null = null;
    let schedulers: HostScheduler[] = [];
    let sources: DataSource[] = [];

    before(async function () {
      if (backend.postgres) await skipUnlessPostgres(this);
    });

    beforeEach(async () => {
      database = await backend.create();
      schedulers = [];
      sources = [];
    });

    afterEach(async () => {
      await Promise.all(schedulers.map((s) => s.stop()));
      await database?.close();
      database = null;
    });

    async function instance(clock: TestClock, logger: Logger, id: string): Promise<HostScheduler> {
      if (!database) throw new Error("no database");
      const ds = await database.open();
      const scheduler = new HostScheduler(ds, clock, logger, id);
      schedulers.push(scheduler);
      sources.push(ds);
      return scheduler;
    }

    async function jobRow(name: string): Promise<ScheduledJob> {
      const row = await sources[0].getRepository(ScheduledJob).findOneBy({ name });
      if (!row) throw new Error(`no row for ${name}`);
      return row;
    }

    it("runs a job once per period and not again before the period elapses", async () => {
      const clock = new TestClock(START);
      const logger = new RecordingLogger();
      const scheduler = await instance(clock, logger, "a");
      let runs = 0;
      scheduler.register("sweep", MINUTE, async () => {
        runs += 1;
      });

      expect(await scheduler.tick()).to.deep.equal(["sweep"]);
      expect(runs).to.equal(1);
      expect(await scheduler.tick()).to.deep.equal([]);
      clock.advance(MINUTE - 1);
      await scheduler.tick();
      expect(runs).to.equal(1);
      clock.advance(1);
      await scheduler.tick();
      await scheduler.tick();
      expect(runs).to.equal(2);

      const row = await jobRow("sweep");
      expect(row.runCount).to.equal(2);
      expect(row.lastInstance).to.equal("a");
      expect(row.lastRunAt?.getTime()).to.equal(START.getTime() + MINUTE);
      expect(row.nextRunAt.getTime()).to.equal(START.getTime() + 2 * MINUTE);
      expect(logger.at("error")).to.deep.equal([]);
    });

    it("logs a failing job, keeps the other jobs going and retries it next period", async () => {
      const clock = new TestClock(START);
      const logger = new RecordingLogger();
      const scheduler = await instance(clock, logger, "a");
      let attempts = 0;
      let others = 0;
      scheduler.register("flaky", MINUTE, async () => {
        attempts += 1;
        if (attempts === 1) throw new Error("mail server down");
      });
      scheduler.register("steady", MINUTE, async () => {
        others += 1;
      });

      await scheduler.tick();
      expect(attempts).to.equal(1);
      expect(others).to.equal(1);
      const errors = logger.at("error");
      expect(errors).to.have.length(1);
      expect(errors[0].fields.job).to.equal("flaky");
      expect((errors[0].fields.error as Error).message).to.equal("mail server down");

      await scheduler.tick();
      expect(attempts, "not retried within the same period").to.equal(1);
      clock.advance(MINUTE);
      await scheduler.tick();
      expect(attempts).to.equal(2);
      expect(others).to.equal(2);
      expect(logger.at("error")).to.have.length(1);
    });

    it("never overlaps a job with itself on one instance", async () => {
      const clock = new TestClock(START);
      const scheduler = await instance(clock, new RecordingLogger(), "a");
      const started = deferred();
      const release = deferred();
      let runs = 0;
      scheduler.register("slow", MINUTE, async () => {
        runs += 1;
        started.resolve();
        await release.promise;
      });

      const first = scheduler.tick();
      await started.promise;
      clock.advance(5 * MINUTE);
      expect(await scheduler.tick()).to.deep.equal([]);
      expect(await scheduler.runNow("slow")).to.equal(false);
      release.resolve();
      expect(await first).to.deep.equal(["slow"]);
      expect(runs).to.equal(1);
      expect(await scheduler.tick()).to.deep.equal(["slow"]);
    });

    it("runNow runs at once and pushes the next scheduled run a full period ahead", async () => {
      const clock = new TestClock(START);
      const scheduler = await instance(clock, new RecordingLogger(), "a");
      let runs = 0;
      scheduler.register("digest", MINUTE, async () => {
        runs += 1;
      });
      await scheduler.tick();
      clock.advance(MINUTE / 2);

      expect(await scheduler.runNow("digest")).to.equal(true);
      expect(runs).to.equal(2);
      clock.advance(MINUTE / 2);
      await scheduler.tick();
      expect(runs, "the regular run is moved, not doubled").to.equal(2);
      clock.advance(MINUTE / 2);
      await scheduler.tick();
      expect(runs).to.equal(3);

      await expectRejection(scheduler.runNow("unknown"), /No scheduled job named "unknown"/);
    });

    it("runNow rethrows the job's error after logging it", async () => {
      const logger = new RecordingLogger();
      const scheduler = await instance(new TestClock(START), logger, "a");
      scheduler.register("broken", MINUTE, async () => {
        throw new Error("boom");
      });
      await expectRejection(scheduler.runNow("broken"), /boom/);
      expect(logger.at("error")).to.have.length(1);
    });

    it("keeps an existing schedule on restart and applies a shortened period at once", async () => {
      const clock = new TestClock(START);
      const first = await instance(clock, new RecordingLogger(), "a");
      let runs = 0;
      first.register("report", 60 * MINUTE, async () => {
        runs += 1;
      });
      await first.tick();
      await first.stop();

      // A restart with the same period must not run it again before the hour is over.
      const again = await instance(clock, new RecordingLogger(), "b");
      again.register("report", 60 * MINUTE, async () => {
        runs += 1;
      });
      clock.advance(MINUTE);
      await again.tick();
      expect(runs).to.equal(1);
      await again.stop();

      const shorter = await instance(clock, new RecordingLogger(), "c");
      shorter.register("report", MINUTE, async () => {
        runs += 1;
      });
      await shorter.tick();
      expect(runs).to.equal(1);
      clock.advance(MINUTE);
      await shorter.tick();
      expect(runs).to.equal(2);
    });

    it("stop() waits for a running job to finish", async () => {
      const scheduler = await instance(new TestClock(START), new RecordingLogger(), "a");
      const started = deferred();
      const release = deferred();
      let finished = false;
      scheduler.register("long", MINUTE, async () => {
        started.resolve();
        await release.promise;
        finished = true;
      });
      scheduler.start(5);
      await started.promise;

      let stopped = false;
      const stopping = scheduler.stop().then(() => {
        stopped = true;
      });
      await settle();
      expect(stopped).to.equal(false);
      release.resolve();
      await stopping;
      expect(finished).to.equal(true);
      expect(await scheduler.tick(), "a stopped scheduler claims nothing").to.deep.equal([]);
    });

    it("with several instances on one database, runs a job exactly once per period", async () => {
      const clock = new TestClock(START);
      const logger = new RecordingLogger();
      const instances = await Promise.all(["a", "b", "c"].map((id) => instance(clock, logger, id)));
      const ranOn: string[] = [];
      for (const [index, scheduler] of instances.entries()) {
        // Registered together, so the rows are created concurrently as on a real multi-instance start.
        scheduler.register("presence-sweep", MINUTE, async () => {
          ranOn.push(["a", "b", "c"][index]);
          await settle(1);
        });
      }

      for (let period = 0; period < 20; period += 1) {
        await Promise.all(instances.map((s) => s.tick()));
        await Promise.all(instances.map((s) => s.tick()));
        clock.advance(MINUTE);
      }

      expect(ranOn).to.have.length(20);
      const row = await jobRow("presence-sweep");
      expect(row.runCount).to.equal(20);
      expect(logger.at("error")).to.deep.equal([]);
    });
  });
}

for (const backend of backends) {
  describe(`HostSettings on ${backend.name}`, function () {
    let database: HostDatabase | null = null;
    let settings: HostSettings;
    let logger: RecordingLogger;

    before(async function () {
      if (backend.postgres) await skipUnlessPostgres(this);
      database = await backend.create();
      logger = new RecordingLogger();
      settings = new HostSettings(await database.open(), logger);
    });

    after(async () => {
      await database?.close();
    });

    it("returns the fallback until a value is set, then the latest value", async () => {
      expect(await settings.get("livechat.greeting", "Hello")).to.equal("Hello");
      await settings.set("livechat.greeting", "Bonjour");
      expect(await settings.get("livechat.greeting", "Hello")).to.equal("Bonjour");
      await settings.set("livechat.greeting", "");
      expect(await settings.get("livechat.greeting", "Hello"), "an empty value is a value").to.equal("");
    });

    it("survives concurrent writes of the same key", async () => {
      await Promise.all(["1", "2", "3", "4"].map((v) => settings.set("livechat.race", v)));
      expect(["1", "2", "3", "4"]).to.include(await settings.get("livechat.race", "none"));
    });

    it("reads numbers and falls back, with a warning, on values that are not numbers", async () => {
      expect(await settings.getNumber("livechat.limit", 30)).to.equal(30);
      await settings.set("livechat.limit", " 45 ");
      expect(await settings.getNumber("livechat.limit", 30)).to.equal(45);
      await settings.set("livechat.ratio", "0.25");
      expect(await settings.getNumber("livechat.ratio", 1)).to.equal(0.25);
      expect(logger.at("warn")).to.deep.equal([]);

      for (const bad of ["thirty", "", "12abc", "Infinity"]) {
        await settings.set("livechat.limit", bad);
        expect(await settings.getNumber("livechat.limit", 30), JSON.stringify(bad)).to.equal(30);
      }
      const warnings = logger.at("warn");
      expect(warnings).to.have.length(4);
      expect(warnings[0].fields).to.include({ key: "livechat.limit", value: "thirty", fallback: 30 });
    });
  });
}

describe("HostHooks", () => {
  it("runs filters in registration order, each on the previous result, with the context", async () => {
    const hooks = new HostHooks(new RecordingLogger());
    hooks.addFilter<string[], { channel: number }>("livechat.candidates", (value, ctx) => [...value, `a${ctx.channel}`]);
    hooks.addFilter<string[], { channel: number }>("livechat.candidates", async (value) => value.filter((v) => v !== "x"));
    hooks.addFilter<string[], { channel: number }>("livechat.candidates", (value) => [...value, "b"]);

    expect(await hooks.applyFilters("livechat.candidates", ["x", "y"], { channel: 7 })).to.deep.equal(["y", "a7", "b"]);
    expect(await hooks.applyFilters("nobody.listens", 5, undefined)).to.equal(5);
  });

  it("rejects when a filter fails, since there is no value to go on with", async () => {
    const hooks = new HostHooks(new RecordingLogger());
    hooks.addFilter<number>("n", () => {
      throw new Error("bad filter");
    });
    await expectRejection(hooks.applyFilters("n", 1, undefined), /bad filter/);
  });

  it("runs every event handler even when one fails, and logs the failure", async () => {
    const logger = new RecordingLogger();
    const hooks = new HostHooks(logger);
    const seen: string[] = [];
    hooks.on<{ id: number }>("livechat.conversation_closed", (e) => {
      seen.push(`first ${e.id}`);
    });
    hooks.on<{ id: number }>("livechat.conversation_closed", async () => {
      throw new Error("listener broke");
    });
    hooks.on<{ id: number }>("livechat.conversation_closed", async (e) => {
      seen.push(`third ${e.id}`);
    });

    await hooks.emit("livechat.conversation_closed", { id: 3 });
    expect(seen).to.deep.equal(["first 3", "third 3"]);
    const errors = logger.at("error");
    expect(errors).to.have.length(1);
    expect(errors[0].fields.hook).to.equal("livechat.conversation_closed");
    await hooks.emit("nobody.listens", {});
  });
});

describe("ConsoleLogger line format", () => {
  it("writes one line: ISO time, level, message, fields as JSON", () => {
    const cycle: Record<string, unknown> = { name: "loop" };
    cycle.self = cycle;
    const line = formatLogLine(START, "warn", "two\nlines", { user: 4, error: new Error("oops"), cycle });
    expect(line).to.not.include("\n");
    expect(line.startsWith("2025-01-06T09:00:00.000Z WARN two\\nlines {")).to.equal(true);
    const fields = JSON.parse(line.slice(line.indexOf("{"))) as { user: number; error: { message: string } };
    expect(fields.user).to.equal(4);
    expect(fields.error.message).to.equal("oops");
    expect(formatLogLine(START, "info", "plain")).to.equal("2025-01-06T09:00:00.000Z INFO plain");
  });
});

describe("TestClock", () => {
  it("moves only when told, and hands out copies", () => {
    const clock = new TestClock(START);
    const now = clock.now();
    now.setTime(0);
    expect(clock.now().getTime()).to.equal(START.getTime());
    clock.advance(1500);
    expect(clock.now().toISOString()).to.equal("2025-01-06T09:00:01.500Z");
    clock.set(new Date("2030-01-01T00:00:00Z"));
    expect(clock.now().getUTCFullYear()).to.equal(2030);
    expect(() => clock.advance(-1)).to.throw(RangeError);
  });
});

async function expectRejection(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect((error as Error).message).to.match(pattern);
    return;
  }
  expect.fail(`expected a rejection matching ${pattern}`);
}
