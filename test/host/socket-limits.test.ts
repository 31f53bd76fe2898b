import { expect } from "chai";
import WebSocket from "ws";
import { SOCKET_LIMIT_SETTINGS, TOO_MANY_SOCKETS } from "../../host/bus/SocketLimits";
import { channelWithOperators, online, startVisitor } from "../conversations/helpers";
import { startTestHost, type TestHost } from "../support/testHost";

/** Opens a raw bus socket; resolves with how it ended up: open, or closed with a code and reason. */
function openSocket(url: string, auth: { token?: string; cookie?: string }, headers: Record<string, string> = {}) {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/websocket${auth.token ? `?token=${encodeURIComponent(auth.token)}` : ""}`, {
    headers: { ...headers, ...(auth.cookie ? { Cookie: auth.cookie } : {}) },
  });
  const outcome = new Promise<{ open: true } | { open: false; code: number; reason: string }>((resolve, reject) => {
    ws.once("error", reject);
    ws.once("close", (code, reason) => resolve({ open: false, code, reason: String(reason) }));
    ws.once("open", () => {
      ws.send(JSON.stringify({ op: "hello", last: null }));
      ws.on("message", (data) => {
        if ((JSON.parse(String(data)) as { op: string }).op === "ready") resolve({ open: true });
      });
    });
  });
  return { ws, outcome };
}

describe("Host: WebSocket limits per visitor token, user and client address", () => {
  let t: TestHost;
  let channelId: number;
  const sockets: WebSocket[] = [];
  before(async () => {
    t = await startTestHost();
    await t.host.settings.set(SOCKET_LIMIT_SETTINGS.user.key, "3");
    await t.host.settings.set(SOCKET_LIMIT_SETTINGS.address.key, "12");
    const { channel, operators } = await channelWithOperators(t, "Sockets", ["mitchell"], null);
    await online(t, ...operators);
    channelId = channel.id;
  });
  afterEach(() => {
    for (const ws of sockets.splice(0)) ws.terminate();
  });
  after(async () => {
    await t?.stop();
  });

  async function openMany(count: number, auth: { token?: string; cookie?: string }) {
    const results = [];
    for (let i = 0; i < count; i++) {
      const { ws, outcome } = openSocket(t.url, auth);
      sockets.push(ws);
      results.push(await outcome);
    }
    return results;
  }

  it("accepts a visitor's sockets up to the default limit and closes the extra ones with a clear code", async () => {
    const visitor = await startVisitor(t, channelId);
    const limit = SOCKET_LIMIT_SETTINGS.visitorToken.fallback;
    const results = await openMany(limit + 3, { token: visitor.token });
    expect(results.filter((r) => r.open)).to.have.length(limit);
    const refused = results.slice(limit);
    for (const r of refused) expect(r).to.deep.equal({ open: false, code: TOO_MANY_SOCKETS, reason: "too many sockets for this visitor" });
  });

  it("lets a visitor in again once one of its sockets closed", async () => {
    const visitor = await startVisitor(t, channelId);
    const limit = SOCKET_LIMIT_SETTINGS.visitorToken.fallback;
    await openMany(limit, { token: visitor.token });
    expect((await openMany(1, { token: visitor.token }))[0].open).to.equal(false);
    const first = sockets[0];
    await new Promise<void>((resolve) => {
      first.once("close", () => resolve());
      first.close();
    });
    // The server counts the socket out when its close reaches it; a fresh socket then fits.
    let reopened = false;
    for (let i = 0; i < 20 && !reopened; i++) reopened = (await openMany(1, { token: visitor.token }))[0].open;
    expect(reopened).to.equal(true);
  });

  it("caps a user's sockets at the configured limit", async () => {
    const s = await t.login("mitchell");
    const results = await openMany(5, { cookie: s.cookie });
    expect(results.map((r) => r.open)).to.deep.equal([true, true, true, false, false]);
    expect(results[3]).to.deep.include({ code: TOO_MANY_SOCKETS, reason: "too many sockets for this user" });
  });

  it("caps the sockets of one client address across visitors", async () => {
    const results = [];
    for (let i = 0; i < 4; i++) {
      const visitor = await startVisitor(t, channelId);
      results.push(...(await openMany(4, { token: visitor.token })));
    }
    expect(results.filter((r) => r.open)).to.have.length(12);
    expect(results.filter((r) => !r.open && r.reason === "too many sockets from this address")).to.have.length(4);
  });
});
