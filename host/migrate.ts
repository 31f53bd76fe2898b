import "reflect-metadata";
import { Host } from "./app";

/** `npm run migrate`: apply pending migrations of the host and its modules, then exit. */
Host.create({ demo: "never" })
  .then(async (host) => {
    const applied = await host.db.query("SELECT name FROM host_migrations ORDER BY id");
    process.stdout.write(`Migrations applied: ${(applied as { name: string }[]).map((r) => r.name).join(", ")}\n`);
    await host.stop();
  })
  .catch((err: unknown) => {
    process.stderr.write(`Migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
