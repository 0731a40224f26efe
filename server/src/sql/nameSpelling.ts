// How a catalog name is written into the text in place of a misspelt one (the "did you mean" quick fix):
// the replacement must resolve to that name under the dialect's case rules, and should look like what
// the user wrote. PostgreSQL folds unquoted names to lower case, Snowflake to upper case.
import { quoteIdent } from '../warehouse/postgres/pgSql';
import { SNOWFLAKE_RESERVED } from './snowflakeParser';
import type { Dialect } from './statementCheck';

/**
 * PostgreSQL's reserved keywords and those that cannot name a column or table unquoted (pg_get_keywords()
 * categories R and T, PostgreSQL 16).
 */
const PG_RESERVED = new Set(
  `all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create
  current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc
  distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral
  leading limit localtime localtimestamp not null offset on only or order placing primary references returning
  select session_user some symmetric system_user table then to trailing true union unique user using variadic
  when where window with authorization binary collation concurrently cross current_schema freeze full ilike inner
  is isnull join left like natural notnull outer overlaps right similar tablesample verbose`.split(/\s+/),
);

/**
 * `name` (as the catalog stores it) written where the text has `written` (a word or a quoted name, as it
 * stands in the text). Quoted when it must be, or when the user quoted; otherwise in the user's case
 * where the dialect lets the case differ (`EMIAL` becomes `EMAIL` in PostgreSQL too).
 */
export function spellAs(name: string, written: string, dialect: Dialect): string {
  const folded = dialect === 'postgres' ? name.toLowerCase() : name.toUpperCase();
  const reserved = dialect === 'postgres' ? PG_RESERVED.has(folded) : SNOWFLAKE_RESERVED.has(folded);
  const plain = name === folded && /^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) && !reserved;
  // Both dialects quote a name the same way (a double quote inside doubled).
  if (!plain || written.startsWith('"')) return quoteIdent(name);
  if (/[a-z]/i.test(written) && written === written.toLowerCase()) return name.toLowerCase();
  if (/[a-z]/i.test(written) && written === written.toUpperCase()) return name.toUpperCase();
  return name;
}
