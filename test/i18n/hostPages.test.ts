import { expect } from "chai";
import { ForbiddenError, lt } from "../../host/contract";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Host pages in the reader's language", () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("shows a French user's pages in French, with <html lang=\"fr\"> and translated menus", async () => {
    const s = await t.login("marc");
    const page = await s.agent.get("/my/profile");
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('<html lang="fr">');
    expect(page.text).to.contain("<title>Mon profil · Assistance</title>");
    expect(page.text).to.contain(">Préférences</button>");
    expect(page.text).to.contain("Identifiant : marc");
    expect(page.text).to.contain(">Se déconnecter</button>");
    expect(page.text).to.contain("Chat en direct");
    expect(page.text).not.to.contain(">Preferences</button>");
  });

  it("follows the user's main language as soon as it is changed", async () => {
    const s = await t.login("sofia");
    expect((await s.agent.get("/web")).text).to.contain('<html lang="es">');
    await s.postForm("/my/profile", { name: "Sofia Herrera", lang_code: "de_DE" });
    const page = await s.agent.get("/my/profile?saved=1");
    expect(page.text).to.contain('<html lang="de">');
    expect(page.text).to.contain("Ihr Profil wurde gespeichert.");
    await s.postForm("/my/profile", { name: "Sofia Herrera", lang_code: "es_ES" });
  });

  it("answers a form error in the user's language, with the values filled in", async () => {
    const s = await t.login("marc");
    const res = await s.postForm("/my/profile", { name: "Marc Demo", lang_code: "it_IT" });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain("La langue « it_IT » n&#x27;est pas activée.");
  });

  it("shows anonymous pages in the best enabled language of Accept-Language, else English", async () => {
    const german = await t.anonymous().agent.get("/web/login").set("Accept-Language", "de-CH, de;q=0.9, en;q=0.5");
    expect(german.text).to.contain('<html lang="de">');
    expect(german.text).to.contain(">Anmelden</button>");
    const italian = await t.anonymous().agent.get("/web/login").set("Accept-Language", "it-IT");
    expect(italian.text).to.contain('<html lang="en">');
    expect(italian.text).to.contain(">Log in</button>");
  });

  it("translates errors, pages and JSON alike, filling placeholders after translating", async () => {
    const s = await t.login("marc");
    const page = await s.agent.get("/settings/users");
    expect(page.status).to.equal(403);
    expect(page.text).to.contain("Vous ne pouvez pas ouvrir cette page").and.to.contain("demandez l&#x27;accès à un administrateur");
    expect(page.text).not.to.contain("base.admin");
    const json = await t.anonymous().agent.get("/livechat/channels").set("Accept", "application/json").set("Accept-Language", "es");
    expect(json.status).to.equal(401);
    expect(json.body).to.deep.equal({ error: "Debe iniciar sesión." });
    const missing = await s.agent.get("/nothing/here");
    expect(missing.status).to.equal(404);
    expect(missing.text).to.contain("Page introuvable").and.to.contain("Cette page n&#x27;existe pas.").and.to.contain("Retour à l&#x27;accueil");
    const err = new ForbiddenError(lt('Reserved to "{group}".'), { group: "x" });
    expect(err.message).to.equal('Reserved to "x".');
  });

  it("writes dates the reader's way (Intl)", async () => {
    const admin = await t.login("admin");
    await admin.postForm("/settings/users/" + (await t.host.users.findByLogin("admin"))?.id, {
      name: "Mitchell Admin",
      login: "admin",
      lang_code: "de_DE",
      groups: ["base.admin", "livechat.manager"],
      active: "on",
    });
    const page = await admin.agent.get("/settings/apps");
    expect(page.text).to.match(/<td>\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}<\/td>/);
  });

  it("serves a namespace's catalog as JSON for browser code", async () => {
    const fr = await t.anonymous().agent.get("/web/i18n/livechat/fr-FR.json");
    expect(fr.status).to.equal(200);
    expect(fr.body["Channels"]).to.equal("Canaux");
    const unknown = await t.anonymous().agent.get("/web/i18n/livechat/it.json");
    expect(unknown.body).to.deep.equal({});
    expect(t.host.contract.i18n.catalogUrl("fr_FR")).to.equal("/web/i18n/host/fr-FR.json");
  });
});
