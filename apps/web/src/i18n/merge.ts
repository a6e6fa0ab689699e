/** A language's texts, or one feature's: { "<feature>": { … } }. */
export type Texts = Record<string, unknown>;

/** The texts of several feature files as one object (each file holds one top-level key: its feature's name). */
export function merge(files: Record<string, Texts>): Texts {
  return Object.assign({}, ...Object.values(files)) as Texts;
}
