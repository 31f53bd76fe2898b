import { TableColumn, type MigrationInterface, type QueryRunner } from "typeorm";

/** The texts earlier versions stored for system lines, and the bot's queue notice, with their keys. */
const VISITOR_ENDED = "The visitor ended the conversation.";
const VISITOR_LEFT = "The visitor left the conversation.";
const OPERATOR_ENDED = " ended the conversation.";
const QUEUE_NOTICE = "No operator is available right now. You are in the queue: an operator will answer as soon as possible.";

/**
 * System lines get a key and parameters besides their English text, so that each reader sees them in
 * their own language. Existing lines are given theirs from their text: "<name> ended the conversation."
 * becomes "<name> left the conversation." with the name as parameter, and the chatbot's queue notice,
 * stored as a bot message until now, becomes the system line it is. Portable: SQLite and PostgreSQL.
 */
export class LivechatSystemLineKeys1764200000000 implements MigrationInterface {
  name = "LivechatSystemLineKeys1764200000000";

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns("livechat_message", [
      new TableColumn({ name: "system_key", type: "varchar", length: "32", isNullable: true }),
      new TableColumn({ name: "system_params", type: "text", isNullable: true }),
    ]);
    const p = q.connection.driver.options.type === "postgres" ? (n: number) => `$${n}` : () => "?";
    const keyed = async (key: string, where: string, values: string[]) =>
      q.query(`UPDATE livechat_message SET author_kind = 'system', system_key = ${p(1)}, system_params = '{}' WHERE ${where}`, [key, ...values]);
    await keyed("visitor_ended", `author_kind = 'system' AND body = ${p(2)}`, [VISITOR_ENDED]);
    await keyed("visitor_left", `author_kind = 'system' AND body = ${p(2)}`, [VISITOR_LEFT]);
    await keyed("queued", `author_kind = 'bot' AND body = ${p(2)}`, [QUEUE_NOTICE]);
    const named = (await q.query(`SELECT id, body FROM livechat_message WHERE author_kind = 'system' AND system_key IS NULL`)) as { id: number; body: string }[];
    for (const row of named) {
      if (!row.body.endsWith(OPERATOR_ENDED)) continue;
      const name = row.body.slice(0, -OPERATOR_ENDED.length);
      await q.query(`UPDATE livechat_message SET system_key = 'operator_left', system_params = ${p(1)} WHERE id = ${p(2)}`, [JSON.stringify({ name }), row.id]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE livechat_message SET author_kind = 'bot' WHERE system_key = 'queued'`);
    await q.dropColumn("livechat_message", "system_params");
    await q.dropColumn("livechat_message", "system_key");
  }
}
