import { randomBytes } from "node:crypto";
import { Client } from "pg";

const HOST = "127.0.0.1";
const PORT = 5432;
const CONNECTION = { host: HOST, port: PORT, user: "postgres", database: "test" };

let available: Promise<boolean> | null = null;

/** Whether the test PostgreSQL answers; asked once per run, with a short timeout so a run never hangs. */
export function postgresAvailable(): Promise<boolean> {
  available ??= (async () => {
    const client = new Client({ ...CONNECTION, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return available;
}

/**
 * A schema of its own for one test or suite, so tests (and concurrent runs) never see each other's
 * tables. `drop()` removes it with everything in it; destroy DataSources using it first.
 */
export async function freshPostgresUrl(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`Schema prefix "${prefix}" must be lower-case letters, digits and _`);
  const schema = `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withClient((client) => client.query(`CREATE SCHEMA ${schema}`));
  return {
    url: `postgres://postgres@${HOST}:${PORT}/test?schema=${schema}`,
    drop: () => withClient((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined),
  };
}

const announced = new Set<string>();

/**
 * Skips the current suite (call it from `before`) or test when PostgreSQL is not reachable, saying so
 * in the output, so a skipped PostgreSQL suite is never mistaken for a passing one.
 */
export async function skipUnlessPostgres(ctx: Mocha.Context): Promise<void> {
  if (await postgresAvailable()) return;
  // From `before` the whole suite is skipped (mocha names that hook "before all"); from `beforeEach`
  // or a test, only that test.
  const runnable = ctx.test;
  const wholeSuite = runnable !== undefined && !isTest(runnable) && runnable.title.startsWith('"before all" hook');
  const title = (wholeSuite ? runnable.parent?.fullTitle() : (ctx.currentTest ?? runnable)?.fullTitle()) || "PostgreSQL tests";
  if (!announced.has(title)) {
    announced.add(title);
    console.log(`PostgreSQL not reachable at ${HOST}:${PORT}: skipping ${title}`);
  }
  ctx.skip();
}

function isTest(runnable: Mocha.Runnable | undefined): runnable is Mocha.Test {
  return (runnable as { type?: string } | undefined)?.type === "test";
}

async function withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ ...CONNECTION, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
