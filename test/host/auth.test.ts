import { expect } from "chai";
import request from "supertest";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Host: login, sessions and CSRF", () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("logs in with the right password and lands on the home screen", async () => {
    const s = await t.login("mitchell", "mitchell");
    const home = await s.agent.get("/web");
    expect(home.status).to.equal(200);
    expect(home.text).to.contain("Mitchell Stephens");
  });

  /** Submits the login form as a browser would, CSRF field included. */
  async function submitLogin(login: string, password: string) {
    const agent = request.agent(t.url);
    const form = await agent.get("/web/login");
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] as string;
    return { agent, res: await agent.post("/web/login").type("form").send({ login, password, _csrf: csrf }) };
  }

  it("refuses a wrong password with a message and no session", async () => {
    const { agent, res } = await submitLogin("mitchell", "nope");
    expect(res.status).to.equal(401);
    expect(res.text).to.contain("Wrong login/password");
    const home = await agent.get("/web");
    expect(home.status).to.equal(302);
  });

  it("refuses an unknown login the same way", async () => {
    const { res } = await submitLogin("nobody", "nobody");
    expect(res.status).to.equal(401);
    expect(res.text).to.contain("Wrong login/password");
  });

  it("redirects a logged-out visitor of a backend page to the login page, and back after login", async () => {
    const res = await request(t.url).get("/my/profile");
    expect(res.status).to.equal(302);
    expect(res.headers.location).to.equal("/web/login?redirect=%2Fmy%2Fprofile");
  });

  it("answers 401 JSON for a logged-out JSON request", async () => {
    const res = await request(t.url).get("/my/profile").set("Accept", "application/json");
    expect(res.status).to.equal(401);
    expect(res.body.error).to.match(/logged in/);
  });

  it("refuses a state-changing POST without a CSRF token with 403, and changes nothing", async () => {
    const s = await t.login("marc");
    const res = await s.agent.post("/my/profile").type("form").send({ name: "Hacked", lang_code: "en_US" });
    expect(res.status).to.equal(403);
    expect(res.text).to.match(/CSRF/);
    const user = await t.host.users.findByLogin("marc");
    expect(user?.name).to.equal("Marc Demo");
    expect(user?.langCode).to.equal("fr_FR");
  });

  it("refuses a POST with another session's CSRF token", async () => {
    const marc = await t.login("marc");
    const sofia = await t.login("sofia");
    const res = await marc.agent.post("/my/profile").type("form").send({ name: "Hacked", lang_code: "en_US", _csrf: sofia.csrf });
    expect(res.status).to.equal(403);
    expect((await t.host.users.findByLogin("marc"))?.name).to.equal("Marc Demo");
  });

  it("logs out: the session no longer opens backend pages", async () => {
    const s = await t.login("sofia");
    const out = await s.postForm("/web/logout", {});
    expect(out.status).to.equal(302);
    expect((await s.agent.get("/web")).status).to.equal(302);
  });

  it("sends security headers", async () => {
    const res = await request(t.url).get("/web/login");
    expect(res.headers["content-security-policy"]).to.contain("default-src 'self'");
    expect(res.headers["x-content-type-options"]).to.equal("nosniff");
    expect(res.headers["x-powered-by"]).to.equal(undefined);
  });
});

describe("Host: sessions survive a restart", () => {
  it("keeps a logged-in session across a host restart on the same database file", async () => {
    const first = await startTestHost();
    const s = await first.login("mitchell");
    const cookie = s.cookie;
    expect(cookie).to.match(/^host_sid=/);
    const databaseUrl = first.databaseUrl;
    await first.stop();

    const second = await startTestHost({ databaseUrl });
    try {
      const res = await request(second.url).get("/my/profile").set("Cookie", cookie);
      expect(res.status).to.equal(200);
      expect(res.text).to.contain("Mitchell Stephens");
    } finally {
      await second.stop();
    }
  });
});
