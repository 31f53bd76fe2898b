import { performance } from "node:perf_hooks";
import { Host, ROOT_DIR } from "../host/app";
import { ConsoleLogger } from "../host/logger";
import { LivechatChannel } from "../module/models/LivechatChannel";
import { LivechatReports, REPORT_NAMES, type ReportFilter } from "../module/services/reports/LivechatReports";
import { tempSqliteUrl } from "../test/support/testHost";
import { percentile, round, withBaseline, type Figure } from "./stats";

const DAY = 86_400_000;

/**
 * Each Live Chat report over a month of history: `messages` messages in conversations of 20, spread
 * over 30 days, two channels, 50 operators, a rating on every third. The baseline is a full count of
 * a scan of every message in the same database.
 */
export async function reportFigures(messages: number, log: (line: string) => void): Promise<Figure[]> {
  const host = await Host.create({ databaseUrl: tempSqliteUrl(), modules: [ROOT_DIR], logger: new ConsoleLogger("error"), demo: "never", schedulerTickMs: null });
  const start = new Date("2026-01-01T00:00:00Z").getTime();
  try {
    const conversations = Math.ceil(messages / 20);
    const at = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace("Z", "");
    const channels = host.db.getRepository(LivechatChannel);
    const channelIds = [(await channels.save({ name: "One", createdAt: new Date(start) })).id, (await channels.save({ name: "Two", createdAt: new Date(start) })).id];
    const operatorIds: number[] = [];
    for (let i = 0; i < 50; i++) {
      const user = await host.users.create({ login: `bench${i}`, name: `Operator ${i}`, password: `bench-password-${i}`, langCode: "en_US", groups: ["base.user", "livechat.user"] });
      operatorIds.push(user.id);
    }
    const loadStart = performance.now();
    const batch = 500;
    for (let first = 0; first < conversations; first += batch) {
      const rows: string[] = [];
      const messageRows: string[] = [];
      const ratingRows: string[] = [];
      for (let i = first; i < Math.min(conversations, first + batch); i++) {
        const id = i + 1;
        const created = start + Math.floor((i / conversations) * 30 * DAY);
        const operator = operatorIds[i % operatorIds.length];
        const assigned = created + ((i * 7919) % 120) * 1000;
        const closed = assigned + 600_000;
        rows.push(
          `(${id}, ${channelIds[i % 2]}, 'v${id}', 'Visitor', 'en', '${String(id).padStart(64, "0")}', ${operator}, 'closed', '${at(created)}', '${at(assigned)}', '${at(assigned + 20_000 + ((i * 31) % 60) * 1000)}', '${at(closed)}', 'operator', '${at(closed)}')`,
        );
        for (let k = 0; k < 20; k++) {
          const operatorMessage = k % 2 === 1;
          messageRows.push(`(${id}, '${operatorMessage ? "operator" : "visitor"}', ${operatorMessage ? operator : "NULL"}, 'message ${k}', '${at(assigned + k * 20_000 + ((i * 31) % 60) * 1000)}')`);
        }
        if (i % 3 === 0) ratingRows.push(`(${id}, ${[5, 3, 1][i % 9 === 0 ? 2 : i % 2]}, ${i % 6 === 0 ? "'Thanks'" : "NULL"}, '${at(closed)}')`);
      }
      await host.db.transaction(async (m) => {
        await m.query(
          `INSERT INTO livechat_conversation (id, channel_id, visitor_key, visitor_name, visitor_lang, visitor_token_hash, operator_id, state, created_at, assigned_at, first_reply_at, closed_at, closed_reason, last_visitor_seen_at) VALUES ${rows.join(",")}`,
        );
        await m.query(`INSERT INTO livechat_message (conversation_id, author_kind, author_user_id, body, created_at) VALUES ${messageRows.join(",")}`);
        if (ratingRows.length) await m.query(`INSERT INTO livechat_conversation_rating (conversation_id, value, comment, created_at) VALUES ${ratingRows.join(",")}`);
      });
    }
    await host.db.query("ANALYZE");
    log(`reports: ${conversations} conversations, ${conversations * 20} messages loaded in ${round((performance.now() - loadStart) / 1000, 1)} s`);

    const reports = new LivechatReports(host.contract);
    const filter: ReportFilter = { from: new Date(start), to: new Date(start + 30 * DAY), channelId: null, by: "day" };
    // Each run's time, and the longest the event loop (the chats) waited meanwhile: the largest gap
    // between the turns of a 1 ms timer, the turn after the work included.
    const timed = async (work: () => Promise<unknown>) => {
      const sample: number[] = [];
      let held = 0;
      for (let i = 0; i < 3; i++) {
        let last = performance.now();
        const tick = () => {
          const now = performance.now();
          held = Math.max(held, now - last);
          last = now;
          timer = setTimeout(tick, 1);
        };
        let timer = setTimeout(tick, 1);
        const t0 = performance.now();
        await work();
        sample.push(performance.now() - t0);
        await new Promise((resolve) => setTimeout(resolve, 2));
        clearTimeout(timer);
      }
      return { ms: round(percentile(sample, 50), 1), held: round(held, 1) };
    };
    const baseline = await timed(() => host.db.query("SELECT SUM(LENGTH(body)) AS n FROM livechat_message"));
    const figures: Figure[] = [];
    for (const name of REPORT_NAMES) {
      const { ms, held } = await timed(() => reports.run(name, filter));
      const subject = `report "${name}", 30 days, ${conversations * 20} messages`;
      figures.push(withBaseline({ name: subject, unit: "ms", value: ms }, "one scan of every message", baseline.ms));
      figures.push(withBaseline({ name: `${subject}: longest event-loop wait meanwhile`, unit: "ms", value: held }, "the same scan on the host's connection", baseline.held));
    }
    return figures;
  } finally {
    await host.stop();
  }
}
