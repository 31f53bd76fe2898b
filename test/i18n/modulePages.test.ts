import { expect } from "chai";
import { startTestHost, type TestHost } from "../support/testHost";

describe("The module's pages in the reader's language", () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("shows the Channels kanban in French for Marc, with the plural forms of French", async () => {
    const s = await t.login("marc");
    const page = await s.agent.get("/livechat/channels");
    expect(page.text).to.contain('<html lang="fr">');
    expect(page.text).to.contain("<title>Canaux · Assistance</title>");
    expect(page.text).to.contain(">3 opérateurs</span>");
    expect(page.text).to.contain(">Quitter</button>");
    expect(page.text).to.contain('aria-label="Messages"');
    expect(page.text).to.contain('href="/livechat/channels">Canaux</a>');
  });

  it("shows managers' forms and their errors in the manager's language, group names too", async () => {
    const admin = await t.login("admin");
    const adminUser = (await t.host.users.findByLogin("admin"))!;
    await t.host.db.transaction((m) => t.host.users.update(adminUser.id, { name: adminUser.name, langCode: "es_ES" }, m));
    const form = await admin.agent.get("/livechat/channels/new");
    expect(form.text).to.contain(">Nombre del canal</label>");
    expect(form.text).to.contain('value="¿Tiene alguna pregunta? Chatee con nosotros."');
    const refused = await admin.postForm("/livechat/channels/new", { name: "", button_text: "x" });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.contain("El nombre del canal es obligatorio.");
    const expertise = await admin.postForm("/livechat/expertise/new", { name: "x".repeat(65) });
    expect(expertise.status).to.equal(400);
    expect(expertise.text).to.contain("El nombre tiene como máximo 64 caracteres.");
    const users = await admin.agent.get("/settings/users");
    expect(users.text).to.contain("Chat en vivo / Operador");
    await t.host.db.transaction((m) => t.host.users.update(adminUser.id, { name: adminUser.name, langCode: "en_US" }, m));
  });

  it("translates a module's error in My Profile with the module's catalog", async () => {
    const s = await t.login("marc");
    const res = await s.postForm("/my/profile", {
      name: "Marc Demo",
      lang_code: "fr_FR",
      livechat_profile: "1",
      livechat_lang_codes: "xx_XX",
    });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain("Langues du chat en ligne : « xx_XX » n&#x27;est pas une langue connue.");
  });

  it("shows the visitor demo page in the browser's language", async () => {
    const res = await t.anonymous().agent.get("/livechat/demo").set("Accept-Language", "de");
    expect(res.text).to.contain('<html lang="de">');
    expect(res.text).to.contain("Fügen Sie ihn Ihrer eigenen Website hinzu");
  });
});
