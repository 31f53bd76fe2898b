import type { MigrationInterface, QueryRunner } from "typeorm";
import { normalizeLogin } from "../users/login";

/**
 * Logins become unique regardless of case: they are stored in lower case, so the unique index on
 * `login` also refuses "Marc" next to "marc". Logins that differ only by case cannot be merged
 * without losing a user: the upgrade stops and names them, to be renamed first.
 */
export class HostLoginsLowerCase1764100000002 implements MigrationInterface {
  name = "HostLoginsLowerCase1764100000002";

  async up(q: QueryRunner): Promise<void> {
    const rows = (await q.query("SELECT id, login FROM host_user ORDER BY id")) as { id: number; login: string }[];
    const byKey = new Map<string, string[]>();
    for (const row of rows) byKey.set(normalizeLogin(row.login), [...(byKey.get(normalizeLogin(row.login)) ?? []), row.login]);
    const clashes = [...byKey.values()].filter((logins) => logins.length > 1);
    if (clashes.length) {
      throw new Error(`These logins differ only by case; rename all but one of each before upgrading: ${clashes.map((c) => c.join(" / ")).join("; ")}`);
    }
    const param = q.connection.driver.options.type === "postgres" ? ["$1", "$2"] : ["?", "?"];
    for (const row of rows) {
      const key = normalizeLogin(row.login);
      if (key !== row.login) await q.query(`UPDATE host_user SET login = ${param[0]} WHERE id = ${param[1]}`, [key, row.id]);
    }
  }

  async down(): Promise<void> {
    // The original case of each login is not kept; lower-case logins stay valid.
  }
}
