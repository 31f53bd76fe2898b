import { expect } from "chai";
import { Expertise } from "../../module/models/Expertise";
import { operatorDisplayName } from "../../module/services/displayName";
import { OperatorProfiles } from "../../module/services/OperatorProfiles";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Operator profile: Online Chat Name, Languages, Expertise", () => {
  let t: TestHost;
  let profiles: OperatorProfiles;
  before(async () => {
    t = await startTestHost();
    profiles = new OperatorProfiles(t.host.contract);
  });
  after(async () => {
    await t?.stop();
  });

  const idOf = async (login: string) => (await t.host.users.findByLogin(login))!.id;

  it("shows visitors the Online Chat Name, or the user's name when it is empty", async () => {
    expect(operatorDisplayName("Mitchell Stephens", "Mitchell")).to.equal("Mitchell");
    expect(operatorDisplayName("Sofia Herrera", "")).to.equal("Sofia Herrera");
    expect(operatorDisplayName("Sofia Herrera", "   ")).to.equal("Sofia Herrera");
    expect(operatorDisplayName("Sofia Herrera", null)).to.equal("Sofia Herrera");
    const names = await profiles.displayNames([await idOf("mitchell"), await idOf("sofia")]);
    expect([...names.values()]).to.deep.equal(["Mitchell", "Sofia Herrera"]);
  });

  it("shows the three fields in My Profile → Preferences for operators, listing only enabled languages", async () => {
    const s = await t.login("marc");
    const page = await s.agent.get("/my/profile");
    // Marc reads French.
    expect(page.text).to.contain("Nom de chat en ligne").and.to.contain("Langues du chat en ligne").and.to.contain("Expertise du chat en direct");
    expect(page.text).to.contain('value="Marc"');
    expect(page.text).to.match(/<option value="en_US" selected>/);
    expect(page.text).to.contain('value="de_DE"').and.not.to.contain('value="it_IT"');
  });

  it("does not show them to a plain internal user", async () => {
    await t.host.users.create({ login: "ines", name: "Ines Internal", password: "ines-password", langCode: "en_US", groups: ["base.user"] });
    const s = await t.login("ines", "ines-password");
    const page = await s.agent.get("/my/profile");
    expect(page.status).to.equal(200);
    expect(page.text).not.to.contain("Online Chat Name");
  });

  it("saves the three fields with the rest of the form, trimming the chat name", async () => {
    const s = await t.login("sofia");
    const technical = (await t.host.db.getRepository(Expertise).findOneByOrFail({ name: "Technical" })).id;
    const res = await s.postForm("/my/profile", {
      name: "Sofia Herrera",
      lang_code: "es_ES",
      livechat_profile: "1",
      livechat_chat_name: "  Sofi  ",
      livechat_lang_codes: ["de_DE", "fr_FR"],
      livechat_expertise_ids: [String(technical)],
    });
    expect(res.status).to.equal(302);
    const saved = await profiles.get(await idOf("sofia"));
    expect(saved).to.deep.equal({ chatName: "Sofi", langCodes: ["de_DE", "fr_FR"], expertiseIds: [technical] });
  });

  it("refuses a disabled language with 400 naming it, and saves nothing else from the form", async () => {
    const s = await t.login("mitchell");
    const id = await idOf("mitchell");
    const before = await profiles.get(id);
    const res = await s.postForm("/my/profile", {
      name: "Mitchell Renamed",
      lang_code: "en_US",
      livechat_profile: "1",
      livechat_chat_name: "Mitch",
      livechat_lang_codes: ["fr_FR", "it_IT"],
    });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain("Italian / Italiano (it_IT) is not enabled");
    expect(await profiles.get(id)).to.deep.equal(before);
    expect((await t.host.users.get(id))?.name).to.equal("Mitchell Stephens");
  });

  it("refuses an unknown language and an unknown expertise the same way", async () => {
    const s = await t.login("mitchell");
    const id = await idOf("mitchell");
    const before = await profiles.get(id);
    const unknownLang = await s.postForm("/my/profile", {
      name: "Mitchell Stephens",
      lang_code: "en_US",
      livechat_profile: "1",
      livechat_chat_name: "Changed",
      livechat_lang_codes: "xx_XX",
    });
    expect(unknownLang.status).to.equal(400);
    expect(unknownLang.text).to.contain("&quot;xx_XX&quot; is not a known language");
    const unknownExpertise = await s.postForm("/my/profile", {
      name: "Mitchell Stephens",
      lang_code: "en_US",
      livechat_profile: "1",
      livechat_chat_name: "Changed",
      livechat_expertise_ids: "99999",
    });
    expect(unknownExpertise.status).to.equal(400);
    expect(await profiles.get(id)).to.deep.equal(before);
  });

  it("refuses an Online Chat Name over 64 characters", async () => {
    const s = await t.login("marc");
    const res = await s.postForm("/my/profile", { name: "Marc Demo", lang_code: "fr_FR", livechat_profile: "1", livechat_chat_name: "x".repeat(65) });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain("Le nom de chat en ligne comporte au plus 64 caractères.");
  });

  it("keeps a language the admin disables on the profile, but stops listing and counting it", async () => {
    const marcId = await idOf("marc");
    await t.host.db.transaction((m) => profiles.save(marcId, { chatName: "Marc", langCodes: ["de_DE", "en_US"], expertiseIds: [] }, m));
    expect((await profiles.spokenLanguages([marcId])).get(marcId)).to.include("de_DE");
    await t.host.langs.setEnabled("de_DE", false);
    try {
      expect((await profiles.spokenLanguages([marcId])).get(marcId)).to.deep.equal(["fr_FR", "en_US"]);
      const s = await t.login("marc");
      const page = await s.agent.get("/my/profile");
      expect(page.status).to.equal(200);
      expect(page.text).not.to.contain('value="de_DE"');
      expect((await profiles.get(marcId)).langCodes).to.include("de_DE");
      // Saving the profile meanwhile keeps German: the form did not offer it, so Marc did not remove it.
      const saved = await s.postForm("/my/profile", {
        name: "Marc Demo",
        lang_code: "fr_FR",
        livechat_profile: "1",
        livechat_chat_name: "Marc",
        livechat_lang_codes: ["es_ES"],
      });
      expect(saved.status).to.equal(302);
      expect((await profiles.get(marcId)).langCodes).to.have.members(["es_ES", "de_DE"]);
      const list = await (await t.login("admin")).agent.get("/livechat/operators");
      expect(list.text).to.contain("Spanish").and.not.to.contain("German");
    } finally {
      await t.host.langs.setEnabled("de_DE", true);
    }
    expect((await profiles.spokenLanguages([marcId])).get(marcId)).to.include("de_DE");
  });

  it("lets a manager edit another operator's fields under Configuration → Operators", async () => {
    const admin = await t.login("admin");
    const marcId = await idOf("marc");
    const list = await admin.agent.get("/livechat/operators");
    expect(list.status).to.equal(200);
    expect(list.text).to.contain("Marc Demo");
    const res = await admin.postForm(`/livechat/operators/${marcId}`, { livechat_profile: "1", livechat_chat_name: "Marco", livechat_lang_codes: ["es_ES"] });
    expect(res.status).to.equal(302);
    expect(await profiles.get(marcId)).to.deep.equal({ chatName: "Marco", langCodes: ["es_ES"], expertiseIds: [] });
    const operator = await t.login("mitchell");
    expect((await operator.agent.get("/livechat/operators")).status).to.equal(403);
    expect((await operator.postForm(`/livechat/operators/${marcId}`, { livechat_chat_name: "Hacked" })).status).to.equal(403);
    expect((await profiles.get(marcId)).chatName).to.equal("Marco");
  });

  it("refuses an operator form posted without its fields, and keeps the operator's settings", async () => {
    const admin = await t.login("admin");
    const marcId = await idOf("marc");
    const before = await profiles.get(marcId);
    expect(before.langCodes).to.not.be.empty;
    const res = await admin.postForm(`/livechat/operators/${marcId}`, {});
    expect(res.status).to.equal(400);
    expect(res.text).to.contain("nothing was saved");
    expect(await profiles.get(marcId)).to.deep.equal(before);
  });
});
