import type { Host } from "./app";
import type { HashedNewUser } from "./users/HostUsers";

/** Demo logins, printed at start-up. Each password equals its login. */
export const DEMO_LOGINS = [
  { login: "admin", name: "Mitchell Admin", lang: "en_US", role: "host admin, Live Chat manager" },
  { login: "mitchell", name: "Mitchell Stephens", lang: "en_US", role: "Live Chat operator (English)" },
  { login: "marc", name: "Marc Demo", lang: "fr_FR", role: "Live Chat operator (French)" },
  { login: "sofia", name: "Sofia Herrera", lang: "es_ES", role: "Live Chat operator (Spanish)" },
];

/**
 * The host's demo data: four languages enabled and the demo users. Module groups are given when the
 * module that declares them is installed.
 */
export async function loadDemoData(host: Host): Promise<void> {
  for (const code of ["en_US", "fr_FR", "es_ES", "de_DE"]) await host.langs.setEnabled(code, true);
  const groupsFor = (login: string): string[] => {
    const wanted = login === "admin" ? ["base.admin", "livechat.manager"] : ["base.user", "livechat.user"];
    return wanted.filter((g) => host.groups.has(g));
  };
  // Passwords hashed before the transaction, which holds the SQLite connection while it runs.
  const missing: HashedNewUser[] = [];
  for (const demo of DEMO_LOGINS) {
    if (await host.users.findByLogin(demo.login)) continue;
    missing.push(await host.users.hashed({ login: demo.login, name: demo.name, password: demo.login, langCode: demo.lang, groups: groupsFor(demo.login) }));
  }
  await host.db.transaction(async (manager) => {
    for (const user of missing) if (!(await host.users.findByLogin(user.login))) await host.users.insert(user, manager);
  });
}
