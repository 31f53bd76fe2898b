import { TableColumn, type MigrationInterface, type QueryRunner } from "typeorm";

const TABLES = ["livechat_channel", "livechat_chatbot_step", "livechat_chatbot_answer"];

/**
 * A channel's welcome message and button text, and a chatbot script's step texts and answer labels,
 * may be given per language: a `translations` JSON column beside the default text. Portable: SQLite
 * and PostgreSQL.
 */
export class LivechatContentTranslations1764200000001 implements MigrationInterface {
  name = "LivechatContentTranslations1764200000001";

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await q.addColumn(table, new TableColumn({ name: "translations", type: "text", isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await q.dropColumn(table, "translations");
  }
}
