import { DEFAULT_STATUSES } from '../../server/tracker-config';
import { COMMENT_OPENERS, COMMON_WORDS, FIRST_NAMES, LAST_NAMES, RARE_WORDS, TITLE_OPENERS } from './words';

/**
 * The SQL that writes the synthetic tracker, one batch of task ids at a time.
 * Every value that events and the task row must agree on is drawn once into
 * a temporary plan table; the events are written from the plan, and the task
 * row from the plan and the events (updated_at, comments_vector).
 */

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
const array = (xs: readonly string[]) => `(ARRAY[${xs.map(literal).join(',')}]::text[])`;

const COMMON = array(COMMON_WORDS);
const RARE = array(RARE_WORDS);
const OPENERS = array(COMMENT_OPENERS);
const TITLES = array(TITLE_OPENERS);

/** One word: mostly common ones, skewed so a few are everywhere; sometimes a rare one. */
const WORD = `CASE WHEN random() < 0.88 THEN ${COMMON}[1 + floor(power(random(), 2) * ${COMMON_WORDS.length})::int] ELSE ${RARE}[1 + floor(random() * ${RARE_WORDS.length})::int] END`;

/** `n` words separated by spaces; `n` must name a column of the outer row, so the subquery runs per row. */
const words = (n: string) => `(SELECT string_agg(${WORD}, ' ') FROM generate_series(1, ${n}))`;

const pick = (arr: string, len: number) => `${arr}[1 + floor(random() * ${len})::int]`;

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * A PHID as the migrations require: prefix, then [a-z2-7]. The last `idChars`
 * characters spell the row's number in base 32, so values are unique without
 * a lookup; the rest are random (md5 hex mapped into the alphabet).
 */
export function phidSql(prefix: string, idExpr: string, length: number, idChars: number): string {
  const parts: string[] = [];
  for (let k = idChars - 1; k >= 0; k--) parts.push(`substr('${B32}', ((((${idExpr}) >> ${5 * k}) & 31)::int + 1), 1)`);
  return `('${prefix}' || translate(substr(md5(random()::text), 1, ${length - idChars}), '0189', 'wxyz') || ${parts.join(' || ')})`;
}

export const CLAIM_STATUSES = DEFAULT_STATUSES.filter((s) => s.closed && s.claim).map((s) => s.key);

/** Who is who: ids 1..maintainers are maintainers (2 and 3 administrators), then engineers, then readers. */
export interface Population {
  people: number;
  maintainers: number;
  /** Everyone who may create, comment and own: maintainers and engineers. */
  workers: number;
}

export function population(people: number): Population {
  const maintainers = Math.max(4, Math.round(people * 0.08));
  return { people, maintainers, workers: Math.max(maintainers + 1, Math.round(people * 0.7)) };
}

/** $1: the one password hash every account shares. */
export function usersSql(pop: Population): string {
  const nf = FIRST_NAMES.length;
  const nl = LAST_NAMES.length;
  return `
    INSERT INTO users (id, username, realname, email, role, password_hash, phid, created_at, updated_at)
    OVERRIDING SYSTEM VALUE
    SELECT i, username, first || ' ' || last, username || '@example.com',
      CASE WHEN i IN (2, 3) THEN 'admin' WHEN i <= ${pop.maintainers} THEN 'maintainer' WHEN i <= ${pop.workers} THEN 'engineer' ELSE 'reader' END,
      $1, ${phidSql('PHID-USER-', 'i', 20, 7)}, joined, joined
    FROM (
      SELECT i, first, last,
        lower(first || '.' || last) || CASE WHEN i > ${nf * nl} THEN (i / ${nf * nl})::text ELSE '' END AS username,
        now() - interval '760 days' + (i::float8 / ${pop.people}) * interval '700 days' AS joined
      FROM generate_series(1, ${pop.people}) i,
        LATERAL (SELECT ${array(FIRST_NAMES)}[1 + (i - 1) % ${nf}] AS first, ${array(LAST_NAMES)}[1 + ((i - 1) / ${nf}) % ${nl}] AS last) n
    ) u
    ORDER BY i`;
}

export interface PlanParams {
  total: number;
  eventsPerTask: number;
  pop: Population;
  pageTaskId: number;
}

/**
 * One row per task of the batch ($1..$2): every random choice its row and its
 * events share. The owner is skewed toward low ids, so person 1 holds the most.
 */
