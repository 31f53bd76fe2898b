// Every page of an operator: the chat windows and the Messages menu.
import { startChatWindows } from "../operator/chatWindows";
import { startMessagesMenu } from "../operator/messagesMenu";
import { whenTranslated } from "../shared/i18n";

whenTranslated(() => {
  const windows = document.getElementById("o-chat-windows");
  if (windows) startChatWindows(windows);
  const messages = document.querySelector<HTMLElement>("[data-livechat-messages]");
  if (messages) startMessagesMenu(messages);
});
