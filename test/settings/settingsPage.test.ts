import { expect } from "chai";
import request from "supertest";
import { PRESENCE_SETTINGS } from "../../host/contract";
import { VISITOR_TIMEOUT_SETTING } from "../../module/conversations";
import { READS_SETTING, WRITES_SETTING } from "../../module/routes/visitorApi";
import { INACTIVITY_JOB, INACTIVITY_SETTING } from "../../module/services/InactivityRule";
import { LIVECHAT_SETTINGS } from "../../module/services/settings/livechatSettings";
import { RETENTION_SETTING } from "../../module/services/conversations/ConversationRetention";
import { ChannelMember } from "../../module/models/ChannelMember";
import { Conversation } from "../../module/models/Conversation";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { loggedInPage } from "../support/browser";
import { startTestHost, type TestHost } from "../support/testHost";

const FORM = {
  "livechat.inactivity_minutes": "30",
  "livechat.visitor_timeout_minutes": "15",
  "host.presence_away_minutes": "10",
  "host.presence_offline_minutes": "2",
  "host.presence_reload_grace_seconds": "20",
  "livechat.visitor_reads_per_minute": "600",
  "livechat.visitor_writes_per_minute": "300",
  "livechat.retention_days": "180",
};

describe("Live Chat → Configuration → Settings", function () {
  this.timeout(90_000);
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  it("lists the settings the services read", () => {
    expect(LIVECHAT_SETTINGS.map((s) => s.key)).to.have.members([
      INACTIVITY_SETTING,
      VISITOR_TIMEOUT_SETTING,
      PRESENCE_SETTINGS.awayMinutes.key,
      PRESENCE_SETTINGS.offlineMinutes.key,
      PRESENCE_SETTINGS.reloadGraceSeconds.key,
      READS_SETTING,
      WRITES_SETTING,
      RETENTION_SETTING,
    ]);
  });

  it("shows every setting with its value, unit and default, to managers only", async () => {
    const admin = await t.login("admin");
    const page = await admin.agent.get("/livechat/settings");
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('name="livechat.inactivity_minutes" type="number" min="1" max="1440" step="1" value="30"');
    expect(page.text).to.contain("Default: 30 minutes.");
    expect(page.text).to.contain(">requests per minute</span>");
    expect(page.text).to.contain('name="livechat.retention_days" type="number" min="7" max="3650" step="1" value="180"');
    expect(page.text).to.contain("Default: 180 days.");
    expect((await (await t.login("mitchell")).agent.get("/livechat/settings")).status).to.equal(403);
  });

  it("saves without a restart: the 30-minute rule uses the new number at once", async () => {
    const admin = await t.login("admin");
    const saved = await admin.postForm("/livechat/settings", { ...FORM, "livechat.inactivity_minutes": "5" });
    expect(saved.status).to.equal(302);
    expect((await admin.agent.get(saved.headers.location)).text).to.contain("Settings saved.");
    const marc = (await t.host.users.findByLogin("marc"))!;
    const members = t.host.db.getRepository(ChannelMember);
    const before = await members.countBy({ userId: marc.id });
    expect(before).to.be.greaterThan(0);
    t.clock.advance(6 * 60_000);
    for (const login of ["mitchell", "sofia", "admin"]) await t.host.presence.recordActivity((await t.host.users.findByLogin(login))!.id);
    expect(await t.host.scheduler.runNow(INACTIVITY_JOB)).to.equal(true);
    expect(await members.countBy({ userId: marc.id })).to.equal(0);
  });

  it("applies new presence thresholds without a restart", async () => {
    const admin = await t.login("admin");
    const mitchell = (await t.host.users.findByLogin("mitchell"))!;
    await t.host.presence.recordActivity(mitchell.id);
    t.clock.advance(15_000);
    expect((await t.host.presence.get(mitchell.id)).status).to.equal("online");
    t.clock.advance(3 * 60_000);
    // Three minutes without a sign of an open tab: offline after the default two minutes.
    expect((await t.host.presence.get(mitchell.id)).status).to.equal("offline");
    expect((await admin.postForm("/livechat/settings", { ...FORM, "livechat.inactivity_minutes": "5", "host.presence_offline_minutes": "5", "host.presence_away_minutes": "20" })).status).to.equal(302);
    // The host reads the thresholds again at most every 10 seconds.
    t.clock.advance(11_000);
    expect((await t.host.presence.get(mitchell.id)).status).to.equal("online");
  });

  it("gives a closed tab the reload grace of the settings, within its bounds", async () => {
    const admin = await t.login("admin");
    const sofia = (await t.host.users.findByLogin("sofia"))!;
    expect((await admin.postForm("/livechat/settings", { ...FORM, "host.presence_reload_grace_seconds": "4" })).status).to.equal(400);
    expect((await admin.postForm("/livechat/settings", { ...FORM, "host.presence_reload_grace_seconds": "121" })).status).to.equal(400);
    expect((await admin.postForm("/livechat/settings", { ...FORM, "livechat.inactivity_minutes": "5", "host.presence_reload_grace_seconds": "60" })).status).to.equal(302);
    t.clock.advance(11_000);
    await t.host.presence.recordActivity(sofia.id);
    await t.host.presence.tabOpened(sofia.id);
    await t.host.presence.tabClosed(sofia.id);
    // Past the default 20 seconds, within the 60 set: a reload may still come.
    t.clock.advance(30_000);
    expect((await t.host.presence.get(sofia.id)).status).to.equal("online");
    t.clock.advance(31_000);
    expect((await t.host.presence.get(sofia.id)).status).to.equal("offline");
  });

  it("refuses a bad value with a clear message and saves none of the form", async () => {
    const admin = await t.login("admin");
    const current = await t.host.settings.get("livechat.visitor_timeout_minutes", "");
    const res = await admin.postForm("/livechat/settings", { ...FORM, "livechat.visitor_timeout_minutes": "20", "livechat.visitor_writes_per_minute": "2.5" });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain("Visitor writes: a whole number from 10 to 100000. Nothing was saved.");
    expect(res.text).to.contain('value="2.5" required aria-describedby="livechat-visitor_writes_per_minute-help" aria-invalid="true"');
    expect(await t.host.settings.get("livechat.visitor_timeout_minutes", "")).to.equal(current);
    const tooShort = await admin.postForm("/livechat/settings", { ...FORM, "livechat.retention_days": "6" });
    expect(tooShort.status).to.equal(400);
    expect(tooShort.text).to.contain("Keep ended conversations: a whole number from 7 to 3650. Nothing was saved.");
    expect(await t.host.settings.getNumber(RETENTION_SETTING, 180)).to.equal(180);
    const missing = await admin.postForm("/livechat/settings", { "livechat.inactivity_minutes": "10" });
    expect(missing.status).to.equal(400);
    expect(await t.host.settings.getNumber("livechat.inactivity_minutes", 0)).to.equal(5);
  });

  it("sets the visitors' default language among the enabled ones: a browser asking for none gets it", async () => {
    const admin = await t.login("admin");
    const page = await admin.agent.get("/livechat/settings");
    expect(page.text).to.match(/<option value="en_US" selected>/);
    const channel = (await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Website Support" })).id;
    const info = () => request(t.url).get(`/livechat/channels/${channel}/info`).set("Accept-Language", "ja-JP");
    expect((await info()).body.lang).to.equal("en-US");

    const refused = await admin.postForm("/livechat/settings", { ...FORM, "livechat.default_lang": "ja_JP" });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.contain("Default language: choose one of the enabled languages. Nothing was saved.");
    expect((await admin.postForm("/livechat/settings", { ...FORM, "livechat.default_lang": "de_DE" })).status).to.equal(302);
    expect((await admin.agent.get("/livechat/settings")).text).to.match(/<option value="de_DE" selected>/);
    expect((await info()).body.lang).to.equal("de-DE");
    // A browser that asks for an enabled language still gets it.
    expect((await request(t.url).get(`/livechat/channels/${channel}/info`).set("Accept-Language", "fr")).body.lang).to.equal("fr-FR");
    // The conversation speaks it too: its system lines and errors.
    const started = await request(t.url).post(`/livechat/channels/${channel}/conversations`).set("Accept-Language", "ja-JP").send({});
    const stored = await t.host.db.getRepository(Conversation).findOneByOrFail({ id: started.body.conversation.id });
    expect(stored.visitorLang).to.equal("de_DE");
    expect((await admin.postForm("/livechat/settings", { ...FORM, "livechat.default_lang": "en_US" })).status).to.equal(302);
  });

  it("is reached from the menu and saves in a real browser, in the manager's language", async () => {
    const adminUser = (await t.host.users.findByLogin("admin"))!;
    await t.host.db.transaction((m) => t.host.users.update(adminUser.id, { name: adminUser.name, langCode: "fr_FR" }, m));
    try {
      const page = await loggedInPage(await t.browser(), t.url, "admin");
      const nav = page.getByRole("navigation", { name: "Menu principal" });
      await nav.getByRole("button", { name: "Chat en direct" }).click();
      await nav.getByRole("link", { name: "Paramètres", exact: true }).click();
      await page.waitForURL(`${t.url}/livechat/settings`);
      await page.getByLabel("Délai d'absence du visiteur").fill("45");
      await page.getByRole("button", { name: "Enregistrer" }).click();
      await page.getByRole("status").filter({ hasText: "Paramètres enregistrés." }).waitFor();
      expect(await page.getByLabel("Délai d'absence du visiteur").inputValue()).to.equal("45");
      expect(await t.host.settings.getNumber(VISITOR_TIMEOUT_SETTING, 0)).to.equal(45);
    } finally {
      await t.host.db.transaction((m) => t.host.users.update(adminUser.id, { name: adminUser.name, langCode: "en_US" }, m));
    }
  });
});
