/**
 * Caps on how much one request may ask for, checked where the input comes in
 * and refused with a sentence that names the cap. Each bounds the work (and the
 * SQL) that one request can cause; the README's "Limits" lists them.
 */

/** Items in one list: ids, PHIDs, names or keys in a search constraint, people in a subscriber edit, transactions in one edit. */
export const MAX_LIST_ITEMS = 1000;

/** Distinct people, and distinct tasks, that one description or comment may mention. */
export const MAX_MENTIONS = 1000;

const EN_US = new Intl.NumberFormat('en-US');

/** "1,000": how the caps, and the lists' group counts, read. One formatter: toLocaleString builds one per call. */
export const count = (n: number): string => EN_US.format(n);
