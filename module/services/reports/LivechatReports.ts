import { lt, type HostContract } from "../../../host/contract";
import { percentilesSql, ReportSql, waitingPercentilesSql } from "./reportSql";

export type ReportName = "sessions" | "waiting" | "operators" | "ratings";
export const REPORT_NAMES: ReportName[] = ["sessions", "waiting", "operators", "ratings"];

export interface ReportFilter {
  /** First instant included (UTC). */
  from: Date;
  /** First instant excluded (UTC). */
  to: Date;
  channelId: number | null;
  by: "day" | "hour";
}

export type Cell = string | number | null;

/** What a report shows: its table (also its CSV) and its chart. Labels are translation keys. */
export interface Report {
  columns: string[];
  rows: Cell[][];
  chart: {
    type: "bar" | "line" | "doughnut";
    stacked: boolean;
    labels: string[];
    /** `translate`: the label is a translation key (a state, a face); otherwise a name. */
    datasets: { label: string; translate: boolean; data: number[] }[];
  };
  /** Columns whose cells are translation keys (the faces of ratings). */
  translatedColumns?: number[];
  /** Rows were cut at this many (only the ratings list can be that long). */
  truncatedAt: number | null;
}

export const RATINGS_LIST_MAX = 1000;
const FACES: Record<number, string> = { 5: lt("Satisfied"), 3: lt("Okay"), 1: lt("Dissatisfied") };

const round = (value: unknown) => (value === null || value === undefined ? null : Math.round(Number(value) * 10) / 10);
const count = (value: unknown) => Number(value ?? 0);

/**
 * Live Chat reports, each one aggregate SQL over conversations started in the period (and their
 * messages and ratings), the same on SQLite and PostgreSQL. Times are in seconds; days and hours in UTC.
 */
export class LivechatReports {
  constructor(private readonly host: HostContract) {}

  run(name: ReportName, filter: ReportFilter): Promise<Report> {
    switch (name) {
      case "sessions":
        return this.sessions(filter);
      case "waiting":
        return this.waiting(filter);
      case "operators":
        return this.operators(filter);
      case "ratings":
        return this.ratings(filter);
    }
  }

  /** Conversations per day (or hour) and channel, by how they stand: ended with or without an operator, ongoing. */
  async sessions(filter: ReportFilter): Promise<Report> {
    const sql = new ReportSql(this.host.db);
    const bucket = filter.by === "hour" ? sql.hour("c.created_at") : sql.day("c.created_at");
    const rows = await this.host.reads.query<{ bucket: string; channel: string; total: unknown; with_operator: unknown; without_operator: unknown; ongoing: unknown }>(
      `SELECT ${bucket} AS bucket, ch.name AS channel, COUNT(*) AS total,
              SUM(CASE WHEN c.state = 'closed' AND c.assigned_at IS NOT NULL THEN 1 ELSE 0 END) AS with_operator,
              SUM(CASE WHEN c.state = 'closed' AND c.assigned_at IS NULL THEN 1 ELSE 0 END) AS without_operator,
              SUM(CASE WHEN c.state <> 'closed' THEN 1 ELSE 0 END) AS ongoing
       FROM livechat_conversation c JOIN livechat_channel ch ON ch.id = c.channel_id
       WHERE ${this.period(sql, filter)}
       GROUP BY ${bucket}, ch.name
       ORDER BY ${bucket}, ch.name`,
      sql.params,
    );
    const labels = [...new Set(rows.map((r) => r.bucket))];
    const sum = (key: "with_operator" | "without_operator" | "ongoing") => labels.map((l) => rows.filter((r) => r.bucket === l).reduce((s, r) => s + count(r[key]), 0));
    return {
      columns: [filter.by === "hour" ? lt("Hour (UTC)") : lt("Day (UTC)"), lt("Channel"), lt("Conversations"), lt("Ended with an operator"), lt("Ended without an operator"), lt("Ongoing")],
      rows: rows.map((r) => [r.bucket, r.channel, count(r.total), count(r.with_operator), count(r.without_operator), count(r.ongoing)]),
      chart: {
        type: "bar",
        stacked: true,
        labels,
        datasets: [
          { label: lt("Ended with an operator"), translate: true, data: sum("with_operator") },
          { label: lt("Ended without an operator"), translate: true, data: sum("without_operator") },
          { label: lt("Ongoing"), translate: true, data: sum("ongoing") },
        ],
      },
      truncatedAt: null,
    };
  }

