import type { HostContract, ModuleDefinition } from "../host/contract";

/** The Live Chat module, as the host loads it. */
const livechat: ModuleDefinition = {
  entities: [],
  install(host: HostContract) {
    host.logger.info("livechat installed");
  },
};

export default livechat;
