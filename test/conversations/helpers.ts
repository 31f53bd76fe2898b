import request from "supertest";
import { Not } from "typeorm";
import type { HostUser } from "../../host/contract";
import { ChannelMember } from "../../module/models/ChannelMember";
import { LivechatChannel } from "../../module/models/LivechatChannel";
import { ChannelService } from "../../module/services/ChannelService";
import type { TestHost } from "../support/testHost";

/** Creates operators (password = login) and a channel with them as members. */
export async function channelWithOperators(
  t: TestHost,
  name: string,
  logins: string[],
  maxSessions: number | null,
): Promise<{ channel: LivechatChannel; operators: HostUser[] }> {
  const operators: HostUser[] = [];
  for (const login of logins) {
    operators.push(
      (await t.host.users.findByLogin(login)) ??
        (await t.host.users.create({ login, name: `Operator ${login}`, password: login, langCode: "en_US", groups: ["base.user", "livechat.user"] })),
    );
  }
  const admin = (await t.host.users.findByLogin("admin"))!;
  const id = await new ChannelService(t.host.contract).save(
    null,
    { name, welcomeMessage: "", buttonText: "Chat", maxSessions, memberIds: operators.map((o) => o.id) },
    admin,
  );
  return { channel: await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ id }), operators };
}

export async function online(t: TestHost, ...users: HostUser[]): Promise<void> {
  for (const u of users) await t.host.presence.recordActivity(u.id);
}

export interface Visitor {
  id: number;
  token: string;
  visitorKey: string;
  body: { conversation: { state: string; operator: { name: string } | null; queuePosition: number | null; queueVersion: number | null } };
}

export async function startVisitor(t: TestHost, channelId: number, extra: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Visitor> {
  const res = await request(t.url).post(`/livechat/channels/${channelId}/conversations`).set(headers).send(extra);
  if (res.status !== 201) throw new Error(`start failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.conversation.id, token: res.body.token, visitorKey: res.body.visitorKey, body: res.body };
}

/** A visitor of the demo's Website Support channel, answered by Mitchell at once (no chatbot first). */
export async function visitorOfMitchell(t: TestHost): Promise<Visitor> {
  const support = await t.host.db.getRepository(LivechatChannel).findOneByOrFail({ name: "Website Support" });
  await t.host.db.getRepository(LivechatChannel).update({ id: support.id }, { chatbotScriptId: null });
  await online(t, (await t.host.users.findByLogin("mitchell"))!);
  return startVisitor(t, support.id);
}

export const asVisitor = (t: TestHost, v: { token: string }) => ({
  get: (path: string) => request(t.url).get(path).set("Authorization", `Bearer ${v.token}`),
  post: (path: string, body: object = {}) => request(t.url).post(path).set("Authorization", `Bearer ${v.token}`).send(body),
});

/**
 * A visitor served by `owner`: the channel's only member (online) while the visitor starts; the other
 * members are back after, and `others` online.
 */
export async function servedBy(t: TestHost, channelId: number, owner: HostUser, others: HostUser[], name = "Vic"): Promise<Visitor> {
  const members = t.host.db.getRepository(ChannelMember);
  const all = await members.findBy({ channelId });
  await members.delete({ channelId, userId: Not(owner.id) });
  await online(t, owner);
  const visitor = await startVisitor(t, channelId, { name });
  await members.save(all);
  if (visitor.body.conversation.operator === null) throw new Error(`${owner.login} did not get the visitor`);
  await online(t, ...others);
  return visitor;
}
