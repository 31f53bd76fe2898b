import { Table, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";

const toExpertise = { columnNames: ["expertise_id"], referencedTableName: "livechat_expertise", referencedColumnNames: ["id"], onDelete: "CASCADE" };

/**
 * SQL that is true when the comma-separated `list` holds `item`. Portable: REPLACE and `||` mean the
 * same on SQLite and PostgreSQL, and unlike LIKE nothing in an item is a wildcard.
 */
function listHolds(list: string, item: string): string {
  const padded = `(',' || REPLACE(${list}, ' ', '') || ',')`;
  return `REPLACE(${padded}, (',' || ${item} || ','), '') <> ${padded}`;
}

/**
 * Expertise of chatbot forward steps and of conversations become join tables instead of
 * comma-separated ids. Existing lists are converted (ids of expertise deleted since are dropped: they
 * matched nobody), then the old columns go. Portable: SQLite and PostgreSQL.
 */
export class LivechatExpertiseRelations1732410000001 implements MigrationInterface {
  name = "LivechatExpertiseRelations1732410000001";

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: "livechat_chatbot_step_expertise",
        columns: [
          { name: "step_id", type: "integer", isPrimary: true },
          { name: "expertise_id", type: "integer", isPrimary: true },
        ],
        foreignKeys: [
          { columnNames: ["step_id"], referencedTableName: "livechat_chatbot_step", referencedColumnNames: ["id"], onDelete: "CASCADE" },
          toExpertise,
        ],
        indices: [new TableIndex({ columnNames: ["expertise_id"] })],
      }),
    );
    await q.createTable(
      new Table({
        name: "livechat_conversation_expertise",
        columns: [
          { name: "conversation_id", type: "integer", isPrimary: true },
          { name: "expertise_id", type: "integer", isPrimary: true },
        ],
        foreignKeys: [
          { columnNames: ["conversation_id"], referencedTableName: "livechat_conversation", referencedColumnNames: ["id"], onDelete: "CASCADE" },
          toExpertise,
        ],
        indices: [new TableIndex({ columnNames: ["expertise_id"] })],
      }),
    );
    await q.query(
      `INSERT INTO livechat_chatbot_step_expertise (step_id, expertise_id)
       SELECT s.id, e.id FROM livechat_chatbot_step s JOIN livechat_expertise e
         ON ${listHolds("s.expertise_ids", "CAST(e.id AS VARCHAR(16))")}
       WHERE s.expertise_ids <> ''`,
    );
    await q.query(
      `INSERT INTO livechat_conversation_expertise (conversation_id, expertise_id)
       SELECT c.id, e.id FROM livechat_conversation c JOIN livechat_expertise e
         ON ${listHolds("c.requested_expertise", "CAST(e.id AS VARCHAR(16))")}
       WHERE c.requested_expertise <> ''`,
    );
    // ALTER TABLE rather than typeorm's dropColumn, which rebuilds the table on SQLite: rebuilding
    // would cascade deletes into the tables that refer to it whenever foreign keys are enforced.
    await q.query("ALTER TABLE livechat_chatbot_step DROP COLUMN expertise_ids");
    await q.query("ALTER TABLE livechat_conversation DROP COLUMN requested_expertise");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query("ALTER TABLE livechat_conversation ADD COLUMN requested_expertise VARCHAR(255) NOT NULL DEFAULT ''");
    await q.query("ALTER TABLE livechat_chatbot_step ADD COLUMN expertise_ids VARCHAR(255) NOT NULL DEFAULT ''");
    // Lists are rebuilt one id at a time: aggregating into a string is spelt differently on each database.
    for (const [table, key, column, joinTable, joinKey] of [
      ["livechat_conversation", "id", "requested_expertise", "livechat_conversation_expertise", "conversation_id"],
      ["livechat_chatbot_step", "id", "expertise_ids", "livechat_chatbot_step_expertise", "step_id"],
    ]) {
      const rows = (await q.query(`SELECT ${joinKey} AS owner, expertise_id AS expertise FROM ${joinTable} ORDER BY ${joinKey}, expertise_id`)) as {
        owner: number;
        expertise: number;
      }[];
      const lists = new Map<number, number[]>();
      for (const r of rows) lists.set(Number(r.owner), [...(lists.get(Number(r.owner)) ?? []), Number(r.expertise)]);
      for (const [owner, ids] of lists) {
        const update = `UPDATE ${table} SET ${column} = :list WHERE ${key} = :owner`;
        await q.query(...q.connection.driver.escapeQueryWithParameters(update, { list: ids.join(","), owner }));
      }
      await q.dropTable(joinTable);
    }
  }
}
