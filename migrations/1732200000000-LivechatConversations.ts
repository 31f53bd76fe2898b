import { Table, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";
import { portableType } from "../host/contract";

/** Conversations, their messages, operators' read positions and chat windows. Portable: SQLite and PostgreSQL. */
export class LivechatConversations1732200000000 implements MigrationInterface {
  name = "LivechatConversations1732200000000";

  async up(q: QueryRunner): Promise<void> {
    const date = portableType(q, Date);
    const id = { name: "id", type: "integer", isPrimary: true, isGenerated: true, generationStrategy: "increment" as const };
    const toConversation = {
      columnNames: ["conversation_id"],
      referencedTableName: "livechat_conversation",
      referencedColumnNames: ["id"],
      onDelete: "CASCADE",
    };
    const toUser = { columnNames: ["user_id"], referencedTableName: "host_user", referencedColumnNames: ["id"], onDelete: "CASCADE" };

    await q.createTable(
      new Table({
        name: "livechat_conversation",
        columns: [
          id,
          { name: "channel_id", type: "integer" },
          { name: "visitor_key", type: "varchar", length: "64" },
          { name: "visitor_name", type: "varchar", length: "64" },
          { name: "visitor_lang", type: "varchar", length: "16", isNullable: true },
          { name: "visitor_token_hash", type: "varchar", length: "64" },
          { name: "operator_id", type: "integer", isNullable: true },
          { name: "state", type: "varchar", length: "16" },
          { name: "assignment_tier", type: "varchar", length: "32", isNullable: true },
          { name: "requested_expertise", type: "varchar", length: "255", default: "''" },
          { name: "created_at", type: date },
          { name: "assigned_at", type: date, isNullable: true },
          { name: "closed_at", type: date, isNullable: true },
          { name: "closed_reason", type: "varchar", length: "16", isNullable: true },
          { name: "last_visitor_seen_at", type: date },
        ],
        foreignKeys: [
          { columnNames: ["channel_id"], referencedTableName: "livechat_channel", referencedColumnNames: ["id"], onDelete: "CASCADE" },
          { columnNames: ["operator_id"], referencedTableName: "host_user", referencedColumnNames: ["id"], onDelete: "SET NULL" },
        ],
        indices: [
          new TableIndex({ columnNames: ["operator_id", "state"] }),
          new TableIndex({ columnNames: ["channel_id", "state", "id"] }),
          new TableIndex({ columnNames: ["visitor_key", "id"] }),
          new TableIndex({ columnNames: ["visitor_token_hash"], isUnique: true }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: "livechat_message",
        columns: [
          id,
          { name: "conversation_id", type: "integer" },
          { name: "author_kind", type: "varchar", length: "16" },
          { name: "author_user_id", type: "integer", isNullable: true },
          { name: "body", type: "text" },
          { name: "client_message_id", type: "varchar", length: "64", isNullable: true },
          { name: "created_at", type: date },
        ],
        foreignKeys: [toConversation],
        indices: [
          new TableIndex({ columnNames: ["conversation_id", "id"] }),
          new TableIndex({ columnNames: ["conversation_id", "client_message_id"], isUnique: true }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: "livechat_conversation_read",
        columns: [
          { name: "conversation_id", type: "integer", isPrimary: true },
          { name: "user_id", type: "integer", isPrimary: true },
          { name: "last_read_message_id", type: "integer" },
        ],
        foreignKeys: [toConversation, toUser],
      }),
    );
    await q.createTable(
      new Table({
        name: "livechat_chat_window",
        columns: [
          { name: "user_id", type: "integer", isPrimary: true },
          { name: "conversation_id", type: "integer", isPrimary: true },
          { name: "state", type: "varchar", length: "8" },
          { name: "opened_at", type: date },
        ],
        foreignKeys: [toConversation, toUser],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ["livechat_chat_window", "livechat_conversation_read", "livechat_message", "livechat_conversation"]) {
      await q.dropTable(table);
    }
  }
}
