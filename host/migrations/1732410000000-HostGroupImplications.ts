import { Table, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";

const toGroup = (column: string) => ({ columnNames: [column], referencedTableName: "host_group", referencedColumnNames: ["id"], onDelete: "CASCADE" });

/**
 * What a group implies becomes a join table instead of comma-separated ids. Existing lists are
 * converted (ids naming no stored group are dropped: they implied nothing), then the old column goes.
 * Portable: SQLite and PostgreSQL.
 */
export class HostGroupImplications1732410000000 implements MigrationInterface {
  name = "HostGroupImplications1732410000000";

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: "host_group_implication",
        columns: [
          { name: "group_id", type: "varchar", length: "64", isPrimary: true },
          { name: "implied_group_id", type: "varchar", length: "64", isPrimary: true },
        ],
        foreignKeys: [toGroup("group_id"), toGroup("implied_group_id")],
        indices: [new TableIndex({ columnNames: ["implied_group_id"] })],
      }),
    );
    // REPLACE and `||` mean the same on both databases, and unlike LIKE they treat `_` in an id literally:
    // the padded list changes when the padded id is taken out of it exactly when the list holds the id.
    const padded = "(',' || REPLACE(g.implies, ' ', '') || ',')";
    await q.query(
      `INSERT INTO host_group_implication (group_id, implied_group_id)
       SELECT g.id, i.id FROM host_group g JOIN host_group i
         ON REPLACE(${padded}, (',' || i.id || ','), '') <> ${padded}
       WHERE g.implies <> ''`,
    );
    // ALTER TABLE rather than typeorm's dropColumn, which rebuilds the table on SQLite: rebuilding
    // would cascade deletes into the tables that refer to it whenever foreign keys are enforced.
    await q.query("ALTER TABLE host_group DROP COLUMN implies");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query("ALTER TABLE host_group ADD COLUMN implies VARCHAR(512) NOT NULL DEFAULT ''");
    const rows = (await q.query("SELECT group_id AS g, implied_group_id AS i FROM host_group_implication ORDER BY group_id, implied_group_id")) as {
      g: string;
      i: string;
    }[];
    const lists = new Map<string, string[]>();
    for (const r of rows) lists.set(r.g, [...(lists.get(r.g) ?? []), r.i]);
    for (const [id, implied] of lists) {
      const update = "UPDATE host_group SET implies = :implies WHERE id = :id";
      await q.query(...q.connection.driver.escapeQueryWithParameters(update, { implies: implied.join(","), id }));
    }
    await q.dropTable("host_group_implication");
  }
}
