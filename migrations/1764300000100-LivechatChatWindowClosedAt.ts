import { type MigrationInterface, type QueryRunner } from "typeorm";
import { portableType } from "../host/contract";

/** A closed chat window keeps its row, marked closed, so it opens again as it was (folded or not). */
export class LivechatChatWindowClosedAt1764300000100 implements MigrationInterface {
  name = "LivechatChatWindowClosedAt1764300000100";

  async up(q: QueryRunner): Promise<void> {
    // Plain ALTER TABLE: typeorm's SQLite addColumn rebuilds the table and trips on its older indexes.
    await q.query(`ALTER TABLE livechat_chat_window ADD COLUMN closed_at ${portableType(q, Date)} NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query("ALTER TABLE livechat_chat_window DROP COLUMN closed_at");
  }
}
