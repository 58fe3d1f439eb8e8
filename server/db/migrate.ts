import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';

const MIGRATIONS_DIR = path.resolve(__dirname, '../../migrations');

/**
 * Lists migrations by name without extension, so a database migrated from the
 * TypeScript sources is the same to knex as one migrated from compiled files.
 */
class FolderMigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<string[]> {
    const names = fs
      .readdirSync(this.dir)
      .filter((f) => /^\d{14}_[a-z0-9_]+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
      .map((f) => f.replace(/\.(ts|js)$/, ''));
    return [...new Set(names)].sort();
  }

  getMigrationName(name: string): string {
    return name;
  }

  async getMigration(name: string): Promise<Knex.Migration> {
    const file = ['.js', '.ts'].map((ext) => path.join(this.dir, name + ext)).find((f) => fs.existsSync(f));
    if (!file) throw new Error(`Migration ${name} has no file in ${this.dir}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as Knex.Migration;
  }
}

const config = (): Knex.MigratorConfig => ({
  migrationSource: new FolderMigrationSource(MIGRATIONS_DIR),
  tableName: 'knex_migrations',
});

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, names] = (await db.migrate.latest(config())) as [number, string[]];
  return names;
}

export async function migrateRollbackAll(db: Knex): Promise<string[]> {
  const [, names] = (await db.migrate.rollback(config(), true)) as [number, string[]];
  return names;
}

export async function migrationStatus(db: Knex): Promise<{ done: string[]; pending: string[] }> {
  const [done, pending] = (await db.migrate.list(config())) as [{ name: string }[], string[]];
  return { done: done.map((d) => d.name), pending: pending.map((p) => (typeof p === 'string' ? p : (p as { file: string }).file)) };
}
