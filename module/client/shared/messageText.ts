import type { MessageDto } from "../../services/conversations/dto";
import { systemLineText, type SystemReader } from "../../services/conversations/systemLines";
import { t } from "./i18n";

/** A message's text for `reader`: a system line in the page's language and from the reader's side. */
export function messageText(message: MessageDto, reader: SystemReader): string {
  return message.system ? systemLineText(message.system, reader, t) : message.body;
}
