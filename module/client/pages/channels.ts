// The Channels kanban.
import { startChannelsKanban } from "../operator/channelsKanban";
import { whenTranslated } from "../shared/i18n";

whenTranslated(startChannelsKanban);
