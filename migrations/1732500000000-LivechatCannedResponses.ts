import { Table, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";
import { portableType } from "../host/contract";

/** Canned responses and the channels each is offered in. Portable: SQLite and PostgreSQL. */
export class LivechatCannedResponses1732500000000 implements MigrationInterface {
  name = "LivechatCannedResponses1732500000000";

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: "livechat_canned_response",
        columns: [
          { name: "id", type: "integer", isPrimary: true, isGenerated: true, generationStrategy: "increment" },
          { name: "shortcut", type: "varchar", length: "32", isUnique: true },
          { name: "text", type: "text" },
          { name: "created_by", type: "integer" },
          { name: "usage_count", type: "integer", default: 0 },
          { name: "created_at", type: portableType(q, Date) },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: "livechat_canned_response_channel",
        columns: [
          { name: "response_id", type: "integer", isPrimary: true },
          { name: "channel_id", type: "integer", isPrimary: true },
        ],
        foreignKeys: [
          { columnNames: ["response_id"], referencedTableName: "livechat_canned_response", referencedColumnNames: ["id"], onDelete: "CASCADE" },
          { columnNames: ["channel_id"], referencedTableName: "livechat_channel", referencedColumnNames: ["id"], onDelete: "CASCADE" },
        ],
        indices: [new TableIndex({ columnNames: ["channel_id"] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable("livechat_canned_response_channel");
    await q.dropTable("livechat_canned_response");
  }
}
