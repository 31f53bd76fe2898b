import { expect } from "chai";
import request from "supertest";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Host: security headers, vendor files and anonymous API calls", () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost({ demo: false });
  });
  after(async () => {
    await t?.stop();
  });

  it("answers 401 to an anonymous post to the operator API, as documented", async () => {
    const res = await request(t.url).post("/livechat/api/conversations/1/messages").send({ body: "hi", clientMessageId: "a" });
    expect(res.status).to.equal(401);
    expect(res.body.error).to.match(/logged in/);
    const form = await request(t.url).post("/livechat/api/windows/1").type("form").send({ state: "open" });
    expect(form.status).to.equal(401);
  });

  it("still refuses an anonymous form post without a CSRF token with 403", async () => {
    const res = await request(t.url).post("/web/login").type("form").send({ login: "admin", password: "admin" });
    expect(res.status).to.equal(403);
  });

  it("serves only the Font Awesome files the pages use", async () => {
    const page = await request(t.url).get("/web/login");
    const links = [...page.text.matchAll(/href="(\/vendor\/fontawesome\/[^"]+)"/g)].map((m) => m[1]);
    expect(links).to.not.be.empty;
    for (const link of [...links, "/vendor/fontawesome/webfonts/fa-solid-900.woff2"]) {
      expect((await request(t.url).get(link)).status, link).to.equal(200);
    }
    for (const other of ["package.json", "LICENSE.txt", "css/all.css", "js/all.js", "svgs/solid/user.svg", "webfonts/fa-brands-400.woff2"]) {
      const res = await request(t.url).get(`/vendor/fontawesome/${other}`);
      expect(res.status, other).to.not.equal(200);
      expect(res.text, other).to.not.contain("fortawesome");
    }
  });

  it("limits WebSocket connections to the host's own origin and sends no HSTS over plain HTTP", async () => {
    const res = await request(t.url).get("/web/login");
    const csp = String(res.headers["content-security-policy"]);
    const connect = /connect-src ([^;]+)/.exec(csp)?.[1];
    expect(connect).to.equal("'self'");
    expect(res.headers["strict-transport-security"]).to.equal(undefined);
  });

  it("sends HSTS when the host is set up for HTTPS (COOKIE_SECURE=1)", async () => {
    const previous = process.env.COOKIE_SECURE;
    process.env.COOKIE_SECURE = "1";
    let secure: TestHost | null = null;
    try {
      secure = await startTestHost({ demo: false });
      const res = await request(secure.url).get("/web/login");
      expect(res.headers["strict-transport-security"]).to.match(/max-age=\d+/);
    } finally {
      if (previous === undefined) delete process.env.COOKIE_SECURE;
      else process.env.COOKIE_SECURE = previous;
      await secure?.stop();
    }
  });
});
