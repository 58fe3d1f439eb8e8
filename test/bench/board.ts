import type pg from 'pg';

/** Cards on the bench's workboard: the size the board target names. */
export const BOARD_CARDS = 2000;

export interface BenchBoard {
  id: number;
  /** The columns bound to no status, which cards move between without changing their task. */
  openColumns: number[];
  /** Tasks with an open card on the board. */
  openCards: number[];
}

/**
 * The bench's workboard, made once in SQL on the seeded data and reused: a
 * project tagging 2,000 tasks (1,800 open ones across Backlog, Doing and
 * Review, 200 resolved ones in Done, which is bound to Resolved).
 */
export async function ensureBoard(c: pg.Client, login: string): Promise<BenchBoard> {
  const found = await c.query(`SELECT project_id AS id FROM project_hashtags WHERE hashtag = 'bench_board'`);
  let id: number = found.rows[0]?.id;
  if (!id) {
    await c.query('BEGIN');
    try {
      const author = (await c.query('SELECT id FROM users WHERE username = $1', [login])).rows[0].id;
      id = (await c.query(`INSERT INTO projects (name, description, color, icon, author_id) VALUES ('Bench Board', 'The benchmark''s board.', 'green', 'team', $1) RETURNING id`, [author])).rows[0].id;
      await c.query(`INSERT INTO project_hashtags (hashtag, project_id, position) VALUES ('bench_board', $1, 0)`, [id]);
      await c.query('INSERT INTO project_members (project_id, user_id) VALUES ($1, $2)', [id, author]);
      const columns: number[] = [];
      for (const [i, [name, status, isDefault, limit]] of ([
        ['Backlog', null, true, null],
        ['Doing', null, false, null],
        ['Review', null, false, 1000],
        ['Done', 'resolved', false, null],
      ] as const).entries()) {
        columns.push(
          (await c.query('INSERT INTO board_columns (project_id, name, sequence, is_default, status, wip_limit) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id', [id, name, i, isDefault, status, limit])).rows[0].id,
        );
      }
      const open = BOARD_CARDS * 0.9;
      // Ranks as the app writes them: ten base-36 digits (here decimal ones), in the order of the rows.
      await c.query(
        `WITH picked AS (
           (SELECT id, false AS closed FROM tasks WHERE status = 'open' ORDER BY id DESC LIMIT $2)
           UNION ALL
           (SELECT id, true FROM tasks WHERE status = 'resolved' ORDER BY id DESC LIMIT $3)
         ), numbered AS (SELECT id, closed, row_number() OVER (ORDER BY id) AS n FROM picked),
         tagged AS (INSERT INTO task_projects (task_id, project_id) SELECT id, $1 FROM numbered RETURNING task_id)
         INSERT INTO board_cards (project_id, task_id, column_id, rank)
         SELECT $1, id, CASE WHEN closed THEN $7::int WHEN n % 3 = 0 THEN $4::int WHEN n % 3 = 1 THEN $5::int ELSE $6::int END, lpad((1000000000 + n)::text, 10, '0')
         FROM numbered`,
        [id, open, BOARD_CARDS - open, columns[0], columns[1], columns[2], columns[3]],
      );
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK');
      throw err;
    }
    for (const t of ['projects', 'project_hashtags', 'board_columns', 'board_cards', 'task_projects']) await c.query(`ANALYZE ${t}`);
  }
  const columns = await c.query('SELECT id FROM board_columns WHERE project_id = $1 AND status IS NULL ORDER BY sequence', [id]);
  const cards = await c.query(`SELECT bc.task_id FROM board_cards bc JOIN board_columns col ON col.id = bc.column_id WHERE bc.project_id = $1 AND col.status IS NULL`, [id]);
  return { id, openColumns: columns.rows.map((r) => r.id), openCards: cards.rows.map((r) => r.task_id) };
}
