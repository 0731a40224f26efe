// The catalog checks walk parse trees with an explicit stack: a tree of any depth is checked, not lost
// to "Maximum call stack size exceeded", and the problems are the ones the recursive walk found, in its
// order. The deep trees are built here, not parsed: the parser would run out of stack on such text first.
import { strict as assert } from 'node:assert';
import { analyzeSql } from '../../server/src/sql/analyzeSql';
import { checkPgSemantics, type SemanticProblem } from '../../server/src/sql/pgSemantics';
import { readSnowflake } from '../../server/src/sql/snowflakeParser';
import { snowflakeTableChecks } from '../../server/src/sql/snowflakeSemantics';
import { loadPgParser } from '../../server/src/sql/statementCheck';
import { fixtureCatalog } from '../helpers/sqlCorpus';

type Node = Record<string, unknown>;
type PgParser = Awaited<ReturnType<typeof loadPgParser>>;

const DEPTH = 100_000;
const catalog = fixtureCatalog('postgres');

let parser: PgParser;
/** The statement node ({ SelectStmt: ... }) of one query. */
const stmtOf = (sql: string): Node => (parser.parseSync(sql) as unknown as { stmts: { stmt: Node }[] }).stmts[0]!.stmt;
const selectOf = (sql: string): Node => stmtOf(sql).SelectStmt as Node;
/** Fresh copies of a small tree, one per level of a deep one. */
const copies = <T>(tree: T): (() => T) => {
  const json = JSON.stringify(tree);
  return () => JSON.parse(json) as T;
};
const codesAndMessages = (problems: SemanticProblem[]) => problems.map((p) => [p.code, p.message]);

const loadParser = () =>
  before(async () => {
    parser = await loadPgParser();
  });

