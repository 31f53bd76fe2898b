import path from "node:path";
import { Worker } from "node:worker_threads";
import type { Logger } from "./contract";

/** How often the log is copied back into the database file. */
const EVERY_MS = 1000;

/**
 * The worker: a passive checkpoint every `everyMs`, and one last on stop. Plain JavaScript, evaluated
 * as the worker's script, so it runs the same from the TypeScript sources and from compiled ones.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require("better-sqlite3");
const db = new Database(workerData.file);
const checkpoint = () => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (error) {
    parentPort.postMessage({ failed: String(error && error.message ? error.message : error) });
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.once("message", () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/**
 * SQLite's write-ahead log copied back into the database file by a worker thread with a connection
 * of its own, instead of by whichever commit fills the log (SQLite's default, `wal_autocheckpoint`):
 * that commit would then wait, on the event loop, for the copy and its fsync, holding up every
 * request for as long. The host's connection has the automatic checkpoint off; a passive checkpoint
 * here never blocks its reads or writes, and the log is reused once a checkpoint has caught up.
 */
export class WalCheckpoints {
  private readonly worker: Worker;
  private stopped: Promise<void> | null = null;
  private exited = false;

  constructor(file: string, logger: Logger, everyMs = EVERY_MS) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: path.resolve(file), everyMs } });
    this.worker.on("error", (error) => logger.error("SQLite checkpoints stopped: the write-ahead log now grows until the next start", { error }));
    this.worker.on("message", (message: { failed: string }) => logger.warn("SQLite checkpoint failed", { error: message.failed }));
    this.worker.once("exit", () => (this.exited = true));
    // The process may end while it runs: the log is checkpointed by the next start or the last close.
    this.worker.unref();
  }

  /** Stops after the checkpoint in progress, if any, with one last one. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      if (this.exited) return resolve();
      this.worker.once("exit", () => resolve());
      // Waited for: the last checkpoint leaves the log empty for whoever opens the file next.
      this.worker.ref();
      this.worker.postMessage("stop");
    });
    return this.stopped;
  }
}
