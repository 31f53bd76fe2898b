import type { ModuleMigration } from "../contract";
import { HostInit1732000000000 } from "./1732000000000-HostInit";
import { HostGroupImplications1732410000000 } from "./1732410000000-HostGroupImplications";
import { HostLoginThrottle1764100000000 } from "./1764100000000-HostLoginThrottle";
import { HostSessionSecurity1764100000001 } from "./1764100000001-HostSessionSecurity";
import { HostLoginsLowerCase1764100000002 } from "./1764100000002-HostLoginsLowerCase";
import { HostPresenceTabs1764200000000 } from "./1764200000000-HostPresenceTabs";

/** The host's migrations. With the modules' ones, they run in timestamp order. */
export const hostMigrations: ModuleMigration[] = [
  HostInit1732000000000,
  HostGroupImplications1732410000000,
  HostLoginThrottle1764100000000,
  HostSessionSecurity1764100000001,
  HostLoginsLowerCase1764100000002,
  HostPresenceTabs1764200000000,
];
