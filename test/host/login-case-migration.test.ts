import { expect } from "chai";
import { createDataSource, parseDatabaseUrl } from "../../host/database";
import { hostMigrations } from "../../host/migrations";
import { HostLoginsLowerCase1764100000002 } from "../../host/migrations/1764100000002-HostLoginsLowerCase";
import { hostEntities } from "../../host/models";
import { tempSqliteUrl } from "../support/testHost";

/** A database migrated up to just before logins became case-insensitive, holding `logins`. */
async function databaseWithLogins(logins: string[]) {
  const url = parseDatabaseUrl(tempSqliteUrl());
  const before = createDataSource(url, hostEntities, hostMigrations.slice(0, hostMigrations.indexOf(HostLoginsLowerCase1764100000002)));
  await before.initialize();
  await before.runMigrations();
  for (const login of logins) {
    await before.query("INSERT INTO host_user (login, name, password_hash, lang_code, active, created_at) VALUES (?, ?, 'x', 'en_US', 1, ?)", [login, login, new Date().toISOString()]);
  }
  await before.destroy();
  return createDataSource(url, hostEntities, hostMigrations);
}

describe("Migration: logins unique regardless of case", () => {
  it("stores existing logins in lower case", async () => {
    const db = await databaseWithLogins(["Marc", "sofia"]);
    await db.initialize();
    try {
      await db.runMigrations();
      const rows = (await db.query("SELECT login FROM host_user ORDER BY login")) as { login: string }[];
      expect(rows.map((r) => r.login)).to.deep.equal(["marc", "sofia"]);
    } finally {
      await db.destroy();
    }
  });

  it("stops, naming them, when two logins differ only by case, and changes nothing", async () => {
    const db = await databaseWithLogins(["Marc", "marc"]);
    await db.initialize();
    try {
      let error: unknown = null;
      await db.runMigrations({ transaction: "each" }).catch((e: unknown) => (error = e));
      expect(String(error)).to.contain("Marc / marc");
      const rows = (await db.query("SELECT login FROM host_user ORDER BY id")) as { login: string }[];
      expect(rows.map((r) => r.login)).to.deep.equal(["Marc", "marc"]);
    } finally {
      await db.destroy();
    }
  });
});
