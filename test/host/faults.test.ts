import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { Client } from "pg";
import { channelWithOperators } from "../conversations/helpers";
import { Balancer, InstanceProcess, ResilientSocket } from "../support/deployment";
import { freshPostgresUrl, skipUnlessPostgres } from "../support/postgres";
import { startTestHost, type TestHost, type TestSession } from "../support/testHost";

const PROBE_MS = 2000;
const OPERATORS = ["fault1", "fault2", "fault3", "fault4"];
const LIMIT = 3;
const VISITOR_MESSAGES = 30;
const OPERATOR_MESSAGES = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Conversation {
  id: number;
  state: string;
  token: string;
  socket: ResilientSocket;
}

/**
 * Two instances (child processes) on one PostgreSQL database, with visitors and operators spread
 * over them through a round-robin balancer, while one instance is killed and restarted, every
 * database connection of both is terminated twice, and client sockets drop at random.
 */
describe("Two instances surviving the loss of an instance, of the database connections and of client sockets (postgres)", function () {
  this.timeout(240_000);
  const tag = `flt${randomBytes(4).toString("hex")}`;
  let dropSchema: (() => Promise<void>) | null = null;
  let a: InstanceProcess;
  let b: InstanceProcess;
  let observer: TestHost | null = null;
  let balancer: Balancer;
  const sockets: ResilientSocket[] = [];

  before(async function () {
    await skipUnlessPostgres(this);
    const pg = await freshPostgresUrl("t_fault");
    dropSchema = pg.drop;
    a = new InstanceProcess("A", `${pg.url}&application_name=${tag}_a`, PROBE_MS);
    b = new InstanceProcess("B", `${pg.url}&application_name=${tag}_b`, PROBE_MS);
    await a.start(); // installs the module and the demo data
    // In this process, for setup and for reading the outcome; never faulted, never runs jobs.
    observer = await startTestHost({ databaseUrl: pg.url, demo: false });
    await observer.host.settings.set("livechat.visitor_writes_per_minute", "100000");
    await observer.host.settings.set("livechat.visitor_reads_per_minute", "100000");
    await b.start();
    balancer = new Balancer([a, b]);
  });

  after(async () => {
    for (const s of sockets) s.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await observer?.stop();
    await dropSchema?.();
  });

  /** Terminates every database connection of both instances (pool and bus listener); returns how many. */
  async function terminateBackends(): Promise<number> {
    const client = new Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test" });
    await client.connect();
    try {
      const rows = await client.query("SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name LIKE $1", [`${tag}_%`]);
      return rows.rows.filter((r: { done: boolean }) => r.done).length;
    } finally {
      await client.end();
    }
  }

  it("loses no message, duplicates none, catches every client up, keeps operators within their limit and runs each job once per period", async () => {
    const t = observer!;
    const { channel } = await channelWithOperators(t, "Faults", OPERATORS, LIMIT);
    const sessions = new Map<string, TestSession>();
    for (const login of OPERATORS) {
      const session = await t.login(login);
      sessions.set(login, session);
      const socket = new ResilientSocket(balancer, { cookie: session.cookie });
      sockets.push(socket);
      await socket.open();
    }
    const operatorSockets = new Map(OPERATORS.map((login, i) => [login, sockets[i]]));
    const operatorIds = new Map<number, string>();
    for (const login of OPERATORS) operatorIds.set((await t.host.users.findByLogin(login))!.id, login);

    // Every seat taken, and two visitors waiting.
    const conversations: Conversation[] = [];
    const startVisitor = async () => {
      const res = await balancer.request("POST", `/livechat/channels/${channel.id}/conversations`, {});
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      const body = res.body as { token: string; conversation: { id: number; state: string } };
      const socket = new ResilientSocket(balancer, { token: body.token });
      sockets.push(socket);
      await socket.open();
      return { id: body.conversation.id, state: body.conversation.state, token: body.token, socket };
    };
    for (let i = 0; i < OPERATORS.length * LIMIT + 2; i++) conversations.push(await startVisitor());
    const open = conversations.filter((c) => c.state === "open");
    expect(open, "conversations assigned at once").to.have.length(OPERATORS.length * LIMIT);

    const stored = await t.host.db.query(`SELECT id, operator_id FROM livechat_conversation WHERE id IN (${open.map((c) => c.id).join(",")})`);
    const operatorOf = new Map<number, string>((stored as { id: number; operator_id: number }[]).map((r) => [Number(r.id), operatorIds.get(Number(r.operator_id))!]));

    const planned = open.length * (VISITOR_MESSAGES + OPERATOR_MESSAGES);
    const acked = new Map<string, number>();
    const post = async (path: string, clientMessageId: string, headers: Record<string, string>) => {
      const res = await balancer.request("POST", path, { body: `message ${clientMessageId}`, clientMessageId }, headers);
      expect([200, 201], `${path} ${clientMessageId}: ${res.status} ${JSON.stringify(res.body)}`).to.include(res.status);
      acked.set(clientMessageId, (res.body as { message: { id: number } }).message.id);
    };
    const visitorLoad = async (c: Conversation) => {
      for (let i = 0; i < VISITOR_MESSAGES; i++) {
        await post(`/livechat/conversations/${c.id}/messages`, `v${c.id}-${i}`, { authorization: `Bearer ${c.token}` });
        await sleep(40 + Math.random() * 60);
      }
    };
    const operatorLoad = async (c: Conversation) => {
      const session = sessions.get(operatorOf.get(c.id)!)!;
      for (let i = 0; i < OPERATOR_MESSAGES; i++) {
        await sleep(150 + Math.random() * 250);
        await post(`/livechat/api/conversations/${c.id}/messages`, `o${c.id}-${i}`, { cookie: session.cookie, "x-csrf-token": session.csrf });
      }
    };

    const faults = { killed: 0, terminated: [] as number[], socketDrops: 0, latecomers: 0 };
    let loadDone = false;
    const waitForShare = async (share: number) => {
      while (!loadDone && acked.size < planned * share) await sleep(20);
    };
    const faultPlan = (async () => {
      await waitForShare(0.15);
      b.kill();
      faults.killed += 1;
      await sleep(300);
      const restarted = b.start();
      await waitForShare(0.45);
      faults.terminated.push(await terminateBackends());
      // A visitor arriving mid-fault must wait: every operator is at the limit.
      conversations.push(await startVisitor());
      faults.latecomers += 1;
      await restarted;
      await waitForShare(0.75);
      faults.terminated.push(await terminateBackends());
    })();
    const drops = (async () => {
      while (!loadDone) {
        await sleep(100 + Math.random() * 150);
        const socket = sockets[Math.floor(Math.random() * sockets.length)];
        socket.drop();
        faults.socketDrops += 1;
      }
    })();
    // Operator limits, watched while the faults happen.
    let worstLoad = 0;
    const watch = (async () => {
      while (!loadDone) {
        const rows = (await t.host.db.query("SELECT operator_id, COUNT(*) AS n FROM livechat_conversation WHERE state = 'open' AND operator_id IS NOT NULL GROUP BY operator_id")) as { n: string | number }[];
        for (const r of rows) worstLoad = Math.max(worstLoad, Number(r.n));
        await sleep(100);
      }
    })();

    await Promise.all(open.flatMap((c) => [visitorLoad(c), operatorLoad(c)]));
    loadDone = true;
    await Promise.all([faultPlan, drops, watch]);

    // Nothing lost, nothing twice: every message acknowledged is stored once, and nothing else is.
    expect(acked.size).to.equal(planned);
    const rows = (await t.host.db.query(
      `SELECT id, client_message_id FROM livechat_message WHERE client_message_id IS NOT NULL AND conversation_id IN (${open.map((c) => c.id).join(",")})`,
    )) as { id: number | string; client_message_id: string }[];
    const storedIds = new Map<string, number[]>();
    for (const r of rows) storedIds.set(r.client_message_id, [...(storedIds.get(r.client_message_id) ?? []), Number(r.id)]);
    const duplicated = [...storedIds.values()].filter((ids) => ids.length > 1);
    const lost = [...acked].filter(([clientId, id]) => storedIds.get(clientId)?.[0] !== id);
    expect(duplicated, "stored twice").to.deep.equal([]);
    expect(lost, "acknowledged but not stored as acknowledged").to.deep.equal([]);
    expect(rows).to.have.length(planned);

    // Every client caught up: each visitor has every message of its conversation, each operator every message of theirs.
    const messagesOf = new Map<number, number[]>();
    for (const [clientId, id] of acked) {
      const conversationId = Number(/^[vo](\d+)-/.exec(clientId)![1]);
      messagesOf.set(conversationId, [...(messagesOf.get(conversationId) ?? []), id]);
    }
    const missing = () => {
      const gaps: string[] = [];
      for (const c of open) {
        const expected = messagesOf.get(c.id)!;
        const visitorMissing = expected.filter((id) => !c.socket.messageIds.has(id));
        const operatorMissing = expected.filter((id) => !operatorSockets.get(operatorOf.get(c.id)!)!.messageIds.has(id));
        if (visitorMissing.length) gaps.push(`visitor of ${c.id} misses messages ${visitorMissing.join(", ")}`);
        if (operatorMissing.length) gaps.push(`operator of ${c.id} misses messages ${operatorMissing.join(", ")}`);
      }
      return gaps;
    };
    for (let i = 0; i < 100 && missing().length > 0; i++) await sleep(100);
    expect(missing(), "clients not caught up").to.deep.equal([]);

    // Nobody over the limit, during the faults or after; the latecomer waits.
    expect(worstLoad, "most open conversations of one operator at any time").to.be.at.most(LIMIT);
    const latecomer = await t.host.db.query(`SELECT state FROM livechat_conversation WHERE id = ${conversations[conversations.length - 1].id}`);
    expect((latecomer as { state: string }[])[0].state).to.equal("waiting");

    // The probe job ran once per period across both instances, however they failed.
    const runs = [...a.probes, ...b.probes].sort((x, y) => x.lastRunAt - y.lastRunAt);
    expect(runs.length, "probe runs").to.be.at.least(2);
    expect(new Set(runs.map((r) => r.runCount)).size, "distinct claims").to.equal(runs.length);
    for (let i = 1; i < runs.length; i++) expect(runs[i].lastRunAt - runs[i - 1].lastRunAt, "time between two runs").to.be.at.least(PROBE_MS);

    expect(faults.terminated.every((n) => n > 0), "connections terminated each time").to.equal(true);
    console.log(
      `      faults: ${faults.killed} SIGKILL + restart, ${faults.terminated.join(" + ")} database connections terminated, ` +
        `${faults.socketDrops} socket drops; ${planned} messages, ${balancer.retries} requests retried, ` +
        `${sockets.reduce((n, s) => n + s.connects, 0)} socket connects, ${runs.length} probe runs`,
    );
  });
});
