// The words the whole service shares, in one place (house rule: never re-declared as string unions).
//
// Lines are configuration since issue 21 (pbx-config/lines.json, src/lines/line-config.ts): a line
// is its id, and which ids exist is known only at run time, from the LineCatalog. So `Line` is a
// string here, and every boundary (API body, IVR flow, setting) checks it against the catalog.

/** A line's id, such as `first`, `second`, `billing` or `vip-en`. */
export type Line = string;

/** What a line id may look like (API schemas, lines.json). */
export const LINE_ID_PATTERN = '^[a-z][a-z0-9-]{0,31}$';

/** Today's two lines: the default configuration, so an existing installation changes nothing. */
export const DEFAULT_LINE_IDS: readonly Line[] = ['first', 'second'];

export const LANGUAGES = ['ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
