import type pg from 'pg';

/**
 * Bulk loading is many times faster without indexes and foreign keys to keep
 * up row by row. Their definitions are read from the catalog (so they are
 * exactly what the migrations made), dropped, and rebuilt after the load.
 * CHECK constraints stay: they are cheap and they check the generated data.
 */
export interface Deferred {
  table: string;
  kind: 'key' | 'index' | 'foreign';
  name: string;
  create: string;
  drop: string;
}

const q = (ident: string) => `"${ident.replaceAll('"', '""')}"`;

export async function readDeferrable(c: pg.Client, tables: string[]): Promise<Deferred[]> {
  const constraints = await c.query(
    `SELECT con.conname AS name, rel.relname AS tbl, con.contype AS type, pg_get_constraintdef(con.oid) AS def
     FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
     LEFT JOIN pg_class ref ON ref.oid = con.confrelid
     WHERE con.contype IN ('p', 'u', 'f') AND (rel.relname = ANY($1) OR ref.relname = ANY($1))
       AND rel.relnamespace = 'public'::regnamespace`,
    [tables],
  );
  const indexes = await c.query(
    `SELECT i.relname AS name, t.relname AS tbl, pg_get_indexdef(x.indexrelid) AS def
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     WHERE t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace
       AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid)`,
    [tables],
  );
  const out: Deferred[] = [];
  for (const r of constraints.rows as { name: string; tbl: string; type: string; def: string }[]) {
    out.push({
      table: r.tbl,
      kind: r.type === 'f' ? 'foreign' : 'key',
      name: r.name,
      create: `ALTER TABLE ${q(r.tbl)} ADD CONSTRAINT ${q(r.name)} ${r.def}`,
      drop: `ALTER TABLE ${q(r.tbl)} DROP CONSTRAINT ${q(r.name)}`,
    });
  }
  for (const r of indexes.rows as { name: string; tbl: string; def: string }[]) {
    out.push({ table: r.tbl, kind: 'index', name: r.name, create: r.def, drop: `DROP INDEX ${q(r.name)}` });
  }
  return out;
}

/** Foreign keys first (they depend on the keys), then keys and indexes. */
export async function dropDeferred(c: pg.Client, items: Deferred[]): Promise<void> {
  const order = { foreign: 0, key: 1, index: 2 };
  for (const d of [...items].sort((a, b) => order[a.kind] - order[b.kind])) await c.query(d.drop);
}

/** Keys and indexes first, spread over the workers, biggest tables first; then the foreign keys, which need the keys. */
export async function rebuildDeferred(
  clients: pg.Client[],
  items: Deferred[],
  sizeOf: (table: string) => number,
  done: (d: Deferred, seconds: number) => void,
): Promise<void> {
  const phase = async (list: Deferred[]) => {
    const queue = [...list].sort((a, b) => sizeOf(b.table) - sizeOf(a.table));
    await Promise.all(
      clients.map(async (c) => {
        for (let d = queue.shift(); d; d = queue.shift()) {
          const started = process.hrtime.bigint();
          await c.query(d.create);
          done(d, Number(process.hrtime.bigint() - started) / 1e9);
        }
      }),
    );
  };
  await phase(items.filter((d) => d.kind !== 'foreign'));
  await phase(items.filter((d) => d.kind === 'foreign'));
}
