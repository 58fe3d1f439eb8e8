import { MAX_TEXT_NAMES, nameForText } from '../../server/db/prepared';

describe('statements named after their text', () => {
  const hash = (sql: string) => `h${sql.length}_${sql.slice(-4)}`;

  test('one text has one name, another text another, and past the bound new texts go unnamed', () => {
    const first = nameForText('SELECT 1 AS a0000', hash);
    expect(first).toMatch(/^trellis_t_/);
    expect(nameForText('SELECT 1 AS a0000', hash)).toBe(first);
    expect(nameForText('SELECT 1 AS a0001', hash)).not.toBe(first);
    for (let i = 2; i < MAX_TEXT_NAMES + 10; i++) nameForText(`SELECT 1 AS a${String(i).padStart(4, '0')}`, hash);
    expect(nameForText('SELECT 2 AS b', hash)).toBeNull();
    // Those named before the bound keep their names.
    expect(nameForText('SELECT 1 AS a0000', hash)).toBe(first);
  });
});
