import type { Request, Response } from "express";
import { lt, InvalidInputError, NotFoundError, parseId, type HostContract } from "../../host/contract";
import { MANAGER_GROUP } from "../api";
import type { ChannelService } from "../services/ChannelService";
import { REPORT_NAMES, type Cell, type Report, type ReportFilter, type ReportName, type LivechatReports } from "../services/reports/LivechatReports";
import { toCsv } from "../services/reports/csv";
import { asyncRoute } from "./asyncRoute";

const DAY_MS = 86_400_000;
export const REPORT_DAYS_MAX = 366;

const TITLES: Record<ReportName, string> = {
  sessions: lt("Sessions"),
  waiting: lt("Waiting and response"),
  operators: lt("Operator Analysis"),
  ratings: lt("Ratings"),
};

/** The filter as the form shows it. */
interface FilterForm {
  from: string;
  to: string;
  channel: string;
  by: "day" | "hour";
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** A `YYYY-MM-DD` that is a real day, as the UTC midnight starting it. */
function parseDay(value: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || isoDay(date) !== value ? null : date;
}

/** Reads the filter from the query; defaults to the last 30 days, all channels, per day. */
export function parseFilter(query: Request["query"], today: Date): { form: FilterForm; filter: ReportFilter } {
  const text = (v: unknown) => (typeof v === "string" ? v.trim() : "");
  const form: FilterForm = {
    from: text(query.from) || isoDay(new Date(today.getTime() - 29 * DAY_MS)),
    to: text(query.to) || isoDay(today),
    channel: text(query.channel),
    by: text(query.by) === "hour" ? "hour" : "day",
  };
  const from = parseDay(form.from);
  const to = parseDay(form.to);
  if (!from || !to) throw new InvalidInputError(lt("Dates are written YYYY-MM-DD."));
  if (to < from) throw new InvalidInputError(lt("The end date is before the start date."));
  if ((to.getTime() - from.getTime()) / DAY_MS + 1 > REPORT_DAYS_MAX) throw new InvalidInputError(lt("A report covers at most {days} days."), { days: REPORT_DAYS_MAX });
  let channelId: number | null = null;
  if (form.channel) {
    channelId = parseId(form.channel);
    if (channelId === null) throw new InvalidInputError(lt("Choose the channel from the list."));
  }
  return { form, filter: { from, to: new Date(to.getTime() + DAY_MS), channelId, by: form.by } };
}

/** Live Chat → Reporting (managers): each report with its filter, chart, table and CSV export. */
export function reportRoutes(host: HostContract, reports: LivechatReports, channels: ChannelService): void {
  const { router, auth, views } = host;
  const manager = auth.requireGroup(MANAGER_GROUP);

  router.get(
    "/livechat/reports/:name",
    manager,
    asyncRoute(async (req: Request, res: Response) => {
      const name = req.params.name as ReportName;
      if (!REPORT_NAMES.includes(name)) throw new NotFoundError(lt("There is no such report."));
      const t = await host.i18n.forRequest(req);
      const channelList = (await channels.records()).map((c) => ({ id: c.id, name: c.name }));
      let parsed: ReturnType<typeof parseFilter> | null = null;
      let error: string | null = null;
      try {
        parsed = parseFilter(req.query, host.clock.now());
        if (parsed.filter.channelId !== null && !channelList.some((c) => c.id === parsed?.filter.channelId)) {
          throw new InvalidInputError(lt("Choose the channel from the list."));
        }
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        error = t(err.key, err.vars);
      }
      if (!parsed || error) {
        res.status(400);
        if (req.query.format === "csv") {
          res.type("text/plain").send(error ?? "");
          return;
        }
      }
      const report: Report | null = parsed && !error ? await reports.run(name, parsed.filter) : null;
      const columns = report ? report.columns.map((c) => t(c)) : [];
      const translated = new Set(report?.translatedColumns ?? []);
      const rows: Cell[][] = report ? report.rows.map((row) => row.map((cell, i) => (typeof cell === "string" && translated.has(i) ? t(cell) : cell))) : [];
      if (req.query.format === "csv" && report && parsed) {
        res
          .type("text/csv; charset=utf-8")
          .attachment(`livechat-${name}-${parsed.form.from}-${parsed.form.to}.csv`)
          .send(toCsv(columns, rows));
        return;
      }
      const form = parsed?.form ?? { from: String(req.query.from ?? ""), to: String(req.query.to ?? ""), channel: String(req.query.channel ?? ""), by: "day" };
      const csvQuery = new URLSearchParams({ from: form.from, to: form.to, channel: form.channel, by: form.by, format: "csv" }).toString();
      const chart = report
        ? {
            ...report.chart,
            labels: report.chart.labels.map((l) => (report.chart.type === "doughnut" ? t(l) : l)),
            datasets: report.chart.datasets.map((d) => ({ label: d.translate ? t(d.label) : d.label, data: d.data })),
          }
        : null;
      res.type("html").send(
        await views.render(req, "livechat/report", {
          title: t(TITLES[name]),
          name,
          tabs: REPORT_NAMES.map((n) => ({ name: n, title: t(TITLES[n]), active: n === name })),
          form,
          byHour: form.by === "hour",
          showBy: name === "sessions" || name === "waiting",
          channels: channelList.map((c) => ({ ...c, selected: String(c.id) === form.channel })),
          error,
          columns,
          rows,
          chartJson: chart ? JSON.stringify(chart) : null,
          truncatedAt: report?.truncatedAt ?? null,
          csvUrl: `/livechat/reports/${name}?${csvQuery}`,
        }),
      );
    }),
  );
}
