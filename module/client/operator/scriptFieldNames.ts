// The names of the chatbot script form's fields, as the server reads them (module/routes/scriptForm.ts).

/** A step field's form name at a position. */
export function stepFieldName(index: number, field: string): string {
  return `steps[${index}][${field}]`;
}

/** An answer field's form name at a position. */
export function answerFieldName(stepIndex: number, answerIndex: number, field: string): string {
  return `steps[${stepIndex}][answers][${answerIndex}][${field}]`;
}
