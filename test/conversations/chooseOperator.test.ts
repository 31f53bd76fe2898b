import { expect } from "chai";
import {
  chooseOperator,
  rankCandidates,
  type AssignmentRequest,
  type Candidate,
} from "../../module/services/assignment/chooseOperator";

const T0 = new Date("2026-11-25T09:00:00Z");
const minutesAgo = (m: number) => new Date(T0.getTime() - m * 60_000);

function op(userId: number, fields: Partial<Candidate> = {}): Candidate {
  return {
    userId,
    available: true,
    openConversations: 0,
    openInChannel: 0,
    lastAssignedAt: null,
    languages: ["en_US"],
    expertiseIds: [],
    ...fields,
  };
}

const ask = (fields: Partial<AssignmentRequest> = {}): AssignmentRequest => ({
  lang: null,
  expertiseIds: [],
  previousOperatorId: null,
  maxPerOperator: null,
  ...fields,
});

describe("Assignment decision", () => {
  describe("hard rules", () => {
    it("never picks an operator who is away or offline, even with nobody else", () => {
      expect(chooseOperator([op(1, { available: false })], ask())).to.equal(null);
      expect(chooseOperator([op(1, { available: false }), op(2, { openConversations: 9 })], ask())?.userId).to.equal(2);
    });

    it("never picks an operator at the channel's limit, but ignores the limit when none is set", () => {
      const full = op(1, { openInChannel: 3, openConversations: 3 });
      expect(chooseOperator([full], ask({ maxPerOperator: 3 }))).to.equal(null);
      expect(chooseOperator([full], ask({ maxPerOperator: null }))?.userId).to.equal(1);
      expect(chooseOperator([full, op(2, { openInChannel: 2, openConversations: 8 })], ask({ maxPerOperator: 3 }))?.userId).to.equal(2);
    });

    it("keeps even the previous operator out when they are unavailable or full", () => {
      const request = ask({ previousOperatorId: 1, maxPerOperator: 2 });
      expect(chooseOperator([op(1, { available: false }), op(2)], request)?.userId).to.equal(2);
      expect(chooseOperator([op(1, { openInChannel: 2 }), op(2)], request)?.userId).to.equal(2);
    });
  });

  describe("preferences", () => {
    // Loads rise with the preference, so only the tier can explain the order.
    const previous = op(1, { languages: ["ja_JP"], openConversations: 9 });
    const languageAll = op(2, { languages: ["fr_FR"], expertiseIds: [7, 8], openConversations: 8 });
    const languageSome = op(3, { languages: ["en_US", "fr_FR"], expertiseIds: [8], openConversations: 7 });
    const languageOnly = op(4, { languages: ["fr_FR"], openConversations: 6 });
    const all = op(5, { expertiseIds: [7, 8, 9], openConversations: 5 });
    const some = op(6, { expertiseIds: [7], openConversations: 4 });
    const anyone = op(7, { openConversations: 0 });
    const everyone = [anyone, some, all, languageOnly, languageSome, languageAll, previous];
    const request = ask({ lang: "fr_FR", expertiseIds: [7, 8], previousOperatorId: 1 });

    it("ranks previous operator, language with all expertise, with some, language only, all expertise, some, anyone", () => {
      expect(rankCandidates(everyone, request)).to.deep.equal([
        { userId: 1, tier: "previous_operator" },
        { userId: 2, tier: "language_and_all_expertise" },
        { userId: 3, tier: "language_and_some_expertise" },
        { userId: 4, tier: "language" },
        { userId: 5, tier: "all_expertise" },
        { userId: 6, tier: "some_expertise" },
        { userId: 7, tier: "anyone" },
      ]);
    });

    it("goes down one tier at a time as the better operators become unavailable", () => {
      const tiers = ["previous_operator", "language_and_all_expertise", "language_and_some_expertise", "language", "all_expertise", "some_expertise", "anyone"];
      const candidates = everyone.map((c) => ({ ...c }));
      for (const [i, tier] of tiers.entries()) {
        const userId = i + 1;
        expect(chooseOperator(candidates, request)).to.deep.equal({ userId, tier });
        for (const c of candidates) if (c.userId === userId) c.available = false;
      }
      expect(chooseOperator(candidates, request)).to.equal(null);
    });

    it("puts the visitor's language ahead of an operator with all of the expertise, even one far less loaded", () => {
      const expert = op(1, { expertiseIds: [7], openConversations: 0 });
      const speaker = op(2, { languages: ["fr_FR"], openConversations: 6 });
      expect(chooseOperator([expert, speaker], ask({ lang: "fr_FR", expertiseIds: [7] }))).to.deep.equal({ userId: 2, tier: "language" });
    });

    it("puts the previous operator first without the visitor's language or the expertise, unless they are at the limit", () => {
      const limit = ask({ lang: "fr_FR", expertiseIds: [7], previousOperatorId: 1, maxPerOperator: 2 });
      expect(chooseOperator([{ ...previous, openInChannel: 1 }, languageAll], limit)).to.deep.equal({ userId: 1, tier: "previous_operator" });
      expect(chooseOperator([{ ...previous, openInChannel: 2 }, languageAll], limit)).to.deep.equal({ userId: 2, tier: "language_and_all_expertise" });
    });

    it("without requested expertise, ranks the visitor's language and then anyone", () => {
      expect(rankCandidates([all, languageOnly, anyone], ask({ lang: "fr_FR" }))).to.deep.equal([
        { userId: 4, tier: "language" },
        { userId: 7, tier: "anyone" },
        { userId: 5, tier: "anyone" },
      ]);
    });

    it("when the visitor's language is unknown, ranks all of the expertise, then some of it, then anyone", () => {
      expect(rankCandidates([anyone, some, languageAll], ask({ expertiseIds: [7, 8] }))).to.deep.equal([
        { userId: 2, tier: "all_expertise" },
        { userId: 6, tier: "some_expertise" },
        { userId: 7, tier: "anyone" },
      ]);
    });

    it("counts the operator's main and chat languages alike (the caller lists both)", () => {
      const german = ask({ lang: "de_DE" });
      expect(chooseOperator([op(1), op(2, { languages: ["en_US", "de_DE"], openConversations: 6 })], german)?.userId).to.equal(2);
    });

    it("never leaves a visitor waiting because nobody speaks their language or has the expertise", () => {
      expect(chooseOperator([op(1, { languages: ["en_US"] })], ask({ lang: "ja_JP", expertiseIds: [42] }))).to.deep.equal({
        userId: 1,
        tier: "anyone",
      });
    });
  });

  describe("within a preference tier", () => {
    it("picks the operator with the fewest open conversations", () => {
      const choice = chooseOperator([op(1, { openConversations: 3 }), op(2, { openConversations: 1 }), op(3, { openConversations: 2 })], ask());
      expect(choice?.userId).to.equal(2);
    });

    it("then the one whose last assignment is the oldest (never assigned counts as oldest)", () => {
      const candidates = [
        op(1, { openConversations: 1, lastAssignedAt: minutesAgo(5) }),
        op(2, { openConversations: 1, lastAssignedAt: minutesAgo(50) }),
        op(3, { openConversations: 1, lastAssignedAt: minutesAgo(20) }),
      ];
      expect(rankCandidates(candidates, ask()).map((c) => c.userId)).to.deep.equal([2, 3, 1]);
      expect(chooseOperator([...candidates, op(4, { openConversations: 1, lastAssignedAt: null })], ask())?.userId).to.equal(4);
    });

    it("then the lowest user id, whatever order the candidates come in", () => {
      const a = op(5, { lastAssignedAt: minutesAgo(10) });
      const b = op(3, { lastAssignedAt: minutesAgo(10) });
      expect(chooseOperator([a, b], ask())?.userId).to.equal(3);
      expect(chooseOperator([b, a], ask())?.userId).to.equal(3);
    });

    it("does not hand every chat to an operator back from a break once they carry the same load", () => {
      const back = op(1, { openConversations: 2, lastAssignedAt: minutesAgo(90) });
      const busy = op(2, { openConversations: 1, lastAssignedAt: minutesAgo(1) });
      expect(chooseOperator([back, busy], ask())?.userId).to.equal(2);
    });
  });
});
