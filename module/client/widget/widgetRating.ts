import type { ConversationDto } from "../../services/conversations/dto";
import { h } from "../shared/dom";
import { answered, errorMessage } from "../shared/http";
import { t } from "../shared/i18n";

/** The three faces, as Odoo scores them. */
const FACES: { value: 5 | 3 | 1; label: () => string; mouth: string }[] = [
  { value: 5, label: () => t("Satisfied"), mouth: "M8 14.5c1 1.5 2.4 2.2 4 2.2s3-.7 4-2.2" },
  { value: 3, label: () => t("Okay"), mouth: "M8.5 15.5h7" },
  { value: 1, label: () => t("Dissatisfied"), mouth: "M8 16.5c1-1.5 2.4-2.2 4-2.2s3 .7 4 2.2" },
];

/** A face drawn in SVG strokes: the widget needs no emoji font on the visitor's website. */
function faceIcon(mouth: string): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "lcw-face-icon");
  svg.setAttribute("aria-hidden", "true");
  const part = (tag: string, attrs: Record<string, string>) => {
    const el = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    svg.appendChild(el);
  };
  part("circle", { cx: "12", cy: "12", r: "10", fill: "none", stroke: "currentColor", "stroke-width": "1.6" });
  part("circle", { cx: "9", cy: "10", r: "1.2", fill: "currentColor" });
  part("circle", { cx: "15", cy: "10", r: "1.2", fill: "currentColor" });
  part("path", { d: mouth, fill: "none", stroke: "currentColor", "stroke-width": "1.6", "stroke-linecap": "round" });
  return svg;
}

export interface RatingApi {
  rate(id: number, value: 5 | 3 | 1, comment: string): Promise<unknown>;
  transcript(id: number): Promise<string>;
}

/**
 * What the widget offers once a conversation has ended: rating it (three faces and an optional
 * comment, sent once) when an operator answered, and downloading its transcript.
 */
export class WidgetRating {
  readonly el: HTMLElement;
  private readonly faces: HTMLElement;
  private readonly question: HTMLElement;
  private readonly commentForm: HTMLFormElement;
  private readonly comment: HTMLTextAreaElement;
  private readonly thanks: HTMLElement;
  private readonly error: HTMLElement;
  private conversationId: number | null = null;
  private chosen: 5 | 3 | 1 | null = null;

  constructor(private readonly api: RatingApi) {
    this.question = h("p", { class: "lcw-rating-question" });
    this.faces = h(
      "div",
      { class: "lcw-faces", attrs: { role: "group" } },
      ...FACES.map((face) => {
        const button = h("button", { class: "lcw-face", props: { type: "button", title: face.label() }, attrs: { "aria-label": face.label(), "aria-pressed": "false" } }, faceIcon(face.mouth));
        button.dataset.value = String(face.value);
        button.addEventListener("click", () => this.choose(face.value));
        return button;
      }),
    );
    this.comment = h("textarea", { props: { rows: 2, maxLength: 1000, placeholder: t("Tell us more (optional)") }, attrs: { "aria-label": t("Comment") } });
    const send = h("button", { class: "lcw-rating-send", text: t("Send feedback"), props: { type: "submit" } });
    this.commentForm = h("form", { class: "lcw-rating-comment", props: { hidden: true } }, this.comment, send);
    this.commentForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.thanks = h("p", { class: "lcw-rating-thanks", text: t("Thank you for your feedback."), props: { hidden: true }, attrs: { role: "status" } });
    this.error = h("p", { class: "lcw-error", attrs: { role: "alert" } });
    const download = h("button", { class: "lcw-transcript", text: t("Download the conversation"), props: { type: "button" } });
    download.addEventListener("click", () => void this.download());
    this.el = h(
      "section",
      { class: "lcw-rating", props: { hidden: true }, attrs: { "aria-label": t("Your feedback") } },
      this.question,
      this.faces,
      this.commentForm,
      this.thanks,
      this.error,
      download,
    );
  }

  /** Shown under an ended conversation; the faces only when an operator took part. */
  show(conversation: ConversationDto | null): void {
    const ended = conversation?.state === "closed";
    this.el.hidden = !ended;
    if (!conversation || !ended) return;
    if (this.conversationId !== conversation.id) this.reset(conversation.id);
    const operator = conversation.operator?.name ?? null;
    const rateable = operator !== null;
    this.question.textContent = operator ? t("How was your conversation with {name}?", { name: operator }) : "";
    this.question.hidden = !rateable || !this.thanks.hidden;
    this.faces.hidden = !rateable || !this.thanks.hidden;
    this.faces.setAttribute("aria-label", this.question.textContent);
  }

  private reset(id: number): void {
    this.conversationId = id;
    this.chosen = null;
    this.comment.value = "";
    this.commentForm.hidden = true;
    this.thanks.hidden = true;
    this.error.textContent = "";
    this.faces.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", "false"));
  }

  private choose(value: 5 | 3 | 1): void {
    this.chosen = value;
    this.faces.querySelectorAll<HTMLButtonElement>("button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.value === String(value))));
    this.commentForm.hidden = false;
    this.comment.focus();
  }

  private async submit(): Promise<void> {
    if (this.conversationId === null || this.chosen === null) return;
    this.error.textContent = "";
    try {
      await this.api.rate(this.conversationId, this.chosen, this.comment.value);
    } catch (err) {
      // Rated already (another tab, or a retry that went through): the rating stands as it was.
      if (!(answered(err) && err.status === 409)) {
        this.error.textContent = errorMessage(err, t("Something went wrong"));
        return;
      }
    }
    this.commentForm.hidden = true;
    this.faces.hidden = true;
    this.question.hidden = true;
    this.thanks.hidden = false;
  }

  private async download(): Promise<void> {
    if (this.conversationId === null) return;
    try {
      const text = await this.api.transcript(this.conversationId);
      const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
      const link = h("a", { props: { href: url, download: `livechat-${this.conversationId}.txt` } });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      this.error.textContent = errorMessage(err, t("Something went wrong"));
    }
  }
}
