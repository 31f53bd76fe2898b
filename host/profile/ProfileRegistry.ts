import type { Profile, ProfileExtension } from "../contract";

/** The parts modules add to My Profile, each under its own name. */
export class ProfileRegistry implements Profile {
  readonly extensions = new Map<string, ProfileExtension>();

  extend<T>(name: string, extension: ProfileExtension<T>): void {
    this.extensions.set(name, extension as ProfileExtension);
  }
}
