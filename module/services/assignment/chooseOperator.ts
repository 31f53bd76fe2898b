/**
 * The assignment decision, and nothing else: which operator gets a new conversation. It is pure
 * (data in, choice out) so every rule can be tested with plain values; gathering the data and
 * making the choice safe under concurrency is the caller's job (AssignmentService).
 */

/** One member of the channel, as the decision sees them. */
export interface Candidate {
  userId: number;
  /** Online right now (presence), not merely a member with an open tab somewhere. */
  available: boolean;
  /** Open (not closed) conversations the operator has, in every channel. */
  openConversations: number;
  /** Open conversations in this channel: what the channel's limit counts. */
  openInChannel: number;
  lastAssignedAt: Date | null;
  /** Codes of the languages the operator speaks: main language and Online Chat Languages (enabled only). */
  languages: string[];
  expertiseIds: number[];
}

export interface AssignmentRequest {
  /** The visitor's language code, when known. */
  lang: string | null;
  /** Preferred expertise (from a chatbot forward step), possibly empty. */
  expertiseIds: number[];
  /** The operator who last served this visitor, if any. */
  previousOperatorId: number | null;
  /** The channel's limit of simultaneous conversations per operator; null means no limit. */
  maxPerOperator: number | null;
}

/** Why the chosen operator was chosen, for the conversation record and for people reading logs. */
export type PreferenceTier =
  | "previous_operator"
  | "language_and_all_expertise"
  | "language_and_some_expertise"
  | "language"
  | "all_expertise"
  | "some_expertise"
  | "anyone";

export interface AssignmentChoice {
  userId: number;
  tier: PreferenceTier;
}

type Match = "all" | "some" | "none";

function expertiseMatch(expertiseIds: readonly number[], wanted: number[]): Match {
  const have = wanted.filter((id) => expertiseIds.includes(id)).length;
  return have === wanted.length ? "all" : have > 0 ? "some" : "none";
}

/**
 * The preference tier of an eligible candidate, the same for every conversation, chatbot forwards
 * included. Language comes before expertise: a visitor and an operator who share no language cannot
 * help each other. Both order the choice; they never exclude anyone.
 */
function tierOf(candidate: Candidate, request: AssignmentRequest): PreferenceTier {
  return tierFor(candidate.userId, candidate.languages, candidate.expertiseIds, request);
}

/** `tierOf` from the candidate's parts, for a caller that holds no `Candidate`. */
export function tierFor(userId: number, languages: readonly string[], expertiseIds: readonly number[], request: AssignmentRequest): PreferenceTier {
  if (request.previousOperatorId === userId) return "previous_operator";
  const match = request.expertiseIds.length ? expertiseMatch(expertiseIds, request.expertiseIds) : "none";
  if (request.lang !== null && languages.includes(request.lang)) {
    return match === "all" ? "language_and_all_expertise" : match === "some" ? "language_and_some_expertise" : "language";
  }
  return match === "all" ? "all_expertise" : match === "some" ? "some_expertise" : "anyone";
}

/** Preference tiers, best first. */
export const TIER_ORDER: PreferenceTier[] = [
  "previous_operator",
  "language_and_all_expertise",
  "language_and_some_expertise",
  "language",
  "all_expertise",
  "some_expertise",
  "anyone",
];

/** Hard rules: only available operators below the channel's limit can be chosen. */
export function isEligible(candidate: Candidate, request: AssignmentRequest): boolean {
  if (!candidate.available) return false;
  return request.maxPerOperator === null || candidate.openInChannel < request.maxPerOperator;
}

const TIER_RANK = new Map(TIER_ORDER.map((tier, i) => [tier, i]));

/** A tier's place in `TIER_ORDER` (0 is best). */
export function tierRank(tier: PreferenceTier): number {
  return TIER_RANK.get(tier) ?? TIER_ORDER.length;
}

/** What orders eligible candidates, in numbers. */
export interface RankKey {
  userId: number;
  /** `tierRank` of the candidate's tier. */
  rank: number;
  openConversations: number;
  /** Milliseconds of the last assignment; never assigned counts as longest ago (-Infinity). */
  last: number;
}

interface Ranked extends RankKey {
  c: Candidate;
  tier: PreferenceTier;
}

function ranked(c: Candidate, request: AssignmentRequest): Ranked {
  const tier = tierOf(c, request);
  return { c, tier, userId: c.userId, rank: tierRank(tier), openConversations: c.openConversations, last: c.lastAssignedAt?.getTime() ?? -Infinity };
}

/** Tier, then fewest open conversations, then longest since the last assignment, then lowest user id. */
export function before(a: RankKey, b: RankKey): number {
  // Two never-assigned candidates compare as NaN here, which falls through to the user id.
  return a.rank - b.rank || a.openConversations - b.openConversations || a.last - b.last || a.userId - b.userId;
}

/**
 * Ranks eligible candidates: preference tier, then fewest open conversations, then the longest time
 * since their last assignment (never assigned counts as longest), then the lowest user id.
 */
export function rankCandidates(candidates: Candidate[], request: AssignmentRequest): AssignmentChoice[] {
  const rows: Ranked[] = [];
  for (const c of candidates) if (isEligible(c, request)) rows.push(ranked(c, request));
  return rows.sort(before).map(({ c, tier }) => ({ userId: c.userId, tier }));
}

/** The operator to assign, or null when nobody may take the conversation now: one pass, no sorting. */
export function chooseOperator(candidates: Candidate[], request: AssignmentRequest): AssignmentChoice | null {
  let best: Ranked | null = null;
  for (const c of candidates) {
    if (!isEligible(c, request)) continue;
    const row = ranked(c, request);
    if (best === null || before(row, best) < 0) best = row;
  }
  return best && { userId: best.c.userId, tier: best.tier };
}
