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

  /** A bound parameter, for the host's `reads` (which binds dates as the database stores them). */
  p(value: string | number | Date): string {
    this.params.push(value);
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

/**
 * The waiting report's percentiles in one pass over `source` (columns `bucket`, `channel`, `w` the
 * time in queue, `r` the time to the first reply or null): per bucket and channel `w_n`, `w_p50`,
 * `w_p90`, `r_n`, `r_p50`, `r_p90`, nearest-rank as in `percentilesSql`. The same ranks over the whole
 * bucket give `w_day_p50` and the others: the value of a bucket's percentile lies in one of its
 * channels, so it is the least of these candidates across the bucket's rows.
 */
export function waitingPercentilesSql(source: string): string {
  const shares = (value: string, rank: string, n: string, prefix: string) =>
    `MIN(CASE WHEN ${value} IS NOT NULL AND ${rank} * 100 >= ${n} * 50 THEN ${value} END) AS ${prefix}_p50, ` +
    `MIN(CASE WHEN ${value} IS NOT NULL AND ${rank} * 100 >= ${n} * 90 THEN ${value} END) AS ${prefix}_p90`;
  return `
    WITH ranked AS (
      SELECT bucket, channel, w, r,
             ROW_NUMBER() OVER (PARTITION BY bucket, channel ORDER BY w) AS w_rank,
             COUNT(*) OVER (PARTITION BY bucket, channel) AS w_n,
             ROW_NUMBER() OVER (PARTITION BY bucket ORDER BY w) AS w_day_rank,
             COUNT(*) OVER (PARTITION BY bucket) AS w_day_n,
             ROW_NUMBER() OVER (PARTITION BY bucket, channel, r IS NULL ORDER BY r) AS r_rank,
             COUNT(r) OVER (PARTITION BY bucket, channel) AS r_n,
             ROW_NUMBER() OVER (PARTITION BY bucket, r IS NULL ORDER BY r) AS r_day_rank,
             COUNT(r) OVER (PARTITION BY bucket) AS r_day_n
      FROM (${source}) AS src
    )
    SELECT bucket, channel, MAX(w_n) AS w_n, ${shares("w", "w_rank", "w_n", "w")}, MAX(r_n) AS r_n, ${shares("r", "r_rank", "r_n", "r")},
           ${shares("w", "w_day_rank", "w_day_n", "w_day")}, ${shares("r", "r_day_rank", "r_day_n", "r_day")}
    FROM ranked
    GROUP BY bucket, channel
    ORDER BY bucket, channel`;
}

