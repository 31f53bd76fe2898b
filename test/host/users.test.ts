import { expect } from "chai";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Host: Settings → Users", () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("lets the host admin create an operator who can then log in", async () => {
    const admin = await t.login("admin");
    const res = await admin.postForm("/settings/users/new", {
      name: "Nora Operator",
      login: "nora",
      password: "correct horse",
      lang_code: "de_DE",
      groups: ["base.user", "livechat.user"],
    });
    expect(res.status).to.equal(302);
    const nora = await t.host.users.findByLogin("nora");
    expect(nora?.groups).to.include.members(["base.user", "livechat.user"]);
    expect(nora?.langCode).to.equal("de_DE");
    const session = await t.login("nora", "correct horse");
    expect((await session.agent.get("/web")).text).to.contain("Nora Operator");
    const list = await admin.agent.get("/settings/users");
    expect(list.text).to.contain("Nora Operator").and.to.contain("Live Chat / Operator");
  });

  it("refuses a login already in use, an unknown group and a short password, saving nothing", async () => {
    const admin = await t.login("admin");
    const before = (await t.host.users.list()).length;
    const taken = await admin.postForm("/settings/users/new", { name: "X", login: "marc", password: "long enough", lang_code: "en_US" });
    expect(taken.status).to.equal(400);
    expect(taken.text).to.contain("The login &quot;marc&quot; is already used.");
    const badGroup = await admin.postForm("/settings/users/new", {
      name: "X",
      login: "x1",
      password: "long enough",
      lang_code: "en_US",
      groups: ["base.root"],
    });
    expect(badGroup.status).to.equal(400);
    expect(badGroup.text).to.contain("Unknown group: base.root.");
    const shortPassword = await admin.postForm("/settings/users/new", { name: "X", login: "x2", password: "short", lang_code: "en_US" });
    expect(shortPassword.status).to.equal(400);
    expect((await t.host.users.list()).length).to.equal(before);
  });

  it("changes access rights, and keeps the admin from locking themselves out", async () => {
    const admin = await t.login("admin");
    const sofia = (await t.host.users.findByLogin("sofia"))!;
    const res = await admin.postForm(`/settings/users/${sofia.id}`, {
      name: sofia.name,
      login: "sofia",
      lang_code: "es_ES",
      active: "on",
      groups: ["base.user", "livechat.manager"],
    });
    expect(res.status).to.equal(302);
    expect((await t.host.users.get(sofia.id))?.groups).to.include("livechat.manager");
    const self = (await t.host.users.findByLogin("admin"))!;
    const lockout = await admin.postForm(`/settings/users/${self.id}`, {
      name: self.name,
      login: "admin",
      lang_code: "en_US",
      active: "on",
      groups: ["base.user"],
    });
    expect(lockout.status).to.equal(400);
    expect((await t.host.users.get(self.id))?.groups).to.include("base.admin");
  });

  it("is closed to operators", async () => {
    const operator = await t.login("mitchell");
    expect((await operator.agent.get("/settings/users")).status).to.equal(403);
    const res = await operator.postForm("/settings/users/new", { name: "X", login: "x3", password: "long enough", lang_code: "en_US" });
    expect(res.status).to.equal(403);
    expect(await t.host.users.findByLogin("x3")).to.equal(null);
  });
});
