import { expect } from "chai";
import { transferNotice } from "../../module/client/operator/transferNotice";

describe("Client: what the operator reads once his transfer went through", () => {
  const support = { id: 1, name: "Support" };
  const billing = { id: 2, name: "Billing" };

  it("names the operator, or the channel and who has it there, or says it waits in that channel's queue", () => {
    expect(transferNotice({ operator: { id: 7, name: "Sofia" }, channel: support }, support.id)).to.equal("Transferred to Sofia.");
    expect(transferNotice({ operator: { id: 8, name: "Marc" }, channel: billing }, support.id)).to.equal("Transferred to the channel Billing: Marc has it now.");
    expect(transferNotice({ operator: null, channel: billing }, support.id)).to.equal(
      "Transferred to the channel Billing: nobody is available there, the visitor waits in its queue.",
    );
  });
});
