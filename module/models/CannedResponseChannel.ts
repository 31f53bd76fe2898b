import { Entity, PrimaryColumn } from "typeorm";

/** A channel a canned response is offered in; a response with none is offered in every channel. */
@Entity({ name: "livechat_canned_response_channel" })
export class CannedResponseChannel {
  @PrimaryColumn({ name: "response_id", type: "integer" })
  responseId: number;

  @PrimaryColumn({ name: "channel_id", type: "integer" })
  channelId: number;
}