  /**
   * Time in the queue (start to assignment) and to the operator's first answer (assignment to first
   * message): median and 90th percentile, per bucket and channel for the table and per bucket for the
   * chart, from one pass over the period's conversations.
   */
  async waiting(filter: ReportFilter): Promise<Report> {
    const sql = new ReportSql(this.host.db);
    const bucket = filter.by === "hour" ? sql.hour("c.created_at") : sql.day("c.created_at");
    const source =
      `SELECT ${bucket} AS bucket, ch.name AS channel, ${sql.seconds("c.assigned_at", "c.created_at")} AS w, ${sql.seconds(FIRST_OPERATOR_MESSAGE, "c.assigned_at")} AS r ` +
      `FROM livechat_conversation c JOIN livechat_channel ch ON ch.id = c.channel_id WHERE c.assigned_at IS NOT NULL AND ${this.period(sql, filter)}`;
    const rows = await this.host.reads.query<Record<string, unknown>>(waitingPercentilesSql(source), sql.params);
    // A bucket's percentile over all channels is the least of its channels' candidates (see the SQL).
    const least = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
    const byDay = new Map<string, (number | null)[]>();
    for (const row of rows) {
      const day = byDay.get(String(row.bucket)) ?? [null, null, null, null];
      const candidates = [row.w_day_p50, row.w_day_p90, row.r_day_p50, row.r_day_p90].map(round);
      byDay.set(String(row.bucket), day.map((value, i) => least(value, candidates[i])));
    }
    const labels = [...byDay.keys()];
    const series = (i: number) => labels.map((l) => (byDay.get(l) as (number | null)[])[i] ?? 0);
    return {
      columns: [
        filter.by === "hour" ? lt("Hour (UTC)") : lt("Day (UTC)"),
        lt("Channel"),
        lt("Answered conversations"),
        lt("Time in queue, median (s)"),
        lt("Time in queue, 90th percentile (s)"),
        lt("Conversations with a reply"),
        lt("First reply, median (s)"),
        lt("First reply, 90th percentile (s)"),
      ],
      rows: rows.map((r) => [String(r.bucket), String(r.channel), count(r.w_n), round(r.w_p50), round(r.w_p90), count(r.r_n), round(r.r_p50), round(r.r_p90)]),
      chart: {
        type: "line",
        stacked: false,
        labels,
        datasets: [
          { label: lt("Time in queue, median (s)"), translate: true, data: series(0) },
          { label: lt("Time in queue, 90th percentile (s)"), translate: true, data: series(1) },
          { label: lt("First reply, median (s)"), translate: true, data: series(2) },
          { label: lt("First reply, 90th percentile (s)"), translate: true, data: series(3) },
        ],
      },
      truncatedAt: null,
    };
  }

  /** Per operator: conversations handled, average rating, median first reply, and average concurrent conversations (with their load per day). */
  async operators(filter: ReportFilter): Promise<Report> {
    const sql = new ReportSql(this.host.db);
    const now = this.host.clock.now();
    const end = sql.p(now);
    const busy = sql.seconds(`COALESCE(c.closed_at, ${end})`, "c.assigned_at");
    const day = sql.day("c.assigned_at");
    const where = `c.operator_id IS NOT NULL AND c.assigned_at IS NOT NULL AND ${this.period(sql, filter)}`;
    const totals = await this.host.reads.query<{ operator_id: unknown; handled: unknown; rating: unknown; ratings: unknown; busy: unknown }>(
      `SELECT c.operator_id AS operator_id, COUNT(*) AS handled, AVG(r.value) AS rating, COUNT(r.value) AS ratings, SUM(${busy}) AS busy
       FROM livechat_conversation c LEFT JOIN livechat_conversation_rating r ON r.conversation_id = c.id
       WHERE ${where}
       GROUP BY c.operator_id`,
      sql.params,
    );
    const daily = new ReportSql(this.host.db);
    const dailyEnd = daily.p(now);
    const perDay = await this.host.reads.query<{ operator_id: unknown; day: string; busy: unknown }>(
      `SELECT c.operator_id AS operator_id, ${day} AS day, SUM(${daily.seconds(`COALESCE(c.closed_at, ${dailyEnd})`, "c.assigned_at")}) AS busy
       FROM livechat_conversation c
       WHERE c.operator_id IS NOT NULL AND c.assigned_at IS NOT NULL AND ${this.period(daily, filter)}
       GROUP BY c.operator_id, ${day}
       ORDER BY ${day}`,
      daily.params,
    );
    const firstReply = await this.percentiles(filter, ["operator_id"], (sql) => ({
      select: `c.operator_id AS operator_id, ${sql.seconds(FIRST_OPERATOR_MESSAGE, "c.assigned_at")} AS v`,
      where: `c.operator_id IS NOT NULL AND c.assigned_at IS NOT NULL AND ${FIRST_OPERATOR_MESSAGE} IS NOT NULL`,
    }));
    const medians = new Map(firstReply.map((r) => [Number(r.operator_id), round(r.p50)]));
    const users = new Map((await this.host.users.getMany(totals.map((t) => Number(t.operator_id)))).map((u) => [u.id, u.name]));
    const periodSeconds = Math.max(1, (Math.min(filter.to.getTime(), now.getTime()) - filter.from.getTime()) / 1000);
    const ordered = [...totals].sort((a, b) => count(b.handled) - count(a.handled) || String(users.get(Number(a.operator_id))).localeCompare(String(users.get(Number(b.operator_id)))));
    const days = [...new Set(perDay.map((r) => r.day))];
    return {
      columns: [lt("Operator"), lt("Conversations"), lt("Average rating"), lt("Ratings"), lt("First reply, median (s)"), lt("Average concurrent conversations")],
      rows: ordered.map((t) => {
        const id = Number(t.operator_id);
        const rating = t.rating === null ? null : Math.round(Number(t.rating) * 100) / 100;
        return [users.get(id) ?? `#${id}`, count(t.handled), rating, count(t.ratings), medians.get(id) ?? null, Math.round((count(t.busy) / periodSeconds) * 100) / 100];
      }),
      chart: {
        type: "line",
        stacked: false,
        labels: days,
        // The busiest operators' load per day: conversation-seconds of the day over the day's seconds.
        datasets: ordered.slice(0, 8).map((t) => {
          const id = Number(t.operator_id);
          return {
            label: users.get(id) ?? `#${id}`,
            translate: false,
            data: days.map((d) => Math.round((perDay.filter((r) => Number(r.operator_id) === id && r.day === d).reduce((s, r) => s + count(r.busy), 0) / 86400) * 100) / 100),
          };
        }),
      },
      truncatedAt: null,
    };
  }

