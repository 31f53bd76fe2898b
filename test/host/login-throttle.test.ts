import { expect } from "chai";
import request from "supertest";
import { LOGIN_LIMITS, LoginThrottle } from "../../host/auth/LoginThrottle";
import { Setting } from "../../host/models/Setting";
import { HostDatabase } from "../support/hostDatabase";
import { skipUnlessPostgres } from "../support/postgres";
import { startTestHost, type Agent, type TestHost } from "../support/testHost";

/** Submits the login form from a client address (the host trusts one proxy here), as a browser would. */
async function tryLogin(url: string, login: string, password: string, address: string, agent: Agent = request.agent(url)) {
  const form = await agent.get("/web/login").set("X-Forwarded-For", address);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] as string;
  return agent.post("/web/login").set("X-Forwarded-For", address).type("form").send({ login, password, _csrf: csrf });
}

function withTrustedProxy(): void {
  let previous: string | undefined;
  before(() => {
    previous = process.env.TRUST_PROXY;
    process.env.TRUST_PROXY = "1";
  });
  after(() => {
    if (previous === undefined) delete process.env.TRUST_PROXY;
    else process.env.TRUST_PROXY = previous;
  });
}

describe("Host: login throttling", () => {
  withTrustedProxy();
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("refuses a login from an address after a few wrong passwords, with 429 and Retry-After, even with the right one", async () => {
    const { points } = LOGIN_LIMITS.loginAddress;
    for (let i = 1; i < points; i++) expect((await tryLogin(t.url, "mitchell", "wrong", "10.0.0.1")).status).to.equal(401);
    const last = await tryLogin(t.url, "mitchell", "wrong", "10.0.0.1");
    expect(last.status).to.equal(429);
    const right = await tryLogin(t.url, "Mitchell", "mitchell", "10.0.0.1");
    expect(right.status).to.equal(429);
    expect(Number(right.headers["retry-after"])).to.be.within(1, LOGIN_LIMITS.loginAddress.duration);
    expect(right.text).to.contain("Too many failed logins");
  });

  it("still lets the user in from another address", async () => {
    expect((await tryLogin(t.url, "mitchell", "mitchell", "10.0.0.2")).status).to.equal(302);
  });

  it("forgives the failures of a login at an address once the right password is given", async () => {
    const { points } = LOGIN_LIMITS.loginAddress;
    for (let round = 0; round < 2; round++) {
      for (let i = 1; i < points; i++) expect((await tryLogin(t.url, "sofia", "wrong", "10.0.0.3")).status).to.equal(401);
      expect((await tryLogin(t.url, "sofia", "sofia", "10.0.0.3")).status).to.equal(302);
    }
  });

  it("limits guesses at one login spread over many addresses, but not for a browser that logged in as it before", async () => {
    const owner = request.agent(t.url);
    expect((await tryLogin(t.url, "marc", "marc", "10.1.0.1", owner)).status).to.equal(302);
    const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec((await owner.get("/web")).text)?.[1] as string;
    expect((await owner.post("/web/logout").set("X-Forwarded-For", "10.1.0.1").set("x-csrf-token", csrf)).status).to.equal(302);
    const { points } = LOGIN_LIMITS.login;
    let refused = 0;
    for (let i = 0; i < points + 2; i++) {
      const res = await tryLogin(t.url, "marc", "guess", `10.2.${i}.1`);
      if (res.status === 429) refused++;
    }
    expect(refused).to.be.greaterThan(0);
    expect((await tryLogin(t.url, "marc", "marc", "10.3.0.1")).status).to.equal(429);
    const again = await tryLogin(t.url, "marc", "marc", "10.1.0.9", owner);
    expect(again.status).to.equal(302);
  });

  it("limits one address trying many logins", async () => {
    const { points } = LOGIN_LIMITS.address;
    const agent = request.agent(t.url);
    const form = await agent.get("/web/login").set("X-Forwarded-For", "10.4.0.1");
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] as string;
    let last = 0;
    for (let i = 0; i < points; i++) {
      last = (await agent.post("/web/login").set("X-Forwarded-For", "10.4.0.1").type("form").send({ login: `nobody${i}`, password: "guess", _csrf: csrf })).status;
    }
    expect(last).to.equal(429);
    expect((await tryLogin(t.url, "admin", "admin", "10.4.0.1")).status).to.equal(429);
    expect((await tryLogin(t.url, "admin", "admin", "10.4.0.2")).status).to.equal(302);
  });
});

describe("Host: login throttling shared by two instances on PostgreSQL", () => {
  withTrustedProxy();
  let a: TestHost;
  let b: TestHost;
  before(async function () {
    await skipUnlessPostgres(this);
    a = await startTestHost({ database: "postgres" });
    b = await startTestHost({ databaseUrl: a.databaseUrl, demo: false });
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
  });

  it("counts failures made on one instance when the next attempt reaches the other", async () => {
    const { points } = LOGIN_LIMITS.loginAddress;
    for (let i = 1; i < points; i++) {
      const host = i % 2 === 0 ? a : b;
      expect((await tryLogin(host.url, "mitchell", "wrong", "10.9.0.1")).status).to.equal(401);
    }
    expect((await tryLogin(a.url, "mitchell", "wrong", "10.9.0.1")).status).to.equal(429);
    expect((await tryLogin(b.url, "mitchell", "mitchell", "10.9.0.1")).status).to.equal(429);
    expect((await tryLogin(b.url, "mitchell", "mitchell", "10.9.0.2")).status).to.equal(302);
  });
});

describe("Host: login throttling on the host's SQLite connection", () => {
  let database: HostDatabase;
  before(async () => {
    database = await HostDatabase.create("sqlite");
  });
  after(async () => {
    await database?.close();
  });

  it("keeps counting failed logins made while another transaction is open there and then rolls back", async () => {
    const { db, target } = database;
    const throttle = new LoginThrottle(db, target, "secret");
    const attempt = { login: "mitchell", address: "10.7.0.1", knownDevice: false };
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    const { points } = LOGIN_LIMITS.loginAddress;
    for (let i = 1; i < points; i++) {
      const failing = db.transaction(async (m) => {
        await m.getRepository(Setting).save({ key: `doomed-${i}`, value: "1" });
        await tick();
        await tick();
        throw new Error("refused");
      }).catch(() => "rolled back");
      await tick();
      expect(await throttle.failed(attempt)).to.equal(0);
      expect(await failing).to.equal("rolled back");
    }
    expect(await throttle.waitSeconds(attempt), "nothing used up yet").to.equal(0);
    expect(await throttle.failed(attempt), "the last allowed failure").to.be.within(1, LOGIN_LIMITS.loginAddress.duration);
    expect(await throttle.waitSeconds(attempt)).to.be.within(1, LOGIN_LIMITS.loginAddress.duration);
  });
});
