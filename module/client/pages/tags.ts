// Forms with many-to-many fields: their multi-selects become tag inputs.
import "tom-select/dist/css/tom-select.bootstrap5.css";
import { enhanceTagInputs } from "../shared/tagInput";
import { whenTranslated } from "../shared/i18n";

whenTranslated(() => enhanceTagInputs(document));
