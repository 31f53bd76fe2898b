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
    it("prefers the operator who last served this visitor, over a less loaded one", () => {
      const choice = chooseOperator([op(1, { openConversations: 0 }), op(2, { openConversations: 4 })], ask({ previousOperatorId: 2 }));
      expect(choice).to.deep.equal({ userId: 2, tier: "previous_operator" });
    });

    it("then an operator with the visitor's language and the expertise", () => {
      const candidates = [
        op(1, { languages: ["fr_FR"], expertiseIds: [] }),
        op(2, { languages: ["en_US"], expertiseIds: [7] }),
        op(3, { languages: ["fr_FR"], expertiseIds: [7], openConversations: 5 }),
      ];
      expect(chooseOperator(candidates, ask({ lang: "fr_FR", expertiseIds: [7] }))).to.deep.equal({
        userId: 3,
        tier: "language_and_all_expertise",
      });
    });

    it("then language only, then expertise only, then anyone", () => {
      const request = ask({ lang: "es_ES", expertiseIds: [7] });
      const speaker = op(1, { languages: ["es_ES"], openConversations: 3 });
      const expert = op(2, { expertiseIds: [7], openConversations: 2 });
      const anyone = op(3, { openConversations: 0 });
      expect(rankCandidates([anyone, expert, speaker], request)).to.deep.equal([
        { userId: 1, tier: "language" },
        { userId: 2, tier: "all_expertise" },
        { userId: 3, tier: "anyone" },
      ]);
    });

    it("prefers all of the requested expertise over some of it", () => {
      const request = ask({ expertiseIds: [7, 8] });
      const some = op(1, { expertiseIds: [7] });
      const all = op(2, { expertiseIds: [7, 8], openConversations: 3 });
      expect(rankCandidates([some, all], request).map((c) => c.tier)).to.deep.equal(["all_expertise", "some_expertise"]);
    });

    it("counts the operator's main and chat languages alike (the caller lists both)", () => {
      const request = ask({ lang: "de_DE" });
      expect(chooseOperator([op(1), op(2, { languages: ["en_US", "de_DE"], openConversations: 6 })], request)?.userId).to.equal(2);
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

describe("Assignment decision for a chatbot's forward to an expert", () => {
  const forward = (expertiseIds: number[], fields: Partial<AssignmentRequest> = {}): AssignmentRequest => ({
    ...ask({ expertiseIds, ...fields }),
    expertiseFirst: true,
  });

  it("picks an available expert even when more loaded than a non-expert, within the limit", () => {
    const expert = op(1, { expertiseIds: [7], openConversations: 4, openInChannel: 4 });
    const idle = op(2, { openConversations: 0 });
    expect(chooseOperator([idle, expert], forward([7], { maxPerOperator: 5 }))).to.deep.equal({ userId: 1, tier: "all_expertise" });
    expect(chooseOperator([idle, expert], forward([7], { maxPerOperator: 4 }))?.userId).to.equal(2);
  });

  it("puts experts before the visitor's language and before the previous operator", () => {
    const speaker = op(1, { languages: ["fr_FR"] });
    const expert = op(2, { expertiseIds: [7], openConversations: 3 });
    const previous = op(3);
    expect(chooseOperator([speaker, expert, previous], forward([7], { lang: "fr_FR", previousOperatorId: 3 }))?.userId).to.equal(2);
  });

  it("prefers all of the expertise, then some of it, then anyone available", () => {
    const request = forward([7, 8]);
    const some = op(1, { expertiseIds: [8] });
    const all = op(2, { expertiseIds: [7, 8], openConversations: 5 });
    const none = op(3);
    expect(rankCandidates([none, some, all], request).map((c) => c.userId)).to.deep.equal([2, 1, 3]);
    expect(chooseOperator([none, op(4, { available: false, expertiseIds: [7, 8] })], request)?.userId).to.equal(3);
  });
});