describe('PostgreSQL catalog checks on trees deeper than the JavaScript stack', () => {
  loadParser();

  it(`checks ${DEPTH.toLocaleString('en-US')} subqueries nested in FROM, down to an unknown column at the bottom`, () => {
    let sel = selectOf('SELECT nope FROM users');
    const level = copies(selectOf('SELECT x FROM (SELECT 1) s'));
    for (let i = 0; i < DEPTH; i++) {
      const outer = level();
      ((outer.fromClause as Node[])[0]!.RangeSubselect as Node).subquery = { SelectStmt: sel };
      sel = outer;
    }
    const problems = checkPgSemantics({ SelectStmt: sel }, catalog, 'id');
    assert.deepEqual(codesAndMessages(problems), [
      ['unknown-column', 'Unknown column "nope".'],
      ['missing-primary-key', 'The model\'s primary key "id" is not among the output columns (x).'],
    ]);
  });

  it(`checks an A_Expr chain ${DEPTH.toLocaleString('en-US')} deep, in source order`, () => {
    const top = selectOf('SELECT id + nope2 FROM users');
    const target = (top.targetList as Node[])[0]!.ResTarget as Node;
    const template = (target.val as Node).A_Expr as Node;
    const level = copies(template);
    const idRef = template.lexpr;
    // ((nope1 + id) + id) + ... + nope2
    let expr: Node = (((selectOf('SELECT nope1 + id FROM users').targetList as Node[])[0]!.ResTarget as Node).val as Node);
    for (let i = 0; i < DEPTH; i++) expr = { A_Expr: { ...level(), lexpr: expr, rexpr: i === DEPTH - 1 ? template.rexpr : idRef } };
    target.val = expr;
    const problems = checkPgSemantics({ SelectStmt: top }, catalog);
    assert.deepEqual(codesAndMessages(problems), [
      ['unknown-column', 'Unknown column "nope1".'],
      ['unknown-column', 'Unknown column "nope2".'],
    ]);
  });

  it(`checks function calls nested ${DEPTH.toLocaleString('en-US')} deep (lists inside nodes)`, () => {
    const sel = selectOf('SELECT lower(nope) FROM users');
    const target = (sel.targetList as Node[])[0]!.ResTarget as Node;
    const level = copies(target.val as Node);
    let call = target.val as Node;
    for (let i = 0; i < DEPTH; i++) {
      const next = level();
      (next.FuncCall as Node).args = [call];
      call = next;
    }
    target.val = call;
    assert.deepEqual(codesAndMessages(checkPgSemantics({ SelectStmt: sel }, catalog)), [['unknown-column', 'Unknown column "nope".']]);
  });

  it(`checks a ${DEPTH.toLocaleString('en-US')}-arm UNION ALL; the output columns are still the leftmost arm's`, () => {
    let chain = selectOf('SELECT id, nope1 AS id FROM users');
    const middle = selectOf('SELECT id, email FROM users');
    const last = selectOf('SELECT id, nope2 FROM users');
    const level = copies(selectOf('SELECT 1 UNION ALL SELECT 2'));
    for (let i = 1; i < DEPTH; i++) {
      const next = level();
      next.larg = chain;
      next.rarg = i === DEPTH - 1 ? last : middle;
      chain = next;
    }
    const problems = checkPgSemantics({ SelectStmt: chain }, catalog, 'email');
    assert.deepEqual(codesAndMessages(problems), [
      ['unknown-column', 'Unknown column "nope1".'],
      ['unknown-column', 'Unknown column "nope2".'],
      ['duplicate-output-column', 'The output has two columns named "id": destinations need one name per column. Give one an alias.'],
      ['missing-primary-key', 'The model\'s primary key "email" is not among the output columns (id, id).'],
    ]);
  });

  it(`checks ${DEPTH.toLocaleString('en-US')} JOINs nested in one FROM item, ON conditions with the whole level`, () => {
    const sel = selectOf('SELECT 1 FROM users a JOIN nosuch b ON a.nope = b.id');
    const level = copies((selectOf('SELECT 1 FROM users a JOIN orders b ON true').fromClause as Node[])[0]!.JoinExpr as Node);
    const last = selectOf('SELECT 1 FROM users WHERE zz.id = 1').whereClause as Node;
    let join = (sel.fromClause as Node[])[0]!;
    for (let i = 0; i < DEPTH; i++) {
      const next = level();
      next.larg = join;
      ((next.rarg as Node).RangeVar as Node).alias = { aliasname: `o${i}` };
      if (i === DEPTH - 1) next.quals = (last.A_Expr as Node).lexpr; // zz.id
      join = { JoinExpr: next };
    }
    sel.fromClause = [join];
    const problems = checkPgSemantics({ SelectStmt: sel }, catalog);
    assert.deepEqual(
      problems.map((p) => p.code),
      ['unknown-table', 'unknown-column', 'unknown-table-reference'],
    );
    assert.equal(problems[0]!.message, 'Unknown table "nosuch".');
    assert.match(problems[1]!.message, /^Table "users" \(a\) has no column "nope"\./);
    assert.match(problems[2]!.message, /^"zz" is not a table or alias in the FROM clause\./);
  });

  it('checks 10,000 correlated subqueries nested in WHERE, each seeing the levels around it', () => {
    // Each level adds a scope, so this one is kept at a depth the parser itself could produce.
    const depth = 10_000;
    let sel = selectOf('SELECT 1 FROM orders o WHERE o.nope = u.id');
    const level = copies(selectOf('SELECT 1 FROM users u WHERE EXISTS (SELECT 1)'));
    for (let i = 0; i < depth; i++) {
      const next = level();
      ((next.whereClause as Node).SubLink as Node).subselect = { SelectStmt: sel };
      sel = next;
    }
    const problems = checkPgSemantics({ SelectStmt: sel }, catalog);
    assert.deepEqual(problems.map((p) => p.code), ['unknown-column']);
    assert.match(problems[0]!.message, /^Table "orders" \(o\) has no column "nope"\./);
  });

  it('checks parseable text the recursive walk could not: a 6,000-term sum and an 8,000-arm UNION ALL', async () => {
    const sum = `SELECT ${Array(6000).fill('id').join(' + ')} + nope AS total FROM users`;
    const sumDiagnostics = await analyzeSql(sum, { dialect: 'postgres', catalog });
    assert.deepEqual(sumDiagnostics.map((d) => [d.code, d.message]), [['unknown-column', 'Unknown column "nope".']]);
    const union = `${Array(8000).fill('SELECT id FROM users').join(' UNION ALL ')} UNION ALL SELECT nope FROM users`;
    const unionDiagnostics = await analyzeSql(union, { dialect: 'postgres', catalog });
    assert.deepEqual(unionDiagnostics.map((d) => [d.code, d.start, d.end]), [['unknown-column', union.length - ' FROM users'.length - 'nope'.length, union.length - ' FROM users'.length]]);
  });
});

describe('Snowflake table checks on a tree deeper than the JavaScript stack', () => {
  it(`checks ${DEPTH.toLocaleString('en-US')} subqueries nested in FROM, down to an unknown table`, async () => {
    // polyglot's own guards stop it at 32 nested subqueries; a deeper tree is built from its node shape.
    const text = 'SELECT * FROM (SELECT * FROM NOPE) S';
    const read = await readSnowflake(text);
    assert.ok(read.ok);
    const level = copies(read.ast[0] as Node);
    let ast = level();
    const inner = (n: Node) => ((((n.select as Node).from as Node).expressions as Node[])[0]!.subquery as Node);
    for (let i = 0; i < DEPTH; i++) {
      const next = level();
      inner(next).this = ast;
      ast = next;
    }
    const out = snowflakeTableChecks([ast], 0, fixtureCatalog('snowflake'));
    assert.deepEqual(out.map((d) => [d.code, d.start, d.end]), [['unknown-table', text.indexOf('NOPE'), text.indexOf('NOPE') + 4]]);
  });
});

