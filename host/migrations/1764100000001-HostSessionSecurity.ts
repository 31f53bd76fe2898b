import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from "typeorm";
import { portableType } from "../contract";

/**
 * Sessions get an opening time (for their absolute lifetime) and their user (so they can be ended
 * together), and are stored by a hash of their id. Existing sessions were stored by the id itself:
 * they are ended, and their users log in again.
 */
export class HostSessionSecurity1764100000001 implements MigrationInterface {
  name = "HostSessionSecurity1764100000001";

  async up(q: QueryRunner): Promise<void> {
    await q.query("DELETE FROM host_session");
    await q.addColumn("host_session", new TableColumn({ name: "created_at", type: portableType(q, Date) }));
    await q.addColumn("host_session", new TableColumn({ name: "user_id", type: "integer", isNullable: true }));
    await q.createIndex("host_session", new TableIndex({ columnNames: ["user_id"] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query("DELETE FROM host_session");
    const table = await q.getTable("host_session");
    const index = table?.indices.find((i) => i.columnNames.length === 1 && i.columnNames[0] === "user_id");
    if (index) await q.dropIndex("host_session", index);
    await q.dropColumn("host_session", "user_id");
    await q.dropColumn("host_session", "created_at");
  }
}