export function planSql(p: PlanParams): string {
  const claim = CLAIM_STATUSES.map(literal).join(', ');
  return `
    CREATE TEMP TABLE plan ON COMMIT DROP AS
    WITH base AS (
      SELECT g AS id, random() AS r_status, random() AS r_closed, random() AS r_pri, random() AS r_owner, random() AS r_has_owner,
        random() AS r_view, random() AS r_author, random() AS r_closer, random() AS r_closer2, random() AS r_span, random() AS r_rename,
        random() AS r_sub, random() AS r_sub_user, random() AS r_target, random() AS r_jitter, random() AS r_assign,
        3 + floor(random() * 5)::int AS title_len, 8 + floor(random() * 24)::int AS desc_len, random() < 0.35 AS has_steps
      FROM generate_series($1::int, $2::int) g
    ), shaped AS (
      SELECT b.*,
        CASE WHEN b.id = ${p.pageTaskId} THEN 'open'
             WHEN b.r_status < 0.12 + 0.55 * power(b.id::float8 / ${p.total}, 4) THEN 'open'
             WHEN b.r_closed < 0.72 THEN 'resolved' WHEN b.r_closed < 0.84 THEN 'wontfix'
             WHEN b.r_closed < 0.95 THEN 'invalid' ELSE 'duplicate' END AS status,
        CASE WHEN b.r_pri < 0.01 THEN 100 WHEN b.r_pri < 0.10 THEN 90 WHEN b.r_pri < 0.26 THEN 80
             WHEN b.r_pri < 0.70 THEN 50 WHEN b.r_pri < 0.90 THEN 25 ELSE 0 END AS priority,
        CASE WHEN b.id = ${p.pageTaskId} THEN 1 WHEN b.r_has_owner < 0.3 THEN NULL
             ELSE 1 + floor(${p.pop.workers} * power(b.r_owner, 1.7))::int END AS owner0,
        CASE WHEN b.id = ${p.pageTaskId} OR b.r_view < 0.25 THEN 'public' WHEN b.r_view < 0.95 THEN 'users' ELSE 'maintainers' END AS view_policy,
        1 + floor(${p.pop.workers} * power(b.r_author, 1.3))::int AS author_id,
        least(now() - interval '1 hour', now() - interval '730 days' + ((b.id - 1)::float8 / ${p.total}) * interval '729 days' + b.r_jitter * interval '12 hours') AS created_at
      FROM base b
    ), closing AS (
      SELECT s.*, s.status <> 'open' AS closed,
        CASE WHEN s.status = 'open' THEN NULL
             WHEN s.owner0 IS NOT NULL AND s.r_closer < 0.8 THEN s.owner0
             ELSE 1 + floor(${p.pop.maintainers} * s.r_closer2)::int END AS closer_id,
        CASE WHEN s.r_sub < 0.4 AND 1 + floor(${p.pop.workers} * s.r_sub_user)::int <> s.author_id
             THEN 1 + floor(${p.pop.workers} * s.r_sub_user)::int END AS sub_user,
        s.r_rename < 0.1 AND s.id <> ${p.pageTaskId} AS renamed,
        least(extract(epoch FROM now() - s.created_at) * 0.98, 3600 + 90 * 86400 * power(s.r_span, 2)) * interval '1 second' AS span
      FROM shaped s
    ), counted AS (
      SELECT c.*,
        c.closed AND c.status IN (${claim}) AND c.owner0 IS NULL AS claim_on_close,
        1 + floor(${p.pop.workers} * random())::int AS triager,
        -- A third of tasks are due some day within two months of being filed.
        CASE WHEN random() < 0.33 THEN to_char(c.created_at AT TIME ZONE 'UTC' + (1 + floor(random() * 60)::int) * interval '1 day', 'YYYY-MM-DD') END AS due
      FROM closing c
    )
    SELECT k.*,
      coalesce(k.owner0, CASE WHEN k.claim_on_close THEN k.closer_id END) AS owner_id,
      CASE WHEN k.r_assign < 0.5 THEN k.owner0 ELSE k.triager END AS assigner,
      CASE WHEN k.id = ${p.pageTaskId} THEN 20 ELSE greatest(0,
        round(${p.eventsPerTask} * (0.5 + k.r_target))::int
        - 4 - (k.view_policy <> 'users')::int - (k.priority <> 90)::int - (k.owner0 IS NOT NULL)::int
        - (k.sub_user IS NOT NULL)::int - (k.due IS NOT NULL)::int - k.closed::int - k.claim_on_close::int - k.renamed::int) END AS n_comments,
      ${pick(TITLES, TITLE_OPENERS.length)} || ' ' || ${words('k.title_len')} AS title,
      ${pick(TITLES, TITLE_OPENERS.length)} || ' ' || ${words('k.title_len')} AS first_title0,
      initcap(${words('k.desc_len')}) || '.'
        || CASE WHEN k.has_steps THEN E'\\n\\nSteps to reproduce:\\n\\n1. Open the ' || ${words('1 + k.title_len % 2')}
           || E'\\n2. Click ' || ${words('1 + k.desc_len % 3')} || E'\\n3. See the \`' || ${RARE}[1 + floor(random() * ${RARE_WORDS.length})::int]
           || E'\` error\\n\\nExpected: ' || ${words('2 + k.desc_len % 4')} || '.' ELSE '' END AS description,
      gen_random_uuid() AS g0, gen_random_uuid() AS g_close
    FROM counted k`;
}

