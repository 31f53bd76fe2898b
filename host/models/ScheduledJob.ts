import { Column, Entity, PrimaryColumn } from "typeorm";

/** A named periodic job; an instance runs it only after claiming the period with a conditional update. */
@Entity({ name: "host_job" })
export class ScheduledJob {
  @PrimaryColumn({ type: String, length: 128 })
  name: string;

  @Column({ name: "next_run_at", type: Date })
  nextRunAt: Date;

  @Column({ name: "last_run_at", type: Date, nullable: true })
  lastRunAt: Date | null;

  @Column({ name: "last_instance", type: String, length: 64, nullable: true })
  lastInstance: string | null;

  @Column({ name: "run_count", type: "integer", default: 0 })
  runCount: number;
}
