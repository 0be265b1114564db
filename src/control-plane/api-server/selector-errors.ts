// What label and field selectors answer when the client got one wrong (apimachinery's texts).

/** A selector the client got wrong; the API answers 400 BadRequest with this message verbatim. */
export class SelectorError extends Error {
  override name = "SelectorError";
}

/** field.Invalid's text: `<path>: Invalid value: "<value>": <detail>`. */
export const invalid = (path: string, value: string, detail: string) => `${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`;
