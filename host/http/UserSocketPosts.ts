import { ForbiddenError, lt, type HostUser, type LeanAnswer, type UserSocketPost } from "../contract";
import { HttpError } from "./HttpError";
import { NO_SUCH_SOCKET_ROUTE } from "./LeanRoutes";
import { PathPattern } from "./PathPattern";
import { anyMalformed, MALFORMED_TEXT } from "./wellFormedText";

// The words HTTP answers with for the same refusals (HostAuth).
const SESSION_ENDED = lt("You must be logged in.");
const NOT_IN_GROUP = lt("This page is for other users of the helpdesk. If you need it, ask an administrator for access.");

export interface UserSocketPostsOptions {
  hasGroup(user: HostUser, group: string): boolean;
  /** A post is the user's activity, as one over HTTP is (presence, and what reads it). */
  recordActivity(userId: number): void;
}

/** The logged-in users' routes that their pages may call over the bus socket (the contract's `UserSocketPost`). */
export class UserSocketPosts {
  private readonly routes: { route: UserSocketPost; pattern: PathPattern }[] = [];

  constructor(private readonly options: UserSocketPostsOptions) {}

  add(route: UserSocketPost): void {
    this.routes.push({ route, pattern: new PathPattern(route.path) });
  }

  /**
   * The route's answer to `user`'s post (null: their session has ended). Throws what HTTP would
   * answer as an error: 401 without a session, 404 for a path no route takes, 403 outside its group.
   */
  async answer(path: string, body: unknown, user: HostUser | null): Promise<LeanAnswer> {
    if (user === null) throw new HttpError(401, SESSION_ENDED);
    for (const { route, pattern } of this.routes) {
      const params = pattern.match(path);
      if (params === undefined) continue;
      if (params === null) break;
      if (!this.options.hasGroup(user, route.group)) throw new ForbiddenError(NOT_IN_GROUP);
      if (anyMalformed(body)) throw new HttpError(400, MALFORMED_TEXT);
      this.options.recordActivity(user.id);
      return route.handle({ params, user, body });
    }
    throw new HttpError(404, NO_SUCH_SOCKET_ROUTE);
  }
}
