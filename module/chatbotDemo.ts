import { Expertise } from "./models/Expertise";
import { LivechatChannel } from "./models/LivechatChannel";
import type { HostContract } from "../host/contract";
import type { ChatbotScripts } from "./services/chatbot/ChatbotScripts";

/**
 * The demo script of Website Support: a greeting, then "What can we help you with?" where Billing and
 * Technical issue forward to an operator with that expertise and Just looking ends with a message.
 */
export async function loadChatbotDemo(host: HostContract, scripts: ChatbotScripts): Promise<void> {
  const expertise = await host.db.getRepository(Expertise).find();
  const idOf = (name: string) => expertise.filter((e) => e.name === name).map((e) => e.id);
  const channel = await host.db.getRepository(LivechatChannel).findOneBy({ name: "Website Support" });
  if (!channel) return;
  const scriptId = await scripts.save(null, {
    name: "Website Support Bot",
    botName: "Support Bot",
    steps: [
      { type: "message", text: "Hello! I am the Website Support assistant." },
      {
        type: "question",
        text: "What can we help you with?",
        answers: [
          { label: "Billing", then: "next" },
          { label: "Technical issue", then: 3 },
          { label: "Just looking", then: 4 },
        ],
      },
      { type: "forward", text: "Let me connect you with someone from Billing.", expertiseIds: idOf("Billing"), endsScript: true },
      { type: "forward", text: "Let me connect you with a technician.", expertiseIds: idOf("Technical"), endsScript: true },
      { type: "message", text: "Thanks for visiting! Chat with us whenever you need." },
    ],
  });
  await host.db.getRepository(LivechatChannel).update({ id: channel.id }, { chatbotScriptId: scriptId });
}
