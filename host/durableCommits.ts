import fs from "node:fs";
import { performance } from "node:perf_hooks";

/** Flushes a file's written data to the disk (by default `fdatasync`, run off the event loop). */
export type SyncFile = (fd: number) => Promise<void>;

const fdatasync: SyncFile = (fd) => new Promise((resolve, reject) => fs.fdatasync(fd, (error) => (error ? reject(error) : resolve())));

/**
 * Commits made durable before they are acknowledged. SQLite runs with `synchronous = NORMAL`, so a
 * commit is written to the write-ahead log without a flush, and the event loop never waits on the
 * disk; then whoever acknowledges a commit waits here until a flush of the log that began after it
 * has finished. One flush serves every commit made before it began, so under load a flush is shared
 * by all the commits of its last millisecond or so, as the commit itself is shared by a group.
 *
 * A failed flush fails every wait from then on: the system may have dropped the pages it could not
 * write, so a later flush that succeeds would not mean the earlier commits are on the disk.
 */
export class DurableCommits {
  /** Commits so far, and how many of them a finished flush covers. */
  private commits = 0;
  private synced = 0;
  private flushed = 0;
  /** The flush in progress, if any. */
  private flushing: Promise<void> | null = null;
  private readonly waiting: { upTo: number; since: number; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private fd: number | null = null;
  private failure: Error | null = null;
  private closed = false;

  constructor(
    /** The database file; its log (`<file>-wal`) is what a commit appends to. */
    private readonly file: string,
    private readonly syncFile: SyncFile = fdatasync,
  ) {}

  /** Notes a commit (a COMMIT, or a write outside any transaction), as it returns. */
  committed(): void {
    this.commits++;
  }

  /** Commits noted so far. */
  get count(): number {
    return this.commits;
  }

  /** Flushes of the log finished so far. */
  get flushes(): number {
    return this.flushed;
  }

  /**
   * How long the longest wait for a flush has lasted so far, in milliseconds (0 when none waits): on
   * a disk that stalls, what a commit made now can expect to wait at least.
   */
  get oldestWaitMs(): number {
    return this.waiting.length === 0 ? 0 : performance.now() - this.waiting[0].since;
  }

  /** Settles once every commit noted so far is on the disk; rejects if it may not be. */
  durable(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.synced >= this.commits) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ upTo: this.commits, since: performance.now(), resolve, reject });
      if (this.flushing === null) this.flush();
    });
  }

  /** Closes the file once the flush in progress, if any, has ended. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing !== null) await this.flushing;
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private flush(): void {
    const upTo = this.commits;
    let fd: number;
    try {
      fd = this.open();
    } catch (error) {
      this.fail(error);
      return;
    }
    this.flushing = this.syncFile(fd).then(
      () => {
        this.flushing = null;
        this.synced = upTo;
        this.flushed++;
        let kept = 0;
        for (const waiting of this.waiting) {
          if (waiting.upTo <= upTo) waiting.resolve();
          else this.waiting[kept++] = waiting;
        }
        this.waiting.length = kept;
        // Commits noted while this flush ran need the next one.
        if (kept > 0) this.flush();
      },
      (error: unknown) => this.fail(error),
    );
  }

  private fail(error: unknown): void {
    this.flushing = null;
    this.failure = new Error(`The database log could not be flushed to the disk: ${error instanceof Error ? error.message : String(error)}`);
    for (const waiting of this.waiting.splice(0)) waiting.reject(this.failure);
  }

  /** The log, opened once; the database file itself when there is no log (not in WAL mode). */
  private open(): number {
    if (this.closed) throw new Error("closed");
    if (this.fd === null) {
      try {
        this.fd = fs.openSync(`${this.file}-wal`, "r");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        this.fd = fs.openSync(this.file, "r");
      }
    }
    return this.fd;
  }
}
