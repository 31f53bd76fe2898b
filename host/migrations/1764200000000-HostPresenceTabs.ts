import { MigrationInterface, QueryRunner, TableColumn } from "typeorm";
import { portableType } from "../contract";

/** Presence counts a user's open bus sockets (tabs), on every instance, and when the last one closed. */
export class HostPresenceTabs1764200000000 implements MigrationInterface {
  name = "HostPresenceTabs1764200000000";

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn("host_presence", new TableColumn({ name: "open_tabs", type: "integer", default: 0 }));
    await q.addColumn("host_presence", new TableColumn({ name: "tabs_closed_at", type: portableType(q, Date), isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn("host_presence", "tabs_closed_at");
    await q.dropColumn("host_presence", "open_tabs");
  }
}
