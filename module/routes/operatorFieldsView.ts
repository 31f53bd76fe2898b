import type { HostContract, HostUser } from "../../host/contract";
import type { ExpertiseService } from "../services/ExpertiseService";
import type { OperatorProfiles, OperatorSettings } from "../services/OperatorProfiles";

/** What the Online Chat Name / Languages / Expertise fields show, for My Profile and the manager's form. */
export interface OperatorFieldsView {
  userName: string;
  chatName: string;
  languages: { code: string; name: string; selected: boolean }[];
  expertise: { id: number; name: string; selected: boolean }[];
}

/** Only enabled languages are offered; a disabled one on the profile is kept but not listed. */
export async function operatorFieldsView(
  host: HostContract,
  profiles: OperatorProfiles,
  expertise: ExpertiseService,
  user: HostUser,
  settings?: OperatorSettings,
): Promise<OperatorFieldsView> {
  const current = settings ?? (await profiles.get(user.id));
  const [languages, allExpertise] = await Promise.all([host.langs.list({ enabledOnly: true }), expertise.list()]);
  return {
    userName: user.name,
    chatName: current.chatName,
    languages: languages.map((l) => ({ code: l.code, name: l.name, selected: current.langCodes.includes(l.code) })),
    expertise: allExpertise.map((e) => ({ id: e.id, name: e.name, selected: current.expertiseIds.includes(e.id) })),
  };
}
