import { BusNotificationRecord } from "./BusNotificationRecord";
import { Group } from "./Group";
import { GroupImplication } from "./GroupImplication";
import { InstalledModule } from "./InstalledModule";
import { Language } from "./Language";
import { PresenceRecord } from "./PresenceRecord";
import { ScheduledJob } from "./ScheduledJob";
import { Session } from "./Session";
import { Setting } from "./Setting";
import { User } from "./User";
import { UserGroup } from "./UserGroup";

export const hostEntities = [
  User,
  UserGroup,
  Group,
  GroupImplication,
  Language,
  Session,
  BusNotificationRecord,
  PresenceRecord,
  ScheduledJob,
  InstalledModule,
  Setting,
];
