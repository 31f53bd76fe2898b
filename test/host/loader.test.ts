import path from "node:path";
import { expect } from "chai";
import { ROOT_DIR } from "../../host/app";
import { loadModules, ModuleLoadError } from "../../host/loader/ModuleLoader";
import { skipUnlessPostgres } from "../support/postgres";
import { FIXTURES_DIR, startTestHost, type TestHost } from "../support/testHost";

const EXTRA = path.join(FIXTURES_DIR, "livechat_extra");
const NEEDS_MISSING = path.join(FIXTURES_DIR, "needs_missing");

/** Every table the module's entities map to exists after install. */
async function missingModuleTables(t: TestHost, tablePrefix: string): Promise<string[]> {
  const runner = t.host.db.createQueryRunner();
  try {
    const missing: string[] = [];
    for (const meta of t.host.db.entityMetadatas.filter((m) => m.tableName.startsWith(tablePrefix))) {
      if (!(await runner.hasTable(meta.tableName))) missing.push(meta.tableName);
    }
    return missing;
  } finally {
    await runner.release();
  }
}

describe("Module loader", () => {
  it("orders modules after the modules they depend on, whatever order they are listed in", () => {
    const names = loadModules([EXTRA, ROOT_DIR]).map((m) => m.manifest.name);
    expect(names).to.deep.equal(["livechat", "livechat_extra"]);
  });

  it("refuses a module whose dependency is missing, naming both", () => {
    expect(() => loadModules([ROOT_DIR, NEEDS_MISSING])).to.throw(
      ModuleLoadError,
      'Module "needs_missing" depends on "crm_does_not_exist", which is not available to install',
    );
  });

  it("refuses to start a host with such a module and creates nothing", async () => {
    let error: unknown = null;
    try {
      await startTestHost({ extraModules: [NEEDS_MISSING] });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ModuleLoadError);
    expect((error as Error).message).to.contain("crm_does_not_exist");
  });

  it("refuses a module that needs another host version", () => {
    expect(() => loadModules([path.join(FIXTURES_DIR, "future_host")])).to.throw(ModuleLoadError, /needs host version \^2\.0\.0/);
  });

  describe("installing on SQLite", () => {
    let t: TestHost;
    before(async () => {
      t = await startTestHost({ extraModules: [EXTRA] });
    });
    after(async () => {
      await t?.stop();
    });

    it("runs the migrations of the module and of the module depending on it", async () => {
      expect(await missingModuleTables(t, "livechat_")).to.deep.equal([]);
      const runner = t.host.db.createQueryRunner();
      expect(await runner.hasTable("livechat_extra_note")).to.equal(true);
      await runner.release();
    });

    it("records installed modules with their versions and shows them on the Apps page", async () => {
      const admin = await t.login("admin");
      const page = await admin.agent.get("/settings/apps");
      expect(page.status).to.equal(200);
      expect(page.text).to.contain("Live Chat").and.to.contain("<code>livechat</code>").and.to.contain("0.1.0");
      expect(page.text).to.contain("<code>livechat_extra</code>").and.to.contain("1.0.0");
    });

    it("keeps the Apps page for the host admin only", async () => {
      const operator = await t.login("mitchell");
      const page = await operator.agent.get("/settings/apps");
      expect(page.status).to.equal(403);
    });

    it("serves the dependent module's page through the menu it declared", async () => {
      const operator = await t.login("mitchell");
      const home = await operator.agent.get("/web");
      expect(home.text).to.contain('href="/livechat-extra/notes"');
      const notes = await operator.agent.get("/livechat-extra/notes");
      expect(notes.status).to.equal(200);
      expect(notes.text).to.contain("0 notes");
    });

    it("does not run migrations twice on a restart", async () => {
      const second = await startTestHost({ databaseUrl: t.databaseUrl, extraModules: [EXTRA] });
      try {
        const rows = (await second.host.db.query("SELECT name FROM host_migrations")) as { name: string }[];
        const names = rows.map((r) => r.name);
        expect(new Set(names).size).to.equal(names.length);
        expect(names).to.include("ExtraNotes1732900000000");
      } finally {
        await second.stop();
      }
    });
  });

  describe("installing on PostgreSQL", function () {
    let t: TestHost | null = null;
    before(async function () {
      await skipUnlessPostgres(this);
      t = await startTestHost({ database: "postgres", extraModules: [EXTRA] });
    });
    after(async () => {
      await t?.stop();
    });

    it("runs the same migrations and creates the same tables", async () => {
      const host = t as TestHost;
      expect(await missingModuleTables(host, "livechat_")).to.deep.equal([]);
      expect(await missingModuleTables(host, "host_")).to.deep.equal([]);
      const admin = await host.login("admin");
      expect((await admin.agent.get("/settings/apps")).text).to.contain("<code>livechat_extra</code>");
    });
  });
});
