import { Column, Entity, PrimaryColumn } from "typeorm";

/** A module the loader installed, with the version whose migrations ran. */
@Entity({ name: "host_module" })
export class InstalledModule {
  @PrimaryColumn({ type: String, length: 64 })
  name: string;

  @Column({ type: String, length: 32 })
  version: string;

  @Column({ type: String, length: 128 })
  title: string;

  /** `installed`, or `error` when the last start could not install it. */
  @Column({ type: String, length: 16 })
  state: string;

  @Column({ name: "installed_at", type: Date })
  installedAt: Date;

  @Column({ name: "updated_at", type: Date })
  updatedAt: Date;
}
