import type { HostContract } from "../host/contract";
import { operatorEntities } from "./models";
import { operatorProfileExtension } from "./profileExtension";
import { channelRoutes } from "./routes/channelRoutes";
import { expertiseRoutes } from "./routes/expertiseRoutes";
import { operatorRoutes } from "./routes/operatorRoutes";
import { ChannelService } from "./services/ChannelService";
import { ExpertiseService } from "./services/ExpertiseService";
import { INACTIVITY_JOB, removeInactiveOperators } from "./services/InactivityRule";
import { OperatorProfiles } from "./services/OperatorProfiles";

/** The services of the operators feature, for the rest of the module (conversations, chatbot) to use. */
export interface OperatorServices {
  profiles: OperatorProfiles;
  expertise: ExpertiseService;
  channels: ChannelService;
}

export { operatorEntities };

/** Operator profiles, expertise, channels with Join/Leave, and the inactivity rule. */
export function installOperators(host: HostContract): OperatorServices {
  const services: OperatorServices = {
    profiles: new OperatorProfiles(host, { cacheNames: true }),
    expertise: new ExpertiseService(host),
    channels: new ChannelService(host),
  };
  host.profile.extend("livechat", operatorProfileExtension(host, services.profiles, services.expertise));
  channelRoutes(host, services.channels);
  expertiseRoutes(host, services.expertise);
  operatorRoutes(host, services.profiles, services.expertise, services.channels);
  host.scheduler.register(INACTIVITY_JOB, 60_000, async () => {
    await removeInactiveOperators(host, services.channels);
  });
  return services;
}
