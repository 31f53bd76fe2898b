import "reflect-metadata";
import { Host, ROOT_DIR } from "../../host/app";
import { ConsoleLogger } from "../../host/logger";

/**
 * One instance of a deployment in a process of its own, so a test can kill it with SIGKILL.
 * Environment: DATABASE_URL, PORT, INSTANCE (its name), PROBE_JOB_MS (period of a probe job that
 * reports every run it makes on stdout, as `PROBE {json}`). Prints `READY <url>` once serving.
 */
async function main(): Promise<void> {
  const instance = process.env.INSTANCE ?? "instance";
  const host = await Host.create({
    databaseUrl: process.env.DATABASE_URL,
    modules: [ROOT_DIR],
    logger: new ConsoleLogger(process.env.TEST_LOG_LEVEL === "info" ? "info" : "silent"),
    schedulerTickMs: 100,
    instanceId: instance,
  });
  const probeMs = Number(process.env.PROBE_JOB_MS ?? 0);
  if (probeMs > 0) {
    host.scheduler.register("test.fault_probe", probeMs, async () => {
      // The row as this run's claim left it: each claim counts one and records when it was made.
      const rows = (await host.db.query("SELECT run_count, last_run_at FROM host_job WHERE name = 'test.fault_probe'")) as {
        run_count: number | string;
        last_run_at: Date | string;
      }[];
      const row = rows[0];
      process.stdout.write(`PROBE ${JSON.stringify({ instance, runCount: Number(row.run_count), lastRunAt: new Date(row.last_run_at).getTime() })}\n`);
    });
  }
  const url = await host.start(Number(process.env.PORT ?? 0), "127.0.0.1");
  process.stdout.write(`READY ${url}\n`);
  process.on("SIGTERM", () => {
    host.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`instance failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
