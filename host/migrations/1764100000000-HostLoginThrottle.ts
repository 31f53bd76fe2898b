import { MigrationInterface, QueryRunner, Table } from "typeorm";

/**
 * Failed-login counters, shared by every instance. The columns are the ones rate-limiter-flexible's
 * SQL stores read and write: a key, the points used in the current window, and when it ends (ms).
 */
export class HostLoginThrottle1764100000000 implements MigrationInterface {
  name = "HostLoginThrottle1764100000000";

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: "host_login_throttle",
        columns: [
          { name: "key", type: "varchar", length: "255", isPrimary: true },
          { name: "points", type: "integer", default: 0 },
          { name: "expire", type: "bigint", isNullable: true },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable("host_login_throttle");
  }
}
