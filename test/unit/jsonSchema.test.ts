// schemas/retl.schema.json: what the YAML extension checks retl.yaml with. It must be what the generator
// makes of the engine's schema today, plain draft-07, and agree with the engine on real files.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { JSON_SCHEMA_FILE, retlJsonSchemaText } from '../../server/src/config/jsonSchema';
import { parseConfig } from '../../server/src/config/parseConfig';
import { initWorkspace } from '../../server/src/init/starterWorkspace';
import { REPO } from '../helpers/cli';
import { SAMPLE_YAML, useTempDir } from '../helpers/tempDir';

const committed = () => readFileSync(path.join(REPO, JSON_SCHEMA_FILE), 'utf8');

/** Ajv as an editor's validator would be: no formats or keywords of ours, unknown keywords an error. */
function editorValidator() {
  const ajv = new Ajv({ allErrors: true, strictSchema: true, strictTypes: false, strictRequired: false, validateFormats: true });
  return ajv.compile(JSON.parse(committed()) as object);
}

describe('retl.yaml JSON Schema (schemas/retl.schema.json)', () => {
  const dir = useTempDir();

  it('is exactly what the generator makes of the engine schema now (else: npm run schema)', () => {
    assert.equal(committed(), retlJsonSchemaText(), `${JSON_SCHEMA_FILE} is stale: run npm run schema and commit it`);
  });

  it('compiles as draft-07 without our custom formats or the discriminator keyword', () => {
    const text = committed();
    assert.ok(!/"format"|"discriminator"/.test(text), 'an Ajv-only keyword reached the file');
    assert.equal((JSON.parse(text) as { $schema: string }).$schema, 'http://json-schema.org/draft-07/schema#');
    editorValidator();
  });

  it("accepts the starter workspace's retl.yaml (retl init --demo and retl init)", async () => {
    const validate = editorValidator();
    for (const demo of [true, false]) {
      const folder = path.join(dir(), demo ? 'demo' : 'empty');
      await initWorkspace(folder, demo);
      const doc: unknown = parse(readFileSync(path.join(folder, 'retl.yaml'), 'utf8'));
      assert.ok(validate(doc), JSON.stringify(validate.errors));
    }
  });

  it("accepts the test sample and the README's example, as the engine does", () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const example = /## Models as code[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(example, "README's retl.yaml example not found");
    const validate = editorValidator();
    for (const text of [SAMPLE_YAML, example]) {
      assert.ok(validate(parse(text)), JSON.stringify(validate.errors));
    }
  });

  it('rejects a typo in a key, as the engine does', () => {
    const validate = editorValidator();
    const typos = [
      SAMPLE_YAML.replace('stateSchema:', 'stateSchena:'),
      SAMPLE_YAML.replace('    query: ', '    querry: '),
      'version: 1\ncredentials:\n  - id: pg\n    type: postgres\n    host: h\n    database: d\n    user: u\n    pasword: x\n',
    ];
    for (const text of typos) {
      assert.ok(parseConfig(text).problems.length > 0, `the engine accepts:\n${text}`);
      assert.equal(validate(parse(text)), false, `the editor schema accepts:\n${text}`);
      assert.ok(validate.errors?.some((e) => e.keyword === 'additionalProperties' || e.keyword === 'oneOf'));
    }
  });

  it('flags a schedule that is none of manual, an interval or five cron fields, and takes each of those', () => {
    const validate = editorValidator();
    const withSchedule = (schedule: string) => parse(`version: 1\nconnections:\n  - id: c\n    model: m\n    schedule: "${schedule}"\n`) as unknown;
    for (const ok of ['manual', '15m', '1h', '2d', '0 6 * * 1-5', '*/5 * * * *']) assert.ok(validate(withSchedule(ok)), ok);
    for (const bad of ['hourly', '15', '0m', '0 6 * *', '']) assert.equal(validate(withSchedule(bad)), false, bad);
  });
});
