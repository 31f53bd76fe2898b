import "reflect-metadata";
import { Host } from "./app";
import { DEMO_LOGINS } from "./demo";

/** `npm start`: the host with its modules, on DATABASE_URL (SQLite by default) and PORT (8069). */
async function main(): Promise<void> {
  const host = await Host.create();
  const url = await host.start();
  const lines = [
    "",
    `Helpdesk is running at ${url.replace("127.0.0.1", "localhost")}`,
    `Database: ${host.target.kind === "sqlite" ? host.target.file : `PostgreSQL (schema ${host.target.schema})`}`,
    "Demo logins (password = login):",
    ...DEMO_LOGINS.map((d) => `  ${d.login.padEnd(9)} ${d.role}`),
    "",
  ];
  process.stdout.write(lines.join("\n") + "\n");
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    host.logger.info(`received ${signal}, stopping`);
    host.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((err: unknown) => {
  process.stderr.write(`Could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
