import type { DataSource } from "typeorm";
import type { Clock, Logger, Scheduler } from "../contract";
import { ScheduledJob } from "../models/ScheduledJob";

interface Job {
  name: string;
  everyMs: number;
  run: () => Promise<void>;
  /** Set once the job's row is known to exist; until then every pass tries to create it again. */
  rowReady: boolean;
  rowPending: Promise<boolean> | null;
  /**
   * `next_run_at` as last seen by this instance. Only the database decides who runs, but this lets a
   * pass skip the UPDATE while the job is plainly not due. It is re-read whenever a claim fails.
   */
  knownNextMs: number | null;
}

type RunResult = { ok: true } | { ok: false; error: unknown };

const MAX_NAME_LENGTH = 128;
const MAX_INSTANCE_LENGTH = 64;

/**
 * Periodic jobs shared by every instance on one database. A period is claimed with a single
 * conditional UPDATE on `host_job`; the database lets exactly one instance change the row, and only
 * that instance runs the job. Time comes from the injected clock, so tests drive it with `tick()`.
 */
export class HostScheduler implements Scheduler {
  private readonly jobs = new Map<string, Job>();
  /** Jobs being claimed or run on this instance, each with a promise settled when it is done. */
  private readonly busy = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private currentPass: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly instanceId: string,
  ) {
    if (!instanceId || instanceId.length > MAX_INSTANCE_LENGTH) {
      throw new Error(`Scheduler instance id must have 1 to ${MAX_INSTANCE_LENGTH} characters`);
    }
  }

  register(name: string, everyMs: number, run: () => Promise<void>): void {
    if (!name || name.length > MAX_NAME_LENGTH) throw new Error(`Job name must have 1 to ${MAX_NAME_LENGTH} characters`);
    if (!Number.isFinite(everyMs) || everyMs <= 0) throw new Error(`Job "${name}" needs a positive period in ms, got ${everyMs}`);
    if (this.jobs.has(name)) throw new Error(`Job "${name}" is already registered`);
    const job: Job = { name, everyMs, run, rowReady: false, rowPending: null, knownNextMs: null };
    this.jobs.set(name, job);
    // Started now so the row exists early; a failure is logged and retried by the next pass.
    void this.ensureRow(job);
  }

  /** Starts the timer loop; the first pass runs at once. Calling it again while running does nothing. */
  start(tickMs = 1000): void {
    if (!Number.isFinite(tickMs) || tickMs <= 0) throw new Error(`Scheduler tick must be a positive number of ms, got ${tickMs}`);
    if (this.timer || this.currentPass) return;
    this.stopped = false;
    const loop = (): void => {
      this.timer = null;
      // Runs are not awaited here: a long job must not delay the others' claims.
      const pass = this.pass().catch((error: unknown) => this.logger.error("Scheduler pass failed", { instance: this.instanceId, error }));
      this.currentPass = pass;
      void pass.then(() => {
        this.currentPass = null;
        if (!this.stopped) this.timer = setTimeout(loop, tickMs).unref();
      });
    };
    this.timer = setTimeout(loop, 0).unref();
    this.logger.info("Scheduler started", { instance: this.instanceId, jobs: [...this.jobs.keys()], tickMs });
  }

  /**
   * One pass: claims every due job and runs those this instance won. Resolves, once those runs have
   * finished, with the names of the jobs that ran here. Tests call it with a TestClock instead of `start`.
   */
  async tick(): Promise<string[]> {
    const started = await this.pass();
    await Promise.all(started.map((s) => s.run));
    return started.map((s) => s.name);
  }

  /**
   * Runs the job now on this instance, due or not, and moves `next_run_at` a full period ahead so the
   * regular schedule does not run it again right after (an admin asking for a run wants one run, not two).
   * The claim is a compare-and-set on `run_count`, so it never runs alongside a claim another instance
   * made at the same moment. Resolves false when it did not run: the job is already running on this
   * instance, another instance claimed it first, or the scheduler is stopped. A failing job is logged and
   * its error rethrown, so the caller sees it.
   */
  async runNow(name: string): Promise<boolean> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`No scheduled job named "${name}" is registered`);
    if (this.stopped) return false;
    const started = await this.begin(job, () => this.claimRegardless(job));
    if (!started) return false;
    const result = await started.run;
    if (!result.ok) throw result.error;
    return true;
  }

  /** Stops the loop and waits for claims and runs in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.currentPass;
    await Promise.all([...this.busy.values()]);
    await Promise.all([...this.jobs.values()].map((job) => job.rowPending));
  }

  private async pass(): Promise<{ name: string; run: Promise<RunResult> }[]> {
    if (this.stopped) return [];
    const now = this.clock.now();
    const attempts = await Promise.all(
      [...this.jobs.values()].map(async (job) => {
        if (job.knownNextMs !== null && now.getTime() < job.knownNextMs) return null;
        const started = await this.begin(job, () => this.claimDue(job, now));
        return started ? { name: job.name, run: started.run } : null;
      }),
    );
    return attempts.filter((a): a is { name: string; run: Promise<RunResult> } => a !== null);
  }

  /**
   * Claims with `claim` and, when this instance won, starts the run. Marks the job busy before the first
   * await, so a job never overlaps itself on one instance (loop, tick and runNow alike).
   */
  private async begin(job: Job, claim: () => Promise<boolean>): Promise<{ run: Promise<RunResult> } | null> {
    if (this.busy.has(job.name)) return null;
    let release: () => void = () => undefined;
    this.busy.set(job.name, new Promise<void>((resolve) => (release = resolve)));
    const done = (): void => {
      this.busy.delete(job.name);
      release();
    };
    let claimed = false;
    try {
      claimed = (await this.ensureRow(job)) && (await claim());
    } catch (error) {
      this.logger.error("Could not claim scheduled job", { job: job.name, instance: this.instanceId, error });
    }
    if (!claimed) {
      done();
      return null;
    }
    return { run: this.execute(job).finally(done) };
  }

  private async execute(job: Job): Promise<RunResult> {
    try {
      await job.run();
      return { ok: true };
    } catch (error) {
      this.logger.error("Scheduled job failed; it runs again next period", { job: job.name, instance: this.instanceId, error });
      return { ok: false, error };
    }
  }

  /** The one conditional UPDATE: succeeds for exactly one instance per period. */
  private claimDue(job: Job, now: Date): Promise<boolean> {
    return this.claim(job, now, "next_run_at <= :now", { now });
  }

  private async claimRegardless(job: Job): Promise<boolean> {
    const row = await this.db.getRepository(ScheduledJob).findOneBy({ name: job.name });
    if (!row) return false;
    return this.claim(job, this.clock.now(), "run_count = :seen", { seen: row.runCount });
  }

  /** Moves the job's row to the next period when `condition` still holds; true when this instance won. */
  private async claim(job: Job, now: Date, condition: string, params: Record<string, unknown>): Promise<boolean> {
    const next = new Date(now.getTime() + job.everyMs);
    const result = await this.db
      .createQueryBuilder()
      .update(ScheduledJob)
      .set({ nextRunAt: next, lastRunAt: now, lastInstance: this.instanceId, runCount: () => "run_count + 1" })
      .where(`name = :name AND ${condition}`, { name: job.name, ...params })
      .execute();
    if (result.affected === 1) {
      job.knownNextMs = next.getTime();
      return true;
    }
    await this.refreshKnownNext(job);
    return false;
  }

  private async refreshKnownNext(job: Job): Promise<void> {
    const row = await this.db.getRepository(ScheduledJob).findOneBy({ name: job.name });
    job.knownNextMs = row ? row.nextRunAt.getTime() : null;
    if (!row) job.rowReady = false;
  }

  /** Creates the job's row if missing; resolves whether it exists. Never rejects (failures are logged). */
  private ensureRow(job: Job): Promise<boolean> {
    if (job.rowReady) return Promise.resolve(true);
    job.rowPending ??= this.createRow(job).finally(() => {
      job.rowPending = null;
    });
    return job.rowPending;
  }

  private async createRow(job: Job): Promise<boolean> {
    try {
      const now = this.clock.now();
      // Due at once on first registration. ON CONFLICT DO NOTHING (SQLite and PostgreSQL) keeps the
      // existing row when another instance, or an earlier start, created it.
      await this.db
        .createQueryBuilder()
        .insert()
        .into(ScheduledJob)
        .values({ name: job.name, nextRunAt: now, lastRunAt: null, lastInstance: null, runCount: 0 })
        .orIgnore()
        .updateEntity(false)
        .execute();
      // A period shortened since the row was written takes effect now, not when the old period ends.
      // The clock is read again after the insert: with a reading from before it, this could pull back a
      // period another instance claimed meanwhile and let the job run twice in it.
      const latest = new Date(this.clock.now().getTime() + job.everyMs);
      await this.db
        .createQueryBuilder()
        .update(ScheduledJob)
        .set({ nextRunAt: latest })
        .where("name = :name AND next_run_at > :latest", { name: job.name, latest })
        .execute();
      job.rowReady = true;
      return true;
    } catch (error) {
      this.logger.error("Could not create the scheduled job's row; retrying next pass", { job: job.name, instance: this.instanceId, error });
      return false;
    }
  }
}
