// Explicit bidi formatting characters (embeddings, overrides, isolates, their terminators) and the
// invisible direction marks (LRM, RLM, ALM): in trace text they would reorder the text around it
// ("evil\u202E.py:13" drawn as "evil31:yp."). One list for the CLI summary and the timeline, as
// the inside of a regular expression's character class.
export const BIDI_CONTROL_CLASS = '\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069';
