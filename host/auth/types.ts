import type { HostUser } from "../contract";

declare global {
  // passport types `req.user` as Express.User; the host's user is what it stores there.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends HostUser {}
  }
}

export {};
