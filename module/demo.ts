import type { HostContract } from "../host/contract";
import { OPERATOR_GROUP } from "./api";
import type { OperatorServices } from "./operators";

/**
 * Demo data: the Website Support channel with the three demo operators, expertise spread among them,
 * and chat languages so that English, French and Spanish are each spoken by someone.
 */
export async function loadOperatorsDemo(host: HostContract, services: OperatorServices): Promise<void> {
  const byLogin = new Map((await host.users.inGroup(OPERATOR_GROUP)).map((u) => [u.login, u]));
  const mitchell = byLogin.get("mitchell");
  const marc = byLogin.get("marc");
  const sofia = byLogin.get("sofia");
  const admin = byLogin.get("admin");
  if (!mitchell || !marc || !sofia || !admin) return;

  const billing = await services.expertise.save(null, { name: "Billing", operatorIds: [mitchell.id] });
  const technical = await services.expertise.save(null, { name: "Technical", operatorIds: [marc.id, sofia.id] });
  await services.expertise.save(null, { name: "Sales", operatorIds: [sofia.id] });

  await host.db.transaction(async (m) => {
    await services.profiles.save(mitchell.id, { chatName: "Mitchell", langCodes: ["es_ES"], expertiseIds: [billing] }, m);
    await services.profiles.save(marc.id, { chatName: "Marc", langCodes: ["en_US"], expertiseIds: [technical] }, m);
    // Sofia keeps no Online Chat Name: visitors see her name.
    const sofiaSettings = await services.profiles.get(sofia.id);
    await services.profiles.save(sofia.id, { ...sofiaSettings, chatName: "", langCodes: ["en_US", "fr_FR"] }, m);
  });

  await services.channels.save(
    null,
    {
      name: "Website Support",
      welcomeMessage: "Hello! How can we help you today?",
      buttonText: "Have a question? Chat with us.",
      maxSessions: 5,
      memberIds: [mitchell.id, marc.id, sofia.id],
    },
    admin,
  );
}
