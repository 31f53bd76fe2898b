import { Table, type MigrationInterface, type QueryRunner } from "typeorm";

/**
 * Each channel's queue version: raised by every change of the waiting queue other than a newcomer
 * joining its end, so a widget can tell which channel-level queue notifications its position
 * already counts.
 */
export class LivechatChannelQueue1732600000000 implements MigrationInterface {
  name = "LivechatChannelQueue1732600000000";

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: "livechat_channel_queue",
        columns: [
          { name: "channel_id", type: "integer", isPrimary: true },
          { name: "version", type: "integer", default: 0 },
        ],
        foreignKeys: [{ columnNames: ["channel_id"], referencedTableName: "livechat_channel", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable("livechat_channel_queue");
  }
}
