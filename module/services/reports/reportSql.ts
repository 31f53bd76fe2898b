import type { DataSource } from "typeorm";

/**
 * The few expressions reports need that SQLite and PostgreSQL spell differently: day and hour buckets
 * (UTC), seconds between two timestamps, and bound parameters. Everything else in report SQL is common.
 */
export class ReportSql {
  readonly params: unknown[] = [];
  private readonly postgres: boolean;

  constructor(db: DataSource) {
    this.postgres = db.options.type === "postgres";
  }

  /** A bound parameter; dates as each driver stores them (SQLite: UTC text that sorts as time). */
  p(value: string | number | Date): string {
    this.params.push(value instanceof Date && !this.postgres ? sqliteDate(value) : value);
    return this.postgres ? `$${this.params.length}` : "?";
  }

  /** `YYYY-MM-DD` of a timestamp column. */
  day(column: string): string {
    return this.postgres ? `to_char(${column}, 'YYYY-MM-DD')` : `substr(${column}, 1, 10)`;
  }

  /** `YYYY-MM-DD HH` of a timestamp column. */
  hour(column: string): string {
    return this.postgres ? `to_char(${column}, 'YYYY-MM-DD HH24')` : `substr(${column}, 1, 13)`;
  }

  /** Seconds from `from` to `to` (both timestamp columns or expressions), as a float. */
  seconds(to: string, from: string): string {
    return this.postgres ? `EXTRACT(EPOCH FROM (${to} - ${from}))` : `((julianday(${to}) - julianday(${from})) * 86400.0)`;
  }
}

/** typeorm's SQLite format for dates: `YYYY-MM-DD HH:MM:SS.SSS` in UTC. */
function sqliteDate(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}

/**
 * Nearest-rank percentiles over `valueSql` grouped by `groupSql`, as SQL selecting the groups with
 * `n`, `p50` and `p90`: the smallest value whose rank reaches the share (window functions, on both
 * databases).
 */
export function percentilesSql(source: string, groupColumns: string[], valueColumn: string): string {
  const groups = groupColumns.join(", ");
  const partition = groupColumns.length ? `PARTITION BY ${groups} ` : "";
  return `
    WITH ranked AS (
      SELECT ${groups ? `${groups}, ` : ""}${valueColumn} AS v,
             ROW_NUMBER() OVER (${partition}ORDER BY ${valueColumn}) AS rn,
             COUNT(*) OVER (${partition.trim()}) AS n
      FROM (${source}) AS src
    )
    SELECT ${groups ? `${groups}, ` : ""}MAX(n) AS n,
           MIN(CASE WHEN rn * 100 >= n * 50 THEN v END) AS p50,
           MIN(CASE WHEN rn * 100 >= n * 90 THEN v END) AS p90
    FROM ranked
    ${groups ? `GROUP BY ${groups} ORDER BY ${groups}` : ""}`;
}
