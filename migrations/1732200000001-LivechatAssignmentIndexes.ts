import { TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";

const TABLE = "livechat_conversation";

/**
 * Indexes that keep the assignment's derived figures fast however long the history grows: open
 * conversations per operator and channel (COUNT) and the last assignment (MAX) are read from the
 * index alone, without visiting every closed conversation of every operator.
 */
export class LivechatAssignmentIndexes1732200000001 implements MigrationInterface {
  name = "LivechatAssignmentIndexes1732200000001";

  async up(q: QueryRunner): Promise<void> {
    // (operator_id, state) is a prefix of the first new index: it would only cost writes.
    await q.dropIndex(TABLE, new TableIndex({ columnNames: ["operator_id", "state"] }));
    await q.createIndex(TABLE, new TableIndex({ columnNames: ["operator_id", "state", "channel_id"] }));
    await q.createIndex(TABLE, new TableIndex({ columnNames: ["operator_id", "assigned_at"] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex(TABLE, new TableIndex({ columnNames: ["operator_id", "assigned_at"] }));
    await q.dropIndex(TABLE, new TableIndex({ columnNames: ["operator_id", "state", "channel_id"] }));
    await q.createIndex(TABLE, new TableIndex({ columnNames: ["operator_id", "state"] }));
  }
}