/** The events of the batch, in the order the editor would have written them. */
export const eventsTempSql = (pop: Population) => `
  CREATE TEMP TABLE ev ON COMMIT DROP AS
  WITH p AS (SELECT *, CASE WHEN renamed THEN first_title0 ELSE title END AS first_title FROM plan)
  SELECT p.id AS task_id, 0 AS seq, p.g0 AS group_id, p.author_id AS actor_id, 'create'::text AS type, 'null'::jsonb AS old_value, 'true'::jsonb AS new_value, p.created_at FROM p
  UNION ALL SELECT p.id, 1, p.g0, p.author_id, 'title', '""', to_jsonb(p.first_title), p.created_at FROM p
  UNION ALL SELECT p.id, 2, p.g0, p.author_id, 'description', '""', to_jsonb(p.description), p.created_at FROM p
  UNION ALL SELECT p.id, 3, p.g0, p.author_id, 'view', '"users"', to_jsonb(p.view_policy), p.created_at FROM p WHERE p.view_policy <> 'users'
  UNION ALL SELECT p.id, 4, p.g0, p.author_id, 'subscribers', '[]', jsonb_build_array(p.author_id), p.created_at FROM p
  UNION ALL SELECT p.id, 10, gen_random_uuid(), p.triager, 'priority', '90', to_jsonb(p.priority), p.created_at + p.span * 0.05 FROM p WHERE p.priority <> 90
  UNION ALL SELECT p.id, 11, gen_random_uuid(), p.assigner, 'owner', 'null', to_jsonb(p.owner0), p.created_at + p.span * 0.1 FROM p WHERE p.owner0 IS NOT NULL
  UNION ALL SELECT p.id, 12, gen_random_uuid(), p.sub_user, 'subscribers', jsonb_build_array(p.author_id),
    jsonb_build_array(least(p.author_id, p.sub_user), greatest(p.author_id, p.sub_user)), p.created_at + p.span * 0.15 FROM p WHERE p.sub_user IS NOT NULL
  UNION ALL SELECT p.id, 13, gen_random_uuid(), p.author_id, 'due', 'null', to_jsonb(p.due), p.created_at + p.span * 0.12 FROM p WHERE p.due IS NOT NULL
  UNION ALL SELECT p.id, 100 + c.n, gen_random_uuid(),
    CASE WHEN c.r < 0.3 THEN p.author_id WHEN c.r < 0.55 AND p.owner0 IS NOT NULL THEN p.owner0 ELSE 1 + floor(c.r2 * ${pop.workers})::int END,
    'comment', 'null', to_jsonb(c.body), p.created_at + p.span * (0.2 + 0.7 * c.n / (p.n_comments + 1)) FROM p
    CROSS JOIN LATERAL (
      SELECT g AS n, random() AS r, random() AS r2,
        ${OPENERS}[1 + floor(random() * ${COMMENT_OPENERS.length})::int] || ' ' || ${words('4 + (g + p.desc_len) % 13')} || '.'
          || CASE WHEN random() < 0.15 THEN E'\\n\\n\`\`\`\\n' || ${RARE}[1 + floor(random() * ${RARE_WORDS.length})::int] || ': ' || ${words('2 + g % 3')} || E'\\n\`\`\`' ELSE '' END AS body
      FROM generate_series(1, p.n_comments) g
    ) c
  UNION ALL SELECT p.id, 900, gen_random_uuid(), p.author_id, 'title', to_jsonb(p.first_title0), to_jsonb(p.title), p.created_at + p.span * 0.93 FROM p WHERE p.renamed
  UNION ALL SELECT p.id, 998, p.g_close, p.closer_id, 'status', '"open"', to_jsonb(p.status), p.created_at + p.span FROM p WHERE p.closed
  UNION ALL SELECT p.id, 999, p.g_close, p.closer_id, 'owner', 'null', to_jsonb(p.closer_id), p.created_at + p.span FROM p WHERE p.claim_on_close`;

