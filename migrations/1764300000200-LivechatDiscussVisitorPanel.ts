import { TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";
import { portableType } from "../host/contract";

const TABLE = "livechat_conversation";

/**
 * What Discuss needs of a conversation: when it last moved (the lists are ordered and paged by it),
 * the page the visitor started on and where they came from, and who ended it. Existing conversations
 * get their last message's time (else their start) as last activity, and the operator who ended them.
 * Plain ALTER TABLE: typeorm's SQLite addColumn rebuilds the table and trips on its older indexes.
 */
export class LivechatDiscussVisitorPanel1764300000200 implements MigrationInterface {
  name = "LivechatDiscussVisitorPanel1764300000200";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ${TABLE} ADD COLUMN last_activity_at ${portableType(q, Date)} NULL`);
    await q.query(`ALTER TABLE ${TABLE} ADD COLUMN start_page_url varchar(2048) NULL`);
    await q.query(`ALTER TABLE ${TABLE} ADD COLUMN referrer_url varchar(2048) NULL`);
    await q.query(`ALTER TABLE ${TABLE} ADD COLUMN closed_by_id integer NULL`);
    await q.query(
      `UPDATE ${TABLE} SET last_activity_at = COALESCE(
         (SELECT MAX(m.created_at) FROM livechat_message m WHERE m.conversation_id = ${TABLE}.id), created_at)`,
    );
    await q.query(`UPDATE ${TABLE} SET closed_by_id = operator_id WHERE closed_reason = 'operator'`);
    await q.createIndex(TABLE, new TableIndex({ columnNames: ["last_activity_at", "id"] }));
    await q.createIndex(TABLE, new TableIndex({ columnNames: ["operator_id", "last_activity_at", "id"] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex(TABLE, new TableIndex({ columnNames: ["operator_id", "last_activity_at", "id"] }));
    await q.dropIndex(TABLE, new TableIndex({ columnNames: ["last_activity_at", "id"] }));
    for (const column of ["closed_by_id", "referrer_url", "start_page_url", "last_activity_at"]) {
      await q.query(`ALTER TABLE ${TABLE} DROP COLUMN ${column}`);
    }
  }
}
