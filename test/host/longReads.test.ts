import { expect } from "chai";
import request from "supertest";
import { startTestHost, type TestHost } from "../support/testHost";

/** A read that keeps SQLite busy for about half a second. */
const SLOW_READ = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT count(*) AS n FROM c";

describe("Long reads (reports) on SQLite", () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("leave the server answering other requests while they run", async () => {
    let readDone = false;
    const read = t.host.contract.reads.query<{ n: number }>(SLOW_READ).then((rows) => {
      readDone = true;
      return rows;
    });
    const page = await request(t.url).get("/web/login");
    expect(page.status).to.equal(200);
    expect(readDone, "the page was answered only after the read").to.equal(false);
    expect(await read).to.deep.equal([{ n: 3000000 }]);
  });

  it("see what was committed before they start, with dates and booleans bound as the host stores them", async () => {
    const key = `reads.${Date.now()}`;
    await t.host.contract.writes.run((tx) => tx.query("INSERT INTO host_setting (key, value) VALUES (?, ?)", [key, "stored"]));
    const rows = await t.host.contract.reads.query<{ value: string }>("SELECT value FROM host_setting WHERE key = ?", [key]);
    expect(rows).to.deep.equal([{ value: "stored" }]);
    const [{ later }] = await t.host.contract.reads.query<{ later: number }>("SELECT ? > '2026-01-01 00:00:00' AS later", [new Date("2026-06-01T00:00:00Z")]);
    expect(later).to.equal(1);
    expect(await t.host.contract.reads.query("SELECT ? AS flag", [true])).to.deep.equal([{ flag: 1 }]);
  });

  it("refuse a statement that writes, and change nothing", async () => {
    const before = await t.host.contract.reads.query<{ n: number }>("SELECT count(*) AS n FROM host_setting");
    let refused: unknown = null;
    await t.host.contract.reads.query("DELETE FROM host_setting").catch((error: unknown) => (refused = error));
    expect(String(refused)).to.match(/Only statements that read/);
    expect(await t.host.contract.reads.query<{ n: number }>("SELECT count(*) AS n FROM host_setting")).to.deep.equal(before);
  });
});
