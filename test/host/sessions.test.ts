import { createHash } from "node:crypto";
import { expect } from "chai";
import request from "supertest";
import { Session } from "../../host/models/Session";
import { connectBus } from "../support/busClient";
import { startTestHost, type TestHost, type TestSession } from "../support/testHost";

const DAY = 24 * 3600_000;

describe("Host: sessions", () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  const sessionRows = () => t.host.db.getRepository(Session).count();
  const loggedIn = async (s: TestSession) => (await s.agent.get("/web")).status === 200;

  it("stores no session for anonymous page views, and the login form still works", async () => {
    const before = await sessionRows();
    for (let i = 0; i < 30; i++) expect((await request(t.url).get("/web/login")).status).to.equal(200);
    expect((await request(t.url).get("/my/profile")).status).to.equal(302);
    expect(await sessionRows()).to.equal(before);
    const s = await t.login("mitchell");
    expect(await loggedIn(s)).to.equal(true);
    expect(await sessionRows()).to.equal(before + 1);
  });

  it("stores session ids hashed, never as the cookie carries them", async () => {
    const s = await t.login("sofia");
    const sidCookie = s.cookie.split("; ").find((c) => c.startsWith("host_sid=")) as string;
    const sid = decodeURIComponent(sidCookie.slice("host_sid=".length)).replace(/^s:/, "").split(".")[0];
    const repo = t.host.db.getRepository(Session);
    expect(await repo.findOneBy({ sid })).to.equal(null);
    expect(await repo.findOneBy({ sid: createHash("sha256").update(sid).digest("hex") })).to.not.equal(null);
  });

  it("ends a session 30 days after login however active, besides the two idle weeks", async () => {
    const s = await t.login("marc");
    for (let day = 0; day < 28; day += 7) {
      t.clock.advance(7 * DAY);
      expect(await loggedIn(s), `day ${day + 7}`).to.equal(true);
    }
    t.clock.advance(3 * DAY);
    expect(await loggedIn(s)).to.equal(false);
    const again = await t.login("marc");
    expect(await loggedIn(again)).to.equal(true);
  });

  it("moves a session's idle expiry on at a request once it would move by a minute, not at every request", async () => {
    const s = await t.login("mitchell");
    const sidCookie = s.cookie.split("; ").find((c) => c.startsWith("host_sid=")) as string;
    const sid = decodeURIComponent(sidCookie.slice("host_sid=".length)).replace(/^s:/, "").split(".")[0];
    const expiry = async () => (await t.host.db.getRepository(Session).findOneByOrFail({ sid: createHash("sha256").update(sid).digest("hex") })).expiresAt.getTime();
    const atLogin = await expiry();
    t.clock.advance(30_000);
    expect(await loggedIn(s)).to.equal(true);
    expect(await expiry()).to.equal(atLogin);
    t.clock.advance(31_000);
    expect(await loggedIn(s)).to.equal(true);
    expect(await expiry()).to.equal(atLogin + 61_000);
  });

  it("ends a user's other sessions when an admin resets the password, and keeps the admin's own", async () => {
    const user = await t.host.users.create({ login: "reset_me", name: "Reset Me", password: "first-password", langCode: "en_US", groups: ["base.user"] });
    const a = await t.login("reset_me", "first-password");
    const b = await t.login("reset_me", "first-password");
    const admin = await t.login("admin");
    const res = await admin.postForm(`/settings/users/${user.id}`, {
      name: "Reset Me",
      login: "reset_me",
      lang_code: "en_US",
      groups: ["base.user"],
      active: "on",
      password: "second-password",
    });
    expect(res.status).to.equal(302);
    expect(await loggedIn(a)).to.equal(false);
    expect(await loggedIn(b)).to.equal(false);
    expect(await loggedIn(admin)).to.equal(true);
    expect(await loggedIn(await t.login("reset_me", "second-password"))).to.equal(true);
  });

  it("lets a user change the password in My Profile → Account Security with the current one, ending other sessions", async () => {
    await t.host.users.create({ login: "changer", name: "Changer", password: "old-password", langCode: "en_US", groups: ["base.user"] });
    const here = await t.login("changer", "old-password");
    const elsewhere = await t.login("changer", "old-password");
    const page = await here.agent.get("/my/profile");
    expect(page.text).to.contain("Account Security");
    expect(page.text).to.contain('action="/my/password"');

    const wrong = await here.postForm("/my/password", { current_password: "not-it", new_password: "new-password", confirm_password: "new-password" });
    expect(wrong.status).to.equal(400);
    expect(wrong.text).to.contain("The current password is wrong");
    const mismatch = await here.postForm("/my/password", { current_password: "old-password", new_password: "new-password", confirm_password: "other-password" });
    expect(mismatch.status).to.equal(400);
    expect(await loggedIn(elsewhere)).to.equal(true);

    const ok = await here.postForm("/my/password", { current_password: "old-password", new_password: "new-password", confirm_password: "new-password" });
    expect(ok.status).to.equal(302);
    expect(await loggedIn(here)).to.equal(true);
    expect(await loggedIn(elsewhere)).to.equal(false);
    expect(await loggedIn(await t.login("changer", "new-password"))).to.equal(true);
    let oldRefused = false;
    try {
      await t.login("changer", "old-password");
    } catch {
      oldRefused = true;
    }
    expect(oldRefused).to.equal(true);
  });

  it("closes the live sockets of a session that ended, by logout or a password change elsewhere, and keeps the others", async () => {
    await t.host.users.create({ login: "sockets", name: "Sockets", password: "old-password", langCode: "en_US", groups: ["base.user"] });
    const leaving = await t.login("sockets", "old-password");
    const here = await t.login("sockets", "old-password");
    const elsewhere = await t.login("sockets", "old-password");
    const [leavingTab, hereTab, elsewhereTab] = await Promise.all([leaving, here, elsewhere].map((s) => connectBus(t.url, { cookie: s.cookie })));
    try {
      expect((await leaving.postForm("/web/logout", {})).status).to.equal(302);
      const leftClosed = leavingTab.closed();
      // A refresh (or the next ping) asks whether the session still stands.
      leavingTab.send({ op: "refresh" });
      expect(await leftClosed).to.equal(4401);

      expect((await here.postForm("/my/password", { current_password: "old-password", new_password: "new-password", confirm_password: "new-password" })).status).to.equal(302);
      const elsewhereClosed = elsewhereTab.closed();
      elsewhereTab.send({ op: "refresh" });
      expect(await elsewhereClosed).to.equal(4401);

      const from = hereTab.frames.length;
      hereTab.send({ op: "refresh" });
      expect((await hereTab.frame((f) => f.op === "refreshed", "refreshed", from)).op).to.equal("refreshed");
    } finally {
      await Promise.all([leavingTab, hereTab, elsewhereTab].map((tab) => tab.close()));
    }
  });
});
