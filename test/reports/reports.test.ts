import { expect } from "chai";
import request from "supertest";
import type { HostUser } from "../../host/contract";
import { Conversation } from "../../module/models/Conversation";
import { ConversationRating } from "../../module/models/ConversationRating";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { Message } from "../../module/models/Message";
import { asVisitor, channelWithOperators, online, startVisitor } from "../conversations/helpers";
import { hostForSuite, startTestHost, type TestHost, type TestSession } from "../support/testHost";

const at = (iso: string, plusSeconds = 0) => new Date(new Date(`${iso}Z`).getTime() + plusSeconds * 1000);

/**
 * A hand-built month: four conversations in Alpha on 1 March (three answered, one never), one still
 * open in Beta on 2 March; known waits, first replies, durations and ratings.
 */
type AddConversation = (
  channel: LivechatChannel,
  created: string,
  operator: HostUser | null,
  wait: number,
  reply: number | null,
  duration: number | null,
  rating?: { value: 5 | 3 | 1; comment: string | null },
) => Promise<void>;

async function buildDataSet(t: TestHost): Promise<{ ana: HostUser; ben: HostUser; alpha: LivechatChannel; beta: LivechatChannel; add: AddConversation }> {
  const { channel: alpha, operators } = await channelWithOperators(t, "Alpha", ["ana", "ben"], null);
  const { channel: beta } = await channelWithOperators(t, "Beta", ["ben"], null);
  const [ana, ben] = operators;
  const conversations = t.host.db.getRepository(Conversation);
  let token = 0;
  const add: AddConversation = async (channel, created, operator, wait, reply, duration, rating) => {
    const createdAt = at(created);
    const assignedAt = operator ? at(created, wait) : null;
    const closedAt = duration === null ? null : at(created, wait + duration);
    token += 1;
    const c = await conversations.save({
      channelId: channel.id,
      visitorKey: `visitor-${token}`,
      visitorName: `Visitor ${token}`,
      visitorLang: "en",
      visitorTokenHash: `hash-${token}`.padEnd(64, "0"),
      operatorId: operator?.id ?? null,
      state: closedAt ? "closed" : operator ? "open" : "waiting",
      assignmentTier: null,
      expertAssigned: null,
      chatbotScriptId: null,
      chatbotStepId: null,
      createdAt,
      assignedAt,
      firstReplyAt: operator && reply !== null ? at(created, wait + reply) : null,
      closedAt,
      closedReason: closedAt ? "operator" : null,
      lastVisitorSeenAt: createdAt,
    });
    const messages = t.host.db.getRepository(Message);
    await messages.insert({ conversationId: c.id, authorKind: "visitor", authorUserId: null, body: "Hello", clientMessageId: null, createdAt: at(created, 1) });
    if (operator && reply !== null) {
      await messages.insert({ conversationId: c.id, authorKind: "operator", authorUserId: operator.id, body: "Hi", clientMessageId: null, createdAt: at(created, wait + reply) });
      await messages.insert({ conversationId: c.id, authorKind: "operator", authorUserId: operator.id, body: "More", clientMessageId: null, createdAt: at(created, wait + reply + 5) });
    }
    if (rating && closedAt) await t.host.db.getRepository(ConversationRating).insert({ conversationId: c.id, value: rating.value, comment: rating.comment, createdAt: closedAt });
  };
  await add(alpha, "2026-03-01T10:00:00", ana, 10, 30, 300, { value: 5, comment: "Great, thanks" });
  await add(alpha, "2026-03-01T11:00:00", ana, 20, 60, 600, { value: 1, comment: "=HYPERLINK(\"x\")" });
  await add(alpha, "2026-03-01T12:00:00", ben, 40, 10, 120, { value: 3, comment: null });
  await add(alpha, "2026-03-01T13:00:00", null, 0, null, 90);
  await add(beta, "2026-03-02T09:00:00", ben, 5, 20, null);
  // Outside the period: never counted.
  await add(alpha, "2026-02-27T09:00:00", ana, 999, 999, 60, { value: 1, comment: "old" });
  t.clock.set(at("2026-03-03T00:00:00"));
  return { ana, ben, alpha, beta, add };
}

