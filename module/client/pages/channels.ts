// The Channels kanban.
import { startChannelsKanban } from "../operator/channelsKanban";

startChannelsKanban();
