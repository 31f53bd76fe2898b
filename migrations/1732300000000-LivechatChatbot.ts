import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from "typeorm";
import { portableType } from "../host/contract";

/** Chatbot scripts, their steps and answers, visitors' answers, and the chatbot columns of channels and conversations. */
export class LivechatChatbot1732300000000 implements MigrationInterface {
  name = "LivechatChatbot1732300000000";

  async up(q: QueryRunner): Promise<void> {
    const bool = portableType(q, Boolean);
    const id = { name: "id", type: "integer", isPrimary: true, isGenerated: true, generationStrategy: "increment" as const };
    await q.createTable(
      new Table({
        name: "livechat_chatbot_script",
        columns: [id, { name: "name", type: "varchar", length: "128" }, { name: "bot_name", type: "varchar", length: "64" }],
      }),
    );
    await q.createTable(
      new Table({
        name: "livechat_chatbot_step",
        columns: [
          id,
          { name: "script_id", type: "integer" },
          { name: "sequence", type: "integer" },
          { name: "type", type: "varchar", length: "16" },
          { name: "text", type: "text" },
          { name: "ends_script", type: bool, default: false },
          { name: "expertise_ids", type: "varchar", length: "255", default: "''" },
        ],
        foreignKeys: [{ columnNames: ["script_id"], referencedTableName: "livechat_chatbot_script", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
        indices: [new TableIndex({ columnNames: ["script_id", "sequence"] })],
      }),
    );
    await q.createTable(
      new Table({
        name: "livechat_chatbot_answer",
        columns: [
          id,
          { name: "step_id", type: "integer" },
          { name: "sequence", type: "integer" },
          { name: "label", type: "varchar", length: "128" },
          { name: "jump_to_step_id", type: "integer", isNullable: true },
          { name: "ends_script", type: bool, default: false },
        ],
        foreignKeys: [
          { columnNames: ["step_id"], referencedTableName: "livechat_chatbot_step", referencedColumnNames: ["id"], onDelete: "CASCADE" },
          { columnNames: ["jump_to_step_id"], referencedTableName: "livechat_chatbot_step", referencedColumnNames: ["id"], onDelete: "SET NULL" },
        ],
        indices: [new TableIndex({ columnNames: ["step_id", "sequence"] })],
      }),
    );
    await q.createTable(
      new Table({
        name: "livechat_conversation_answer",
        columns: [
          { name: "conversation_id", type: "integer", isPrimary: true },
          { name: "step_id", type: "integer", isPrimary: true },
          { name: "question", type: "text" },
          { name: "value", type: "text" },
        ],
        foreignKeys: [{ columnNames: ["conversation_id"], referencedTableName: "livechat_conversation", referencedColumnNames: ["id"], onDelete: "CASCADE" }],
      }),
    );
    await q.addColumn("livechat_channel", new TableColumn({ name: "chatbot_script_id", type: "integer", isNullable: true }));
    await q.addColumns("livechat_conversation", [
      new TableColumn({ name: "expert_assigned", type: bool, isNullable: true }),
      new TableColumn({ name: "chatbot_script_id", type: "integer", isNullable: true }),
      new TableColumn({ name: "chatbot_step_id", type: "integer", isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn("livechat_conversation", "chatbot_step_id");
    await q.dropColumn("livechat_conversation", "chatbot_script_id");
    await q.dropColumn("livechat_conversation", "expert_assigned");
    await q.dropColumn("livechat_channel", "chatbot_script_id");
    for (const table of ["livechat_conversation_answer", "livechat_chatbot_answer", "livechat_chatbot_step", "livechat_chatbot_script"]) {
      await q.dropTable(table);
    }
  }
}
