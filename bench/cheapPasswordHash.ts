import { hash } from "@node-rs/argon2";

/**
 * A password hash for operators the bench seeds: Argon2id, which the host verifies, at the least
 * memory and time it takes. Logging operators in is set-up, not a figure; at the host's default cost
 * 100 logins took about a second of every deployment's start.
 */
export function cheapPasswordHash(password: string): Promise<string> {
  return hash(password, { memoryCost: 1024, timeCost: 1 });
}