/** Rows in task order and, within a task, in the order they happened: ids then read as the timeline. */
export const EVENTS_INSERT_SQL = `
  INSERT INTO task_events (task_id, group_id, actor_id, type, old_value, new_value, source, created_at, phid)
  SELECT task_id, group_id, actor_id, type, old_value, new_value, 'web', created_at, ${phidSql('PHID-XACT-TASK-', 'task_id::bigint * 1024 + seq', 15, 9)}
  FROM ev ORDER BY task_id, seq`;

/**
 * The comments' words as the search migrations build them from the events: a
 * gap of positions between comments, so no quoted phrase spans two of them.
 */
export const COMMENTS_VECTOR = (order: string) =>
  `ts_delete(setweight(to_tsvector('english'::regconfig, string_agg(new_value #>> '{}', ' trellisgap trellisgap trellisgap ' ORDER BY ${order})), 'C'), 'trellisgap')`;

/** The task row: the plan's end state, the last event's time, and the comments' words as the editor keeps them. */
export const TASKS_INSERT_SQL = `
  INSERT INTO tasks (id, title, description, status, priority, owner_id, owner_ordering, author_id, view_policy, created_at, updated_at, closed_at, closer_id, phid, comments_vector, due, due_at)
  OVERRIDING SYSTEM VALUE
  SELECT p.id, p.title, p.description, p.status, p.priority, p.owner_id, coalesce(lower(o.username), ''), p.author_id, p.view_policy, p.created_at, u.updated_at,
    CASE WHEN p.closed THEN p.created_at + p.span END, p.closer_id, ${phidSql('PHID-TASK-', 'p.id', 20, 7)}, coalesce(c.v, ''::tsvector),
    p.due, p.due::timestamp AT TIME ZONE 'UTC'
  FROM plan p
  JOIN (SELECT task_id, max(created_at) AS updated_at FROM ev GROUP BY task_id) u ON u.task_id = p.id
  LEFT JOIN users o ON o.id = p.owner_id
  LEFT JOIN (
    SELECT task_id, ${COMMENTS_VECTOR('seq')} AS v
    FROM ev WHERE type = 'comment' GROUP BY task_id
  ) c ON c.task_id = p.id
  ORDER BY p.id`;

export const SUBSCRIBERS_INSERT_SQL = `
  INSERT INTO task_subscribers (task_id, user_id, created_at)
  SELECT id, author_id, created_at FROM plan
  UNION ALL SELECT id, sub_user, created_at + span * 0.15 FROM plan WHERE sub_user IS NOT NULL`;

/** How many customers the text field names: the bench's text filter picks one of them. */
export const BENCH_CUSTOMERS = 200;

/**
 * Custom field values for a share of the tasks: half have a severity (sev1 rare, sev4 common),
 * 30% a customer, one of BENCH_CUSTOMERS names, skewed so a few are frequent.
 */
export const FIELD_VALUES_SQL = `
  INSERT INTO task_field_values (task_id, field_key, field_type, text_value)
  SELECT id, 'severity', 'select', CASE WHEN r < 0.02 THEN 'sev1' WHEN r < 0.10 THEN 'sev2' WHEN r < 0.30 THEN 'sev3' ELSE 'sev4' END
  FROM (SELECT id, random() AS r, random() AS has FROM tasks) t WHERE has < 0.5
  UNION ALL
  SELECT id, 'customer', 'text', 'Customer ' || (1 + floor(${BENCH_CUSTOMERS} * power(r, 2))::int)
  FROM (SELECT id, random() AS r, random() AS has FROM tasks) t WHERE has < 0.3`;
