import { expect } from "chai";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Host: My Profile and languages", () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("shows My Profile with a Preferences tab listing only enabled languages", async () => {
    const s = await t.login("sofia");
    const page = await s.agent.get("/my/profile");
    expect(page.status).to.equal(200);
    // Sofia's main language is Spanish.
    expect(page.text).to.contain(">Preferencias</button>");
    expect(page.text).to.contain('value="es_ES" selected');
    expect(page.text).to.contain('value="de_DE"');
    expect(page.text).not.to.contain('value="it_IT"');
  });

  it("saves the user's own name and main language", async () => {
    const s = await t.login("sofia");
    const res = await s.postForm("/my/profile", { name: "  Sofía Herrera  ", lang_code: "de_DE" });
    expect(res.status).to.equal(302);
    const page = await s.agent.get(res.headers.location);
    // The page already speaks the newly chosen language.
    expect(page.text).to.contain("Ihr Profil wurde gespeichert.");
    expect(page.text).to.contain('value="Sofía Herrera"');
    expect(page.text).to.contain('value="de_DE" selected');
  });

  it("refuses a disabled language with 400 and a message, and keeps the name unchanged", async () => {
    const s = await t.login("marc");
    const res = await s.postForm("/my/profile", { name: "Marc Changed", lang_code: "it_IT" });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain("La langue « it_IT » n&#x27;est pas activée.");
    const user = await t.host.users.findByLogin("marc");
    expect(user?.name).to.equal("Marc Demo");
  });

  it("refuses an empty name", async () => {
    const s = await t.login("marc");
    const res = await s.postForm("/my/profile", { name: "   ", lang_code: "fr_FR" });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain("Le nom est obligatoire.");
  });

  it("lets the host admin enable and disable languages, and nobody else", async () => {
    const admin = await t.login("admin");
    expect((await admin.postForm("/settings/languages/it_IT", { action: "enable" })).status).to.equal(302);
    expect((await t.host.langs.list({ enabledOnly: true })).map((l) => l.code)).to.include("it_IT");
    const operator = await t.login("mitchell");
    expect((await operator.postForm("/settings/languages/it_IT", { action: "disable" })).status).to.equal(403);
    expect((await admin.postForm("/settings/languages/it_IT", { action: "disable" })).status).to.equal(302);
    expect((await t.host.langs.list({ enabledOnly: true })).map((l) => l.code)).not.to.include("it_IT");
    expect((await admin.postForm("/settings/languages/xx_XX", { action: "enable" })).status).to.equal(404);
    expect((await admin.postForm("/settings/languages/it_IT", { action: "explode" })).status).to.equal(400);
  });

  it("matches a browser's Accept-Language to the best enabled language", async () => {
    const langs = t.host.langs;
    expect((await langs.bestMatch("fr-CA,fr;q=0.9,en;q=0.5"))?.code).to.equal("fr_FR");
    expect((await langs.bestMatch("it-IT,es;q=0.8"))?.code).to.equal("es_ES");
    expect((await langs.bestMatch("en"))?.code).to.equal("en_US");
    expect(await langs.bestMatch("ja-JP")).to.equal(null);
    expect(await langs.bestMatch(undefined)).to.equal(null);
  });

  it("records a page request as real activity for presence", async () => {
    const s = await t.login("mitchell");
    const user = await t.host.users.findByLogin("mitchell");
    t.clock.advance(60_000);
    await s.agent.get("/my/profile");
    const info = await t.host.presence.get(user!.id);
    expect(info.lastActivityAt?.getTime()).to.equal(t.clock.now().getTime());
    expect(info.status).to.equal("online");
  });
});
