import type { HostContract, HostUser, ProfileExtension } from "../host/contract";
import { OPERATOR_GROUP } from "./api";
import type { ExpertiseService } from "./services/ExpertiseService";
import type { OperatorProfiles, OperatorSettings } from "./services/OperatorProfiles";
import { operatorFieldsView } from "./routes/operatorFieldsView";
import { carriesOperatorFields, parseOperatorSettings } from "./routes/operatorSettingsForm";

/**
 * My Profile → Preferences: Online Chat Name, Online Chat Languages and Live Chat Expertise, for
 * operators. Saved with the rest of the form, in the same transaction; a refused field saves nothing.
 */
export function operatorProfileExtension(
  host: HostContract,
  profiles: OperatorProfiles,
  expertise: ExpertiseService,
): ProfileExtension<OperatorSettings | null> {
  const isOperator = (user: HostUser) => host.users.hasGroup(user, OPERATOR_GROUP);
  return {
    async load(user) {
      if (!isOperator(user)) return { isOperator: false };
      return { isOperator: true, ...(await operatorFieldsView(host, profiles, expertise, user)) };
    },
    async parse(body, user) {
      if (!isOperator(user) || !carriesOperatorFields(body)) return null;
      return parseOperatorSettings(host, expertise, body, (await profiles.get(user.id)).langCodes);
    },
    async save(user, value, manager) {
      if (value) await profiles.save(user.id, value, manager);
    },
  };
}