/** The page's table as rows of cell texts. */
function tableOf(html: string): string[][] {
  const body = html.slice(html.indexOf("<tbody>"), html.indexOf("</tbody>"));
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<td>([\s\S]*?)<\/td>/g)].map((cell) => cell[1].replace(/&quot;/g, '"').replace(/&#x3D;/g, "=").replace(/&amp;/g, "&")),
  );
}

/** RFC 4180 parsing of the export: quoted cells may hold commas, quotes and line breaks. */
function csvOf(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  const source = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < source.length; i += 1) {
    const ch = source[i];
    if (quoted) {
      if (ch === '"' && source[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && source[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i += 1;
    } else cell += ch;
  }
  return rows;
}

for (const database of ["sqlite", "postgres"] as const) {
  describe(`Live Chat → Reporting on ${database === "sqlite" ? "SQLite" : "PostgreSQL"}`, function () {
    this.timeout(60_000);
    let t: TestHost;
    let admin: TestSession;
    let alpha: LivechatChannel;
    let beta: LivechatChannel;
    let ben: HostUser;
    let add: AddConversation;
    const period = "from=2026-03-01&to=2026-03-02";

    hostForSuite(database, async (host) => {
      t = host;
      ({ alpha, beta, ben, add } = await buildDataSet(t));
      admin = await t.login("admin");
    });

    it("counts sessions per day and channel by how they stand", async () => {
      const page = await admin.agent.get(`/livechat/reports/sessions?${period}`);
      expect(page.status).to.equal(200);
      expect(tableOf(page.text)).to.deep.equal([
        ["2026-03-01", "Alpha", "4", "3", "1", "0"],
        ["2026-03-02", "Beta", "1", "0", "0", "1"],
      ]);
      const hourly = await admin.agent.get(`/livechat/reports/sessions?${period}&by=hour&channel=${alpha.id}`);
      expect(tableOf(hourly.text).map((r) => r.slice(0, 3))).to.deep.equal([
        ["2026-03-01 10", "Alpha", "1"],
        ["2026-03-01 11", "Alpha", "1"],
        ["2026-03-01 12", "Alpha", "1"],
        ["2026-03-01 13", "Alpha", "1"],
      ]);
    });

    it("gives the median and 90th percentile of time in queue and of the first reply", async () => {
      const page = await admin.agent.get(`/livechat/reports/waiting?${period}`);
      expect(tableOf(page.text)).to.deep.equal([
        ["2026-03-01", "Alpha", "3", "20", "40", "3", "30", "60"],
        ["2026-03-02", "Beta", "1", "5", "5", "1", "20", "20"],
      ]);
    });

    it("sums up each operator: conversations, average rating, median first reply, average load", async () => {
      const page = await admin.agent.get(`/livechat/reports/operators?${period}`);
      expect(tableOf(page.text)).to.deep.equal([
        ["Operator ana", "2", "3", "2", "30", "0.01"],
        // Ben's Beta conversation is still open: it loads him until now (end of 2 March).
        ["Operator ben", "2", "3", "1", "10", "0.31"],
      ]);
    });

    it("lists ratings newest first with their distribution, and the CSV equals the table", async () => {
      const page = await admin.agent.get(`/livechat/reports/ratings?${period}`);
      const table = tableOf(page.text);
      expect(table).to.deep.equal([
        ["2026-03-01 12:02", "Alpha", "Operator ben", "Okay", ""],
        ["2026-03-01 11:10", "Alpha", "Operator ana", "Dissatisfied", '=HYPERLINK("x")'],
        ["2026-03-01 10:05", "Alpha", "Operator ana", "Satisfied", "Great, thanks"],
      ]);
      const chart = JSON.parse(/data-chart="([^"]*)"/.exec(page.text)![1].replace(/&quot;/g, '"'));
      expect(chart.labels).to.deep.equal(["Satisfied", "Okay", "Dissatisfied"]);
      expect(chart.datasets[0].data).to.deep.equal([1, 1, 1]);

      const csv = await admin.agent.get(`/livechat/reports/ratings?${period}&format=csv`);
      expect(csv.headers["content-type"]).to.match(/^text\/csv/);
      expect(csv.headers["content-disposition"]).to.contain("livechat-ratings-2026-03-01-2026-03-02.csv");
      const rows = csvOf(csv.text);
      expect(rows[0]).to.deep.equal(["Rated on (UTC)", "Channel", "Operator", "Rating", "Comment"]);
      // A comment that looks like a formula is kept as text for spreadsheets.
      expect(rows.slice(1)).to.deep.equal(table.map((r) => r.map((c) => (c.startsWith("=") ? `'${c}` : c))));
      for (const name of ["sessions", "waiting", "operators"]) {
        const html = await admin.agent.get(`/livechat/reports/${name}?${period}`);
        const data = await admin.agent.get(`/livechat/reports/${name}?${period}&format=csv`);
        expect(csvOf(data.text).slice(1), name).to.deep.equal(tableOf(html.text));
      }
    });

    it("refuses a bad filter with a clear message, and keeps the reports to managers", async () => {
      const bad = await admin.agent.get("/livechat/reports/sessions?from=2026-02-30&to=2026-03-01");
      expect(bad.status).to.equal(400);
      expect(bad.text).to.contain("Dates are written YYYY-MM-DD.");
      const reversed = await admin.agent.get("/livechat/reports/sessions?from=2026-03-05&to=2026-03-01");
      expect(reversed.text).to.contain("The end date is before the start date.");
      expect((await admin.agent.get("/livechat/reports/sessions?channel=abc")).status).to.equal(400);
      expect((await admin.agent.get("/livechat/reports/nothing")).status).to.equal(404);
      const ana = await t.login("ana");
      expect((await ana.agent.get(`/livechat/reports/sessions?${period}`)).status).to.equal(403);
    });

    // Last: it adds a conversation the tests above do not expect.
    it("charts each day's waiting percentiles over all its channels, the table per channel", async () => {
      await add(beta, "2026-03-01T14:00:00", ben, 5, 5, 60);
      const page = await admin.agent.get(`/livechat/reports/waiting?${period}`);
      expect(tableOf(page.text)).to.deep.equal([
        ["2026-03-01", "Alpha", "3", "20", "40", "3", "30", "60"],
        ["2026-03-01", "Beta", "1", "5", "5", "1", "5", "5"],
        ["2026-03-02", "Beta", "1", "5", "5", "1", "20", "20"],
      ]);
      const chart = JSON.parse(/data-chart="([^"]*)"/.exec(page.text)![1].replace(/&quot;/g, '"'));
      expect(chart.labels).to.deep.equal(["2026-03-01", "2026-03-02"]);
      // 1 March: waits 5, 10, 20, 40 and first replies 5, 10, 30, 60 (nearest rank).
      expect(chart.datasets.map((d: { data: number[] }) => d.data)).to.deep.equal([
        [10, 5],
        [40, 5],
        [10, 20],
        [60, 20],
      ]);
    });
  });
}

