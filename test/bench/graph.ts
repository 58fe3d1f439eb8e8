import type pg from 'pg';

/** Tasks connected to the graph scenario's task: the most a task page draws in full. */
export const GRAPH_SIZE = 200;
const ANCESTORS = 10;
const CHILDREN = 10;

/**
 * Links 200 tasks around the task in the middle of the seed: a chain of 10 ancestors above
 * it, 10 subtasks below it with 18 subtasks each. Edges only (the graph section reads
 * nothing else); idempotent, so a reused database gets the same graph. Returns the task.
 */
export async function ensureGraph(c: pg.Client, tasks: number): Promise<number> {
  const center = Math.floor(tasks / 2);
  if (center <= ANCESTORS || center + GRAPH_SIZE > tasks) throw new Error(`The graph scenario needs at least ${2 * (GRAPH_SIZE + ANCESTORS)} tasks.`);
  const edges: [number, number][] = [];
  for (let i = center - ANCESTORS; i < center; i++) edges.push([i, i + 1]);
  const below = GRAPH_SIZE - ANCESTORS;
  const perChild = (below - CHILDREN) / CHILDREN;
  for (let k = 0; k < CHILDREN; k++) {
    const child = center + 1 + k;
    edges.push([center, child]);
    for (let j = 0; j < perChild; j++) edges.push([child, center + 1 + CHILDREN + k * perChild + j]);
  }
  await c.query(
    `INSERT INTO task_subtasks (parent_id, child_id) SELECT * FROM unnest($1::int[], $2::int[]) ON CONFLICT DO NOTHING`,
    [edges.map((e) => e[0]), edges.map((e) => e[1])],
  );
  await c.query('ANALYZE task_subtasks');
  return center;
}
