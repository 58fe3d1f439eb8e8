import type { Knex } from 'knex';
import { findTaskIdsByPhids } from './repository';

/**
 * A task as Conduit callers name it: an ID (123 or "123"), a PHID, or a
 * monogram ("T123"). Each form has its own "not found" sentence, and a task
 * the caller may not see gets exactly the sentence of one that does not exist.
 */
export interface TaskIdentifier {
  /** The task id, or null when the identifier names no task at all. */
  id: number | null;
  notFound: string;
}

const INT4_MAX = 2147483647;

function asId(digits: string): number | null {
  const id = Number(digits);
  return id >= 1 && id <= INT4_MAX ? id : null;
}

export async function resolveTaskIdentifier(db: Knex, raw: string | number): Promise<TaskIdentifier> {
  const text = String(raw).trim();
  if (/^[0-9]{1,12}$/.test(text)) return { id: asId(text), notFound: `No object exists with ID "${text}".` };
  if (text.startsWith('PHID-')) {
    const id = text.startsWith('PHID-TASK-') ? ((await findTaskIdsByPhids(db, [text])).get(text) ?? null) : null;
    return { id, notFound: `No object exists with PHID "${text}".` };
  }
  const m = /^T([1-9][0-9]{0,11})$/.exec(text);
  return { id: m ? asId(m[1]!) : null, notFound: `Monogram "${text}" does not identify a valid object.` };
}