describe("First reply time", function () {
  this.timeout(60_000);
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("is when the operator first wrote, kept by the first message only", async () => {
    const { channel, operators } = await channelWithOperators(t, "Timed", ["tim"], null);
    await online(t, operators[0]);
    const visitor = await startVisitor(t, channel.id, { name: "Quinn" });
    const tim = await t.login("tim");
    const conversations = t.host.db.getRepository(Conversation);
    await asVisitor(t, visitor).post(`/livechat/conversations/${visitor.id}/messages`, { body: "Hello?", clientMessageId: "q1" });
    expect((await conversations.findOneByOrFail({ id: visitor.id })).firstReplyAt).to.equal(null);
    const first = await tim.postJson(`/livechat/api/conversations/${visitor.id}/messages`, { body: "Hi Quinn", clientMessageId: "r1" });
    t.clock.set(new Date(t.clock.now().getTime() + 60_000));
    await tim.postJson(`/livechat/api/conversations/${visitor.id}/messages`, { body: "Still there?", clientMessageId: "r2" });
    const stored = await conversations.findOneByOrFail({ id: visitor.id });
    expect(stored.firstReplyAt?.toISOString()).to.equal(first.body.message.createdAt);
  });
});

describe("Rating a conversation", function () {
  this.timeout(60_000);
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("takes one rating from the visitor once the conversation ended, shows it to the operator, and never changes it", async () => {
    const { channel, operators } = await channelWithOperators(t, "Rated", ["rita"], null);
    await online(t, operators[0]);
    const visitor = await startVisitor(t, channel.id, { name: "Val" });
    const as = asVisitor(t, visitor);
    expect((await as.post(`/livechat/conversations/${visitor.id}/rating`, { value: 5 })).status).to.equal(409);
    await as.post(`/livechat/conversations/${visitor.id}/end`);
    expect((await as.post(`/livechat/conversations/${visitor.id}/rating`, { value: 4 })).status).to.equal(400);
    expect((await as.post(`/livechat/conversations/${visitor.id}/rating`, { value: 5, comment: 42 })).status).to.equal(400);
    const rated = await as.post(`/livechat/conversations/${visitor.id}/rating`, { value: 3, comment: "  Quick, but a bit short  " });
    expect(rated.status).to.equal(201);
    const again = await as.post(`/livechat/conversations/${visitor.id}/rating`, { value: 5 });
    expect(again.status).to.equal(409);
    expect(again.body.error).to.equal("This conversation has already been rated.");
    expect((await request(t.url).post(`/livechat/conversations/${visitor.id}/rating`).send({ value: 5 })).status).to.equal(404);

    const rita = await t.login("rita");
    const detail = await rita.agent.get(`/livechat/api/conversations/${visitor.id}`);
    expect(detail.body.rating).to.include({ value: 3, comment: "Quick, but a bit short" });
    expect(await t.host.db.getRepository(ConversationRating).countBy({ conversationId: visitor.id })).to.equal(1);
  });
});

