import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";

/** A notification published on the bus; ids increase so a client can ask for what it missed. */
@Entity({ name: "host_bus_notification" })
@Index(["channel", "id"])
export class BusNotificationRecord {
  @PrimaryGeneratedColumn({ type: "integer" })
  id: number;

  @Column({ type: String, length: 128 })
  channel: string;

  @Column({ type: String, length: 64 })
  type: string;

  /** JSON text. */
  @Column({ type: "text" })
  payload: string;

  @Index()
  @Column({ name: "created_at", type: Date })
  createdAt: Date;
}
