import { expect } from "chai";
import { Expertise } from "../../module/models/Expertise";
import { OperatorProfiles } from "../../module/services/OperatorProfiles";
import { startTestHost, type TestHost } from "../support/testHost";

describe("Live Chat → Configuration → Expertise", () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(async () => {
    await t?.stop();
  });

  const expertiseId = async (name: string): Promise<number | undefined> =>
    (await t.host.db.getRepository(Expertise).findOneBy({ name }))?.id;

  it("lists expertise with their operator counts, for managers only", async () => {
    const admin = await t.login("admin");
    const page = await admin.agent.get("/livechat/expertise");
    expect(page.status).to.equal(200);
    expect(page.text).to.match(/>Billing<\/a><\/td><td>1</).and.to.match(/>Technical<\/a><\/td><td>2</);
    const operator = await t.login("marc");
    expect((await operator.agent.get("/livechat/expertise")).status).to.equal(403);
  });

  it("creates, renames and deletes an expertise, and the operator's profile agrees at each step", async () => {
    const admin = await t.login("admin");
    const marc = (await t.host.users.findByLogin("marc"))!;
    const marcSession = await t.login("marc");
    const profile = () => marcSession.agent.get("/my/profile").then((r) => r.text);

    const created = await admin.postForm("/livechat/expertise/new", { name: "  Returns  ", operator_ids: [String(marc.id)] });
    expect(created.status).to.equal(302);
    const id = (await expertiseId("Returns")) as number;
    expect(id).to.be.a("number");
    expect(await profile()).to.contain(`<option value="${id}" selected>Returns</option>`);

    expect((await admin.postForm(`/livechat/expertise/${id}`, { name: "Refunds", operator_ids: [String(marc.id)] })).status).to.equal(302);
    expect(await profile()).to.contain(`<option value="${id}" selected>Refunds</option>`).and.not.to.contain(">Returns<");

    expect((await admin.postForm(`/livechat/expertise/${id}/delete`, {})).status).to.equal(302);
    expect(await profile()).not.to.contain("Refunds");
    expect((await new OperatorProfiles(t.host.contract).get(marc.id)).expertiseIds).not.to.include(id);
    expect((await admin.agent.get("/livechat/expertise")).text).not.to.contain("Refunds");
  });

  it("shows in the expertise form the operators who chose it in their profile", async () => {
    const sofia = await t.login("sofia");
    const sales = (await expertiseId("Sales")) as number;
    const technical = (await expertiseId("Technical")) as number;
    await sofia.postForm("/my/profile", {
      name: "Sofia Herrera",
      lang_code: "es_ES",
      livechat_profile: "1",
      livechat_expertise_ids: [String(sales)],
    });
    const admin = await t.login("admin");
    const sofiaId = (await t.host.users.findByLogin("sofia"))!.id;
    expect((await admin.agent.get(`/livechat/expertise/${sales}`)).text).to.contain(`<option value="${sofiaId}" selected>Sofia Herrera</option>`);
    expect((await admin.agent.get(`/livechat/expertise/${technical}`)).text).to.contain(`<option value="${sofiaId}" >Sofia Herrera</option>`);
  });

  it("refuses a duplicate name, whatever its case, and an empty name, changing nothing", async () => {
    const admin = await t.login("admin");
    const count = () => t.host.db.getRepository(Expertise).count();
    const before = await count();
    const dup = await admin.postForm("/livechat/expertise/new", { name: " billing " });
    expect(dup.status).to.equal(400);
    expect(dup.text).to.contain("An expertise named &quot;Billing&quot; already exists.");
    const empty = await admin.postForm("/livechat/expertise/new", { name: "   " });
    expect(empty.status).to.equal(400);
    expect(empty.text).to.contain("Name is required.");
    const technical = (await expertiseId("Technical")) as number;
    const renameClash = await admin.postForm(`/livechat/expertise/${technical}`, { name: "SALES" });
    expect(renameClash.status).to.equal(400);
    expect(await count()).to.equal(before);
    expect(await expertiseId("Technical")).to.equal(technical);
  });

  it("answers 404 for an expertise that does not exist", async () => {
    const admin = await t.login("admin");
    expect((await admin.agent.get("/livechat/expertise/424242")).status).to.equal(404);
    expect((await admin.postForm("/livechat/expertise/424242/delete", {})).status).to.equal(404);
  });
});
