import { expect } from "chai";
import type { DataSource } from "typeorm";
import { createDataSource, parseDatabaseUrl } from "../../host/database";
import { hostMigrations } from "../../host/migrations";
import { hostEntities } from "../../host/models";
import { Group } from "../../host/models/Group";
import { GroupImplication } from "../../host/models/GroupImplication";
import { GroupRegistry, HOST_GROUPS } from "../../host/users/GroupRegistry";

describe("Groups and what they imply", () => {
  let db: DataSource;
  beforeEach(async () => {
    db = createDataSource(parseDatabaseUrl("sqlite::memory:"), hostEntities, hostMigrations);
    await db.initialize();
    await db.runMigrations();
  });
  afterEach(async () => {
    await db.destroy();
  });

  it("stores implications as rows, whatever the order of the list, and a restart reads the same", async () => {
    const groups = new GroupRegistry();
    await groups.declare(db, "base", HOST_GROUPS);
    await groups.declare(db, "shop", [
      { id: "shop.manager", name: "Shop Manager", implies: ["shop.user", "base.admin"] },
      { id: "shop.user", name: "Shop User", implies: ["base.user"] },
    ]);
    expect(groups.expand(["shop.manager"])).to.deep.equal(["base.admin", "base.user", "shop.manager", "shop.user"]);
    const restarted = new GroupRegistry();
    await restarted.load(db);
    expect(restarted.expand(["shop.manager"])).to.deep.equal(groups.expand(["shop.manager"]));

    // A new version of the manifest that implies less is stored as such.
    await groups.declare(db, "shop", [{ id: "shop.manager", name: "Shop Manager", implies: ["shop.user"] }]);
    expect(await db.getRepository(GroupImplication).findBy({ groupId: "shop.manager" })).to.deep.equal([
      { groupId: "shop.manager", impliedGroupId: "shop.user" },
    ]);
  });

  it("refuses a group that implies an unknown one, storing nothing of the list", async () => {
    const groups = new GroupRegistry();
    await groups.declare(db, "base", HOST_GROUPS);
    const refused = await groups
      .declare(db, "shop", [
        { id: "shop.user", name: "Shop User", implies: ["base.user"] },
        { id: "shop.manager", name: "Shop Manager", implies: ["shop.usr"] },
      ])
      .then(() => null, (e: Error) => e.message);
    expect(refused).to.equal('Group "shop.manager" of module "shop" implies unknown group "shop.usr"');
    expect(await db.getRepository(Group).countBy({ module: "shop" })).to.equal(0);
    expect(groups.has("shop.user")).to.equal(false);
  });
});
