import { type MigrationInterface, type QueryRunner } from "typeorm";

/**
 * A version per channel that every join or leave raises, whoever writes it (the module, another
 * instance, a script straight in the database): assignment learns that the members changed from one
 * row read by its key, instead of an aggregate over every member at each decision. Kept by triggers
 * on the membership table; a channel without a row has never had a member change since.
 */
export class LivechatChannelMembersVersion1764600000000 implements MigrationInterface {
  name = "LivechatChannelMembersVersion1764600000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query("CREATE TABLE livechat_channel_members_version (channel_id integer PRIMARY KEY NOT NULL, version integer NOT NULL DEFAULT 0)");
    if (q.connection.driver.options.type === "postgres") {
      await q.query(`
        CREATE FUNCTION livechat_channel_members_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP <> 'INSERT' THEN
            INSERT INTO livechat_channel_members_version (channel_id, version) VALUES (OLD.channel_id, 1)
              ON CONFLICT (channel_id) DO UPDATE SET version = livechat_channel_members_version.version + 1;
          END IF;
          IF TG_OP <> 'DELETE' THEN
            INSERT INTO livechat_channel_members_version (channel_id, version) VALUES (NEW.channel_id, 1)
              ON CONFLICT (channel_id) DO UPDATE SET version = livechat_channel_members_version.version + 1;
          END IF;
          RETURN NULL;
        END $$`);
      await q.query(
        "CREATE TRIGGER livechat_channel_members_changed AFTER INSERT OR UPDATE OR DELETE ON livechat_channel_member " +
          "FOR EACH ROW EXECUTE FUNCTION livechat_channel_members_changed()",
      );
      return;
    }
    // No conflict clause inside: SQLite would let the statement that fired the trigger override it.
    const bump = (row: "NEW" | "OLD") =>
      `INSERT INTO livechat_channel_members_version (channel_id, version) SELECT ${row}.channel_id, 0 ` +
      `WHERE NOT EXISTS (SELECT 1 FROM livechat_channel_members_version WHERE channel_id = ${row}.channel_id); ` +
      `UPDATE livechat_channel_members_version SET version = version + 1 WHERE channel_id = ${row}.channel_id;`;
    await q.query(`CREATE TRIGGER livechat_channel_member_joined AFTER INSERT ON livechat_channel_member BEGIN ${bump("NEW")} END`);
    await q.query(`CREATE TRIGGER livechat_channel_member_left AFTER DELETE ON livechat_channel_member BEGIN ${bump("OLD")} END`);
    await q.query(`CREATE TRIGGER livechat_channel_member_moved AFTER UPDATE ON livechat_channel_member BEGIN ${bump("OLD")} ${bump("NEW")} END`);
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.driver.options.type === "postgres") {
      await q.query("DROP TRIGGER livechat_channel_members_changed ON livechat_channel_member");
      await q.query("DROP FUNCTION livechat_channel_members_changed()");
    } else {
      for (const name of ["joined", "left", "moved"]) await q.query(`DROP TRIGGER livechat_channel_member_${name}`);
    }
    await q.query("DROP TABLE livechat_channel_members_version");
  }
}