// The walk was compared, when it became iterative, with the recursive one it replaced over every corpus
// query and its misspelled variants (1,500 cases, identical); these probes keep the order it must keep.
describe('catalog checks: problems in reading order, scope as it stands at each point', () => {
  loadParser();

  // Problems several at a time, where the order and the scope state at each point matter.
  const probes = [
    'SELECT nope1, (SELECT nope2 FROM orders WHERE nope3 = 1) FROM users WHERE nope4 = 1 GROUP BY nope5 ORDER BY nope6',
    'WITH a AS (SELECT nope1 FROM users), b AS (SELECT x FROM a, nosuch1) SELECT nope2 FROM b, a, nosuch2 ORDER BY nope3',
    'WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE nope1 < 3) SELECT n FROM r JOIN nosuch ON r.n = nosuch.x',
    'WITH a AS (SELECT 1 FROM b), b AS (SELECT 1 FROM a) SELECT 1 FROM a',
    'SELECT u.id FROM users u JOIN accounts a USING (id) JOIN orders o ON created_at = 1 WHERE created_at IS NULL',
    'SELECT 1 FROM users u, LATERAL (SELECT u.nope1, x.id FROM orders) x, LATERAL (SELECT x.anything, u.nope2) y',
    'SELECT id, id FROM users UNION SELECT nope1, nope2 FROM orders UNION (SELECT email, email FROM nosuch)',
    '(WITH c AS (SELECT nope1 FROM users) SELECT id, id FROM c) UNION ALL SELECT nope2 FROM users',
    'SELECT id AS user_id, user_id FROM users ORDER BY user_id, nope1',
    'SELECT u.*, o.* FROM users u JOIN orders o ON o.user_id = u.id JOIN analitics.daily_active d ON d.nope = 1',
    'SELECT * FROM users u JOIN orders o ON o.nope1 = u.nope2 JOIN accounts a ON a.nope3 = o.nope4 WHERE zz.id = 1',
    'SELECT (SELECT (SELECT nope1 FROM orders o WHERE o.user_id = u.id AND u.nope2 = o.nope3) FROM accounts) FROM users u',
    'SELECT count(*) FILTER (WHERE nope1 > 0) OVER (PARTITION BY nope2 ORDER BY nope3) FROM users WINDOW w AS (ORDER BY nope4)',
    'SELECT DISTINCT ON (nope1) id FROM users u NATURAL JOIN accounts a WHERE email = a.nope2',
    'SELECT created_at FROM users, accounts, generate_series(1, 3) g WHERE g.x = 1',
    'SELECT id FROM (SELECT 1) s, users WHERE s.id = nope1 AND users.nope2 = 1',
  ];

  it('PostgreSQL probes: problems in reading order, scope as it stands at each point', () => {
    const codes = (sql: string, primaryKey?: string) => checkPgSemantics(stmtOf(sql), catalog, primaryKey).map((p) => [p.code, p.message.split('.')[0]]);
    assert.deepEqual(codes(probes[0]!), [
      ['unknown-column', 'Unknown column "nope1"'],
      ['unknown-column', 'Unknown column "nope2"'],
      ['unknown-column', 'Unknown column "nope3"'],
      ['unknown-column', 'Unknown column "nope4"'],
      ['unknown-column', 'Unknown column "nope5"'],
      ['unknown-column', 'Unknown column "nope6"'],
    ]);
    // A LATERAL subquery sees the FROM items before it, never itself.
    assert.deepEqual(codes(probes[5]!), [
      ['unknown-column', 'Table "users" (u) has no column "nope1"'],
      ['unknown-table-reference', '"x" is not a table or alias in the FROM clause'],
      ['unknown-column', 'Table "users" (u) has no column "nope2"'],
    ]);
    // Arms in order; the output checks (duplicates, primary key) last, on the leftmost arm only.
    assert.deepEqual(codes(probes[6]!, 'user_id'), [
      ['unknown-column', 'Unknown column "nope1"'],
      ['unknown-column', 'Unknown column "nope2"'],
      ['unknown-table', 'Unknown table "nosuch"'],
      ['duplicate-output-column', 'The output has two columns named "id": destinations need one name per column'],
      ['missing-primary-key', 'The model\'s primary key "user_id" is not among the output columns (id, id)'],
    ]);
  });
});
