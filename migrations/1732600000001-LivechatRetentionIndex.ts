import { TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";

/** Ended conversations by end time: what the retention job looks for, without reading the whole history. */
export class LivechatRetentionIndex1732600000001 implements MigrationInterface {
  name = "LivechatRetentionIndex1732600000001";

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex("livechat_conversation", new TableIndex({ columnNames: ["closed_at"] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex("livechat_conversation", new TableIndex({ columnNames: ["closed_at"] }));
  }
}
