import type { RatingDto } from "../../services/ratings/ConversationRatings";
import { faIcon, h } from "../shared/dom";
import { t } from "../shared/i18n";

/** The visitor's rating, under the thread (Discuss and chat windows): read-only for operators. */
export function ratingLine(rating: RatingDto): HTMLElement {
  const face = rating.value === 5 ? t("Satisfied") : rating.value === 3 ? t("Okay") : t("Dissatisfied");
  return h(
    "p",
    { class: "o-rating small", attrs: { role: "note", "aria-label": t("Visitor's rating") } },
    faIcon(rating.value === 5 ? "fa-face-smile" : rating.value === 3 ? "fa-face-meh" : "fa-face-frown"),
    " " + t("Rated: {face}", { face }),
    rating.comment ? h("q", { class: "ms-2", text: rating.comment }) : "",
  );
}
