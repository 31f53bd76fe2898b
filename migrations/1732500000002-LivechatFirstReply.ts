import { type MigrationInterface, type QueryRunner } from "typeorm";
import { portableType } from "../host/contract";

/** When an operator first wrote in each conversation, filled in from the messages already there. */
export class LivechatFirstReply1732500000002 implements MigrationInterface {
  name = "LivechatFirstReply1732500000002";

  async up(q: QueryRunner): Promise<void> {
    // Plain ALTER TABLE: typeorm's SQLite addColumn rebuilds the table and trips on its older indexes.
    await q.query(`ALTER TABLE livechat_conversation ADD COLUMN first_reply_at ${portableType(q, Date)} NULL`);
    await q.query(
      `UPDATE livechat_conversation SET first_reply_at = (
         SELECT MIN(m.created_at) FROM livechat_message m
         WHERE m.conversation_id = livechat_conversation.id AND m.author_kind = 'operator')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query("ALTER TABLE livechat_conversation DROP COLUMN first_reply_at");
  }
}
