import type { HostContract } from "../host/contract";
import type { OperatorServices } from "./operators";
import { reportRoutes } from "./routes/reportRoutes";
import { LivechatReports } from "./services/reports/LivechatReports";

/** Live Chat → Reporting: sessions, waiting and response times, operators, ratings. */
export function installReports(host: HostContract, operators: OperatorServices): LivechatReports {
  const reports = new LivechatReports(host);
  reportRoutes(host, reports, operators.channels);
  return reports;
}