  /** How visitors rated: the distribution of faces, and each rating with its comment, newest first. */
  async ratings(filter: ReportFilter): Promise<Report> {
    const sql = new ReportSql(this.host.db);
    const where = this.period(sql, filter);
    const distribution = await this.host.reads.query<{ value: unknown; n: unknown }>(
      `SELECT r.value AS value, COUNT(*) AS n
       FROM livechat_conversation_rating r JOIN livechat_conversation c ON c.id = r.conversation_id
       WHERE ${where} GROUP BY r.value`,
      sql.params,
    );
    const list = new ReportSql(this.host.db);
    const rows = await this.host.reads.query<{ created_at: unknown; channel: string; operator_id: unknown; value: unknown; comment: string | null }>(
      `SELECT r.created_at AS created_at, ch.name AS channel, c.operator_id AS operator_id, r.value AS value, r.comment AS comment
       FROM livechat_conversation_rating r
       JOIN livechat_conversation c ON c.id = r.conversation_id
       JOIN livechat_channel ch ON ch.id = c.channel_id
       WHERE ${this.period(list, filter)}
       ORDER BY r.created_at DESC, r.conversation_id DESC
       LIMIT ${RATINGS_LIST_MAX + 1}`,
      list.params,
    );
    const users = new Map((await this.host.users.getMany([...new Set(rows.map((r) => Number(r.operator_id)))])).map((u) => [u.id, u.name]));
    const counts = new Map(distribution.map((d) => [Number(d.value), count(d.n)]));
    return {
      columns: [lt("Rated on (UTC)"), lt("Channel"), lt("Operator"), lt("Rating"), lt("Comment")],
      rows: rows.slice(0, RATINGS_LIST_MAX).map((r) => [
        toUtcMinute(r.created_at),
        r.channel,
        users.get(Number(r.operator_id)) ?? "",
        FACES[Number(r.value)] ?? String(r.value),
        r.comment ?? "",
      ]),
      chart: {
        type: "doughnut",
        stacked: false,
        labels: [5, 3, 1].map((v) => FACES[v]),
        datasets: [{ label: lt("Ratings"), translate: true, data: [5, 3, 1].map((v) => counts.get(v) ?? 0) }],
      },
      translatedColumns: [3],
      truncatedAt: rows.length > RATINGS_LIST_MAX ? RATINGS_LIST_MAX : null,
    };
  }

  /** Conversations started in the period (and channel), as a WHERE condition on `c`. */
  private period(sql: ReportSql, filter: ReportFilter): string {
    const parts = [`c.created_at >= ${sql.p(filter.from)}`, `c.created_at < ${sql.p(filter.to)}`];
    if (filter.channelId !== null) parts.push(`c.channel_id = ${sql.p(filter.channelId)}`);
    return parts.join(" AND ");
  }

  private async percentiles(filter: ReportFilter, groups: string[], source: (sql: ReportSql) => { select: string; where: string }) {
    const sql = new ReportSql(this.host.db);
    const { select, where } = source(sql);
    const inner = `SELECT ${select} FROM livechat_conversation c JOIN livechat_channel ch ON ch.id = c.channel_id WHERE ${where} AND ${this.period(sql, filter)}`;
    return this.host.reads.query<Record<string, unknown>>(percentilesSql(inner, groups, "v"), sql.params);
  }
}

/** When an operator first wrote in conversation `c` (kept on the conversation when it happens). */
const FIRST_OPERATOR_MESSAGE = "c.first_reply_at";

function toUtcMinute(value: unknown): string {
  const date = value instanceof Date ? value : new Date(`${String(value).replace(" ", "T")}${String(value).endsWith("Z") ? "" : "Z"}`);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().slice(0, 16).replace("T", " ");
}
