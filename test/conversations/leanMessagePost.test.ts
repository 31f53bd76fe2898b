import net from "node:net";
import { expect } from "chai";
import request from "supertest";
import { Message } from "../../module/models/Message";
import { startTestHost, type TestHost } from "../support/testHost";
import { asVisitor, visitorOfMitchell, type Visitor } from "./helpers";

/** Headers that differ from one answer to the next whatever serves them. */
const VARYING = new Set(["date", "etag", "content-length", "ratelimit", "connection", "keep-alive", "content-type"]);

function lasting(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !VARYING.has(name)));
}

describe("A visitor's message, answered before the middleware stack", () => {
  let t: TestHost;
  let visitor: Visitor;
  const messages = () => t.host.db.getRepository(Message);
  const path = () => `/livechat/conversations/${visitor.id}/messages`;

  before(async () => {
    t = await startTestHost();
    visitor = await visitorOfMitchell(t);
  });
  after(async () => {
    await t?.stop();
  });

  it("carries the same CORS and security headers as the visitor's other writes, preflight included", async () => {
    const posted = await asVisitor(t, visitor).post(path(), { body: "Headers", clientMessageId: "h-1" });
    // Another write on the ordinary routes: a second visitor ending theirs.
    const other = await visitorOfMitchell(t);
    const ended = await asVisitor(t, other).post(`/livechat/conversations/${other.id}/end`);
    expect([posted.status, ended.status]).to.deep.equal([201, 200]);
    expect(lasting(posted.headers)).to.deep.equal(lasting(ended.headers));
    expect(posted.headers).to.include({ "access-control-allow-origin": "*", "access-control-expose-headers": "Retry-After", "x-content-type-options": "nosniff" });
    expect(posted.headers["content-type"]).to.equal("application/json; charset=utf-8");

    const preflight = (url: string) =>
      request(t.url).options(url).set("Origin", "https://shop.example").set("Access-Control-Request-Method", "POST").set("Access-Control-Request-Headers", "authorization,content-type");
    const lean = await preflight(path());
    const ordinary = await preflight(`/livechat/conversations/${visitor.id}/end`);
    expect(lean.status).to.equal(204);
    expect(lasting(lean.headers)).to.deep.equal(lasting(ordinary.headers));
    expect(lean.headers).to.include({ "access-control-allow-methods": "GET,POST", "access-control-allow-headers": "Authorization,Content-Type", "access-control-max-age": "600" });
  });

  it("refuses oversized, malformed and non-JSON bodies as the ordinary routes do, and still takes a form", async () => {
    const post = () => request(t.url).post(path()).set("Authorization", `Bearer ${visitor.token}`).set("Content-Type", "application/json");
    const large = await post().send(JSON.stringify({ body: "x".repeat(70_000) }));
    expect([large.status, large.body.error]).to.deep.equal([413, "The request body is too large."]);
    const broken = await post().send('{"body": "half');
    expect([broken.status, broken.body.error]).to.deep.equal([400, "The request body is not valid JSON."]);
    const bare = await post().send('"just text"');
    expect([bare.status, bare.body.error]).to.deep.equal([400, "The request body is not valid JSON."]);
    const nul = await post().send(JSON.stringify({ body: "a\u0000b" }));
    expect(nul.status).to.equal(400);
    expect(nul.body.error).to.contain("NUL");
    const wrongToken = await request(t.url).post(path()).set("Authorization", "Bearer not-the-token-of-it").send({ body: "Hello" });
    expect([wrongToken.status, wrongToken.body.error]).to.deep.equal([404, "No such conversation for this visitor."]);
    const form = await request(t.url).post(path()).set("Authorization", `Bearer ${visitor.token}`).type("form").send({ body: "By form", clientMessageId: "form-1" });
    expect(form.status).to.equal(201);
    expect(await messages().countBy({ conversationId: visitor.id, body: "By form" })).to.equal(1);
  });

  it("lets a visitor who leaves while sending go quietly: nothing logged, nothing stored, the budget given back", async () => {
    const logged: string[] = [];
    const original = t.host.logger.error;
    t.host.logger.error = (message) => void logged.push(message);
    try {
      const { hostname, port } = new URL(t.url);
      const socket = net.connect(Number(port), hostname);
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.write(
        `POST ${path()} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${visitor.token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"body": "Half a`,
      );
      while (t.host.load.current < 1) await new Promise((resolve) => setImmediate(resolve));
      socket.destroy();
      while (t.host.load.current > 0) await new Promise((resolve) => setImmediate(resolve));
    } finally {
      t.host.logger.error = original;
    }
    expect(logged).to.deep.equal([]);
    expect(await messages().countBy({ conversationId: visitor.id, body: "Half a" })).to.equal(0);
  });

  it("refuses at once past the in-flight budget, readable by the widget on another website, in the reader's language", async () => {
    t.host.load.limit = 0;
    try {
      const refused = await asVisitor(t, visitor).post(path(), { body: "Busy", clientMessageId: "busy-1" }).set("Origin", "https://shop.example");
      expect(refused.status).to.equal(503);
      expect(refused.headers).to.include({ "retry-after": "1", "access-control-allow-origin": "*", "access-control-expose-headers": "Retry-After" });
      expect(refused.body.error).to.equal("The server is busy: please try again in a moment.");
      const french = await asVisitor(t, visitor).post(path(), { body: "Busy", clientMessageId: "busy-1" }).set("Accept-Language", "fr-FR,fr;q=0.9");
      expect(french.body.error).to.equal("Le serveur est très occupé : réessayez dans un instant.");
    } finally {
      t.host.load.limit = 256;
    }
    expect(await messages().countBy({ conversationId: visitor.id, clientMessageId: "busy-1" })).to.equal(0);
    expect((await asVisitor(t, visitor).post(path(), { body: "Busy", clientMessageId: "busy-1" })).status).to.equal(201);
    expect(t.host.load.current).to.equal(0);
  });
});

describe("A visitor's message on the lean route, against the per-minute limit", () => {
  it("counts with the visitor's other writes, and is refused with 429 and Retry-After past the limit", async () => {
    const t = await startTestHost();
    try {
      await t.host.settings.set("livechat.visitor_writes_per_minute", "4");
      const visitor = await visitorOfMitchell(t);
      const as = asVisitor(t, visitor);
      const path = `/livechat/conversations/${visitor.id}/messages`;
      const statuses = [
        (await as.post(path, { body: "One", clientMessageId: "l-1" })).status,
        (await as.post(`/livechat/conversations/${visitor.id}/typing`, { typing: true })).status,
        (await as.post(path, { body: "Two", clientMessageId: "l-2" })).status,
      ];
      const limited = await as.post(path, { body: "Three", clientMessageId: "l-3" });
      expect([...statuses, limited.status]).to.deep.equal([201, 200, 201, 429]);
      expect(limited.body.error).to.contain("Too many requests");
      expect(Number(limited.headers["retry-after"])).to.be.greaterThan(0);
      expect(limited.headers["ratelimit-policy"]).to.match(/^"4-in-1min"; q=4; w=60; pk=:.+:$/);
      expect(await t.host.db.getRepository(Message).countBy({ conversationId: visitor.id, clientMessageId: "l-3" })).to.equal(0);
    } finally {
      await t.stop();
    }
  });
});
