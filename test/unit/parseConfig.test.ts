import { strict as assert } from 'node:assert';
import { parseConfig } from '../../server/src/config/parseConfig';
import { isDue, nextRunAt, parseSchedule, scheduleProblem } from '../../server/src/sync/syncSchedule';
import { SAMPLE_YAML } from '../helpers/tempDir';

function problemsOf(text: string) {
  const parsed = parseConfig(text);
  assert.equal(parsed.config, undefined, 'a broken file must not yield a config');
  assert.ok(parsed.problems.length > 0);
  return parsed.problems;
}

/** 1-based line of the first line that contains `needle`. */
function lineOf(text: string, needle: string, nth = 1): number {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) if (lines[i]!.includes(needle) && ++seen === nth) return i + 1;
  throw new Error(`"${needle}" not found`);
}

describe('parseConfig', () => {
  it('reads a valid file with its models, credentials and connections', () => {
    const parsed = parseConfig(SAMPLE_YAML);
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.config?.models.length, 2);
    assert.equal(parsed.config?.models[0]?.primaryKey, 'user_id');
    assert.equal(parsed.config?.credentials[1]?.type, 'postgres');
    assert.deepEqual(parsed.config?.connections, [{ id: 'active_users_to_crm', model: 'active_users' }]);
  });

  it('fills defaults for optional lists and the state schema', () => {
    const parsed = parseConfig('version: 1\n');
    assert.deepEqual(parsed.config, { version: 1, stateSchema: '_retl', credentials: [], models: [], destinations: [], connections: [] });
  });

  it('reports a YAML syntax error at its line', () => {
    const text = 'version: 1\nmodels:\n  - id: a\n    name: [unclosed\n';
    const [p] = problemsOf(text);
    assert.match(p!.message, /YAML syntax error/);
    assert.ok(p!.line >= 4, `line ${p!.line}`);
  });

  // Found by the property tests: yaml throws for these while converting the document, which broke the load.
  it('reports an alias without an anchor at the alias, instead of throwing', () => {
    assert.equal(problemsOf('*b')[0]!.message, 'YAML error: Unresolved alias (the anchor must be set before the alias): b');
    const text = 'version: 1\nstateSchema: *nope\n';
    const [p] = problemsOf(text);
    assert.match(p!.message, /Unresolved alias .*: nope/);
    assert.deepEqual([p!.line, p!.column], [2, 14]);
  });

  it('reports aliases that expand without bound ("billion laughs") instead of throwing', () => {
    const text = 'version: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n';
    const [p] = problemsOf(text);
    assert.match(p!.message, /YAML error: Excessive alias count/);
    assert.equal(p!.line, 3);
  });

  it('names the line of a reference to unknown credentials', () => {
    const text = SAMPLE_YAML.replace('credentials: demo   # sample data', 'credentials: nope');
    const [p] = problemsOf(text);
    assert.match(p!.message, /no credentials with id "nope"/);
    assert.equal(p!.line, lineOf(text, 'credentials: nope'));
  });

  it('names the line of a duplicate model id', () => {
    const text = SAMPLE_YAML.replace('  - id: accounts\n', '  - id: active_users\n');
    const [p] = problemsOf(text);
    assert.match(p!.message, /duplicate model id/);
    assert.equal(p!.line, lineOf(text, '- id: active_users', 2));
  });

  it('refuses a model id with spaces, at its line', () => {
    const text = SAMPLE_YAML.replace('  - id: accounts\n', '  - id: my accounts\n');
    const [p] = problemsOf(text);
    assert.match(p!.message, /lowercase letters, digits and _/);
    assert.equal(p!.line, lineOf(text, 'my accounts'));
  });

  it('points at an unknown key', () => {
    const text = SAMPLE_YAML.replace('    passwordEnv: RETL_PG_PASSWORD\n', '    pasword: hunter2x\n');
    const problems = problemsOf(text);
    const p = problems.find((x) => /unknown key "pasword"/.test(x.message));
    assert.ok(p, JSON.stringify(problems));
    assert.equal(p.line, lineOf(text, 'pasword'));
  });

  it('refuses an unknown warehouse type', () => {
    const text = SAMPLE_YAML.replace('type: demo\n', 'type: oracle\n');
    const [p] = problemsOf(text);
    assert.match(p!.message, /must be one of postgres, snowflake, demo/);
    assert.equal(p!.line, lineOf(text, 'type: oracle'));
  });

  it('refuses a missing required field, naming it', () => {
    const text = SAMPLE_YAML.replace('    query: models/accounts.sql\n', '');
    const [p] = problemsOf(text);
    assert.match(p!.message, /models\[1\]: "query" is missing/);
    assert.equal(p!.line, lineOf(text, '- id: accounts'));
  });

  it('refuses another version, an empty file and duplicate keys', () => {
    assert.match(problemsOf('version: 2\n')[0]!.message, /version: must be 1/);
    assert.match(problemsOf('')[0]!.message, /empty/);
    assert.match(problemsOf('version: 1\nversion: 1\n')[0]!.message, /YAML syntax error/);
  });

  it('refuses a connection to an unknown model and a query path leaving the workspace', () => {
    const text = SAMPLE_YAML.replace('    model: active_users\n', '    model: gone\n').replace('models/accounts.sql', '../outside.sql');
    const messages = problemsOf(text).map((p) => p.message);
    assert.ok(messages.some((m) => /no model with id "gone"/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /must be a path inside the workspace/.test(m)), messages.join('\n'));
  });

  it('refuses two models with the same name, whatever the case', () => {
    const text = SAMPLE_YAML.replace('name: Accounts', 'name: ACTIVE USERS');
    assert.match(problemsOf(text)[0]!.message, /duplicate model name/);
  });

  describe('destinations and connections', () => {
    const base = `version: 1
credentials:
  - id: pg
    type: postgres
    host: h
    database: d
    user: u
  - id: demo
    type: demo
models:
  - id: m
    name: M
    credentials: pg
    query: models/m.sql
    primaryKey: id
destinations:
  - id: hook
    type: webhook
    url: https://example.com/in
    headersEnv: { authorization: HOOK_TOKEN }
  - id: rs
    type: rudderstack
    dataPlaneUrl: https://dp.example.com
    writeKeyEnv: RS_KEY
  - id: tbl
    type: postgres
    credentials: pg
    table: crm.contacts
connections:
  - id: c1
    model: m
    destination: hook
    mode: mirror
    mapping: { id: user_id }
    schedule: 15m
  - id: c2
    model: m
    destination: rs
    event: { type: track, userIdColumn: id, name: Synced }
`;

    it('accepts webhook, RudderStack and PostgreSQL destinations and connections to them', () => {
      const parsed = parseConfig(base);
      assert.deepEqual(parsed.problems, []);
      assert.deepEqual(parsed.config!.destinations.map((d) => d.type), ['webhook', 'rudderstack', 'postgres']);
      assert.deepEqual(parsed.config!.connections[0], { id: 'c1', model: 'm', destination: 'hook', mode: 'mirror', mapping: { id: 'user_id' }, schedule: '15m' });
    });

    it('names the line of an unknown destination, a postgres destination on demo credentials, and a RudderStack mirror', () => {
      const text = base.replace('destination: hook', 'destination: nowhere').replace('    credentials: pg\n    table:', '    credentials: demo\n    table:').replace('    destination: rs\n', '    destination: rs\n    mode: mirror\n');
      const problems = problemsOf(text);
      const find = (re: RegExp) => problems.find((p) => re.test(p.message));
      assert.equal(find(/no destination with id "nowhere"/)?.line, lineOf(text, 'destination: nowhere'));
      assert.equal(find(/must name credentials of type postgres/)?.line, lineOf(text, 'credentials: demo'));
      assert.ok(find(/RudderStack's HTTP API has no delete/));
    });

    it('refuses a bad mode, a bad schedule, a track event without a name and unknown keys', () => {
      const text = base.replace('mode: mirror', 'mode: sometimes').replace('schedule: 15m', 'schedule: hourly').replace(', name: Synced', '').replace('    table: crm.contacts\n', '    table: crm.contacts\n    truncate: true\n');
      const messages = problemsOf(text).map((p) => p.message).join('\n');
      assert.match(messages, /mode/);
      assert.match(messages, /schedule/);
      assert.match(messages, /truncate/);
    });

    it('asks a track event for its name once the schema is satisfied', () => {
      const messages = problemsOf(base.replace(', name: Synced', '')).map((p) => p.message).join('\n');
      assert.match(messages, /a track event needs a name/);
    });
  });
});

describe('schedules', () => {
  const at = (iso: string) => Date.parse(iso);
  const next = (text: string, last: string | undefined, now: string, zone?: string) => {
    const t = nextRunAt(parseSchedule(text, zone), last === undefined ? undefined : at(last), at(now));
    return t === undefined ? undefined : new Date(t).toISOString();
  };

  it('reads manual, intervals in minutes, hours and days, and 5-field cron expressions', () => {
    assert.deepEqual(parseSchedule('manual'), { kind: 'manual' });
    assert.deepEqual(parseSchedule(undefined), { kind: 'manual' });
    assert.deepEqual(parseSchedule('15m'), { kind: 'interval', ms: 15 * 60_000 });
    assert.deepEqual(parseSchedule('2h'), { kind: 'interval', ms: 2 * 3_600_000 });
    assert.deepEqual(parseSchedule('1d'), { kind: 'interval', ms: 86_400_000 });
    assert.equal(parseSchedule('0 6 * * 1-5').kind, 'cron');
    assert.match(scheduleProblem('0m')!, /not manual, an interval .* or a cron expression of 5 fields/);
    assert.match(scheduleProblem('* * * * * *')!, /5 fields/, 'seconds are no standard cron field');
    assert.match(scheduleProblem('61 * * * *')!, /not a valid cron expression/);
    assert.match(scheduleProblem('0 0 30 2 *')!, /never matches a date/);
    assert.match(scheduleProblem('0 6 * * *', 'Mars/Olympus')!, /not an IANA time zone/);
    assert.equal(scheduleProblem('*/5 * * * *', 'Europe/Berlin'), undefined);
  });

  it('an interval is due once it has passed since the last start; a connection that never ran is due at once', () => {
    assert.equal(next('1h', '2026-03-01T10:00:00Z', '2026-03-01T10:30:00Z'), '2026-03-01T11:00:00.000Z');
    assert.equal(isDue(parseSchedule('1h'), at('2026-03-01T10:00:00Z'), at('2026-03-01T10:59:59Z')), false);
    assert.equal(isDue(parseSchedule('1h'), at('2026-03-01T10:00:00Z'), at('2026-03-01T11:00:00Z')), true);
    assert.equal(isDue(parseSchedule('0 6 * * *'), undefined, at('2026-03-01T10:00:00Z')), true);
    assert.equal(isDue(parseSchedule('manual'), undefined, at('2026-03-01T10:00:00Z')), false);
  });

  it('a cron schedule is due at its next time after the last run, and a missed run runs once', () => {
    const daily = parseSchedule('30 6 * * *');
    const last = at('2026-03-02T06:30:04Z');
    assert.equal(isDue(daily, last, at('2026-03-03T06:29:59Z')), false);
    assert.equal(isDue(daily, last, at('2026-03-03T06:30:00Z')), true);
    // Closed for four days: due once; after that run, not again until tomorrow's time.
    assert.equal(isDue(daily, last, at('2026-03-07T12:00:00Z')), true);
    assert.equal(next('30 6 * * *', '2026-03-07T12:00:00Z', '2026-03-07T12:00:01Z'), '2026-03-08T06:30:00.000Z');
  });

  it('reads cron in the connection\'s time zone, across a daylight saving change', () => {
    // 09:00 in Berlin: 08:00 UTC in winter, 07:00 UTC after the clocks go forward on 29 March 2026.
    assert.equal(next('0 9 * * *', '2026-03-28T08:00:00Z', '2026-03-28T09:00:00Z', 'Europe/Berlin'), '2026-03-29T07:00:00.000Z');
    assert.equal(isDue(parseSchedule('0 9 * * *', 'Europe/Berlin'), at('2026-03-28T08:00:00Z'), at('2026-03-29T06:59:00Z')), false);
    assert.equal(isDue(parseSchedule('0 9 * * *', 'Europe/Berlin'), at('2026-03-28T08:00:00Z'), at('2026-03-29T07:00:00Z')), true);
    // And back on 25 October: 09:00 is 08:00 UTC again.
    assert.equal(next('0 9 * * *', '2026-10-24T07:00:00Z', '2026-10-24T08:00:00Z', 'Europe/Berlin'), '2026-10-25T08:00:00.000Z');
    // The same expression in UTC (the default) is 09:00 UTC.
    assert.equal(next('0 9 * * *', '2026-03-28T09:00:00Z', '2026-03-28T10:00:00Z'), '2026-03-29T09:00:00.000Z');
  });

  it('checks schedule and time zone in retl.yaml, each at its place, with what is wrong', () => {
    const yaml = (extra: string) => `version: 1\n${extra}credentials:\n  - id: demo\n    type: demo\nmodels:\n  - id: m\n    name: M\n    credentials: demo\n    query: m.sql\nconnections:\n  - id: c\n    model: m\n    schedule: "0 25 * * *"\n    timeZone: Europe/Nowhere\n  - id: d\n    model: m\n    schedule: every day\n`;
    const messages = problemsOf(yaml('timeZone: Europe/Berlin\n')).map((p) => p.message);
    assert.deepEqual(messages.filter((m) => /timeZone|schedule/.test(m)).length, 3);
    assert.ok(messages.some((m) => /^connections\[0\]\.schedule: "0 25 \* \* \*" is not a valid cron expression/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^connections\[0\]\.timeZone: "Europe\/Nowhere" is not an IANA time zone/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^connections\[1\]\.schedule: "every day" is not manual/.test(m)), messages.join('\n'));
    assert.ok(problemsOf(yaml('timeZone: Berlin\n')).some((p) => /^timeZone: "Berlin" is not an IANA time zone/.test(p.message)));
  });
});
