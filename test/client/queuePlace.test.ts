import { expect } from "chai";
import { QueuePlaceTracker } from "../../module/client/widget/queuePlace";
import type { ConversationDto } from "../../module/services/conversations/dto";
import type { QueueChange } from "../../module/services/conversations/queueOrder";

function waiting(id: number, queuePosition: number, queueVersion: number): ConversationDto {
  return {
    id,
    channel: { id: 1, name: "Website Support" },
    state: "waiting",
    operator: null,
    queuePosition,
    queueVersion,
    createdAt: "2026-11-25T09:00:00.000Z",
    closedAt: null,
  };
}

const change = (version: number, left: number[], joined: number[] = []): QueueChange => ({ channelId: 1, version, left, joined });

describe("The widget's live place in the queue", () => {
  it("moves up when a conversation ahead leaves, not when one behind does", () => {
    const place = new QueuePlaceTracker();
    place.counts(waiting(20, 3, 7));
    expect(place.position()).to.equal(3);
    place.changed(change(8, [10]));
    expect(place.position()).to.equal(2);
    place.changed(change(9, [30, 31]));
    expect(place.position()).to.equal(2);
    place.changed(change(10, [11, 12, 25]));
    expect(place.position()).to.equal(1);
  });

  it("moves back when a chatbot conversation started earlier joins the queue ahead", () => {
    const place = new QueuePlaceTracker();
    place.counts(waiting(20, 1, 0));
    place.changed(change(1, [], [15]));
    expect(place.position()).to.equal(2);
    place.changed(change(2, [], [40]));
    expect(place.position()).to.equal(2);
  });

  it("ignores changes its count already includes, whichever arrives first", () => {
    const early = new QueuePlaceTracker();
    // The notification arrives before the answer that counted it.
    early.changed(change(5, [10]));
    early.counts(waiting(20, 2, 5));
    expect(early.position()).to.equal(2);

    const late = new QueuePlaceTracker();
    late.counts(waiting(20, 2, 5));
    late.changed(change(5, [10]));
    expect(late.position()).to.equal(2);

    // A notification newer than the answer, arriving before it, still counts.
    const newer = new QueuePlaceTracker();
    newer.changed(change(6, [10]));
    newer.counts(waiting(20, 3, 5));
    expect(newer.position()).to.equal(2);
  });

  it("keeps the newer of two crossing answers", () => {
    const place = new QueuePlaceTracker();
    place.counts(waiting(20, 2, 6));
    place.counts(waiting(20, 3, 5));
    expect(place.position()).to.equal(2);
  });

  it("counts changes that arrive out of order, and asks again after a long gap", () => {
    const place = new QueuePlaceTracker();
    place.counts(waiting(20, 5, 1));
    place.changed(change(3, [11]));
    place.changed(change(2, [10]));
    expect(place.position()).to.equal(3);
    expect(place.stale()).to.equal(false);
    // Version 4 never comes: past a few later ones, the widget asks for its place.
    for (let version = 5; version < 40; version++) place.changed(change(version, [100 + version]));
    expect(place.stale()).to.equal(true);
    place.counts(waiting(20, 3, 39));
    expect(place.stale()).to.equal(false);
    expect(place.position()).to.equal(3);
  });

  it("shows no place once the conversation is served, and picks changes up again when a chatbot queues it", () => {
    const place = new QueuePlaceTracker();
    place.counts({ ...waiting(20, 1, 3), state: "bot", queuePosition: null, queueVersion: null });
    expect(place.position()).to.equal(null);
    place.changed(change(4, [10]));
    place.counts(waiting(20, 2, 4));
    place.changed(change(5, [11]));
    expect(place.position()).to.equal(1);
    place.counts({ ...waiting(20, 1, 5), state: "open", queuePosition: null, queueVersion: null });
    expect(place.position()).to.equal(null);
  });
});