describe("Reports in a real browser", function () {
  this.timeout(90_000);
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
    await buildDataSet(t);
  });
  after(async () => {
    await t?.stop();
  });

  it("reaches each report from the menu, draws its chart above the table, and filters by channel", async () => {
    const { loggedInPage } = await import("../support/browser");
    const page = await loggedInPage(await t.browser(), t.url, "admin", { viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const menu = page.getByRole("navigation", { name: "Main menu" });
    await menu.getByRole("button", { name: "Live Chat" }).click();
    await menu.getByRole("link", { name: "Sessions" }).click();
    await page.getByLabel("From").fill("2026-03-01");
    await page.getByLabel("To").fill("2026-03-02");
    await page.getByRole("button", { name: "Apply" }).click();
    const table = page.getByRole("table", { name: "Sessions" });
    await table.getByRole("cell", { name: "Beta" }).waitFor();
    // Chart.js drew something: the canvas is not blank.
    const chart = page.getByRole("img", { name: "Chart of Sessions" });
    await chart.waitFor();
    const painted = await chart.evaluate((canvas) => {
      const c = canvas as HTMLCanvasElement;
      const pixels = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      return pixels.some((v, i) => i % 4 === 3 && v > 0);
    });
    expect(painted).to.equal(true);

    await page.getByLabel("Channel").selectOption({ label: "Alpha" });
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/channel=/);
    expect(await table.getByRole("cell", { name: "Beta" }).count()).to.equal(0);
    await table.getByRole("cell", { name: "Alpha" }).waitFor();

    await page.getByRole("navigation", { name: "Reports" }).getByRole("link", { name: "Ratings" }).click();
    await page.getByRole("table", { name: "Ratings" }).getByRole("cell", { name: "Great, thanks" }).waitFor();
    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export CSV" }).click();
    expect((await download).suggestedFilename()).to.match(/^livechat-ratings-.*\.csv$/);
    expect(errors).to.deep.equal([]);
  });
});
