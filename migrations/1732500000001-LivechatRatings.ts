import { Table, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";
import { portableType } from "../host/contract";

/** Visitors' ratings of ended conversations, one per conversation; and the index reports scan by date. */
export class LivechatRatings1732500000001 implements MigrationInterface {
  name = "LivechatRatings1732500000001";

  async up(q: QueryRunner): Promise<void> {
    const date = portableType(q, Date);
    await q.createTable(
      new Table({
        name: "livechat_conversation_rating",
        columns: [
          { name: "conversation_id", type: "integer", isPrimary: true },
          { name: "value", type: "integer" },
          { name: "comment", type: "text", isNullable: true },
          { name: "created_at", type: date },
        ],
        foreignKeys: [{ columnNames: ["conversation_id"], referencedTableName: "livechat_conversation", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
      }),
    );
    await q.createIndex("livechat_conversation", new TableIndex({ name: "IDX_livechat_conversation_created", columnNames: ["created_at"] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex("livechat_conversation", "IDX_livechat_conversation_created");
    await q.dropTable("livechat_conversation_rating");
  }
}
