// retl.yaml's schema for editors (schemas/retl.schema.json, contributed to the YAML extension), made from
// the one schema the engine checks with, so the two cannot say different things. What only Ajv knows is
// translated: the YAML extension validates plain draft-07 and would report unknown formats as errors or
// ignore them, and it has no use for Ajv's discriminator (oneOf plus the `type` const already tell the
// variants apart).
import { SCHEDULE_INTERVAL } from '../../../protocol/src/config';
import { configSchema } from './schema';

export const JSON_SCHEMA_FILE = 'schemas/retl.schema.json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// Looser than the engine on purpose: the editor flags what is plainly wrong, and the engine's own
// problem (at its line, from croner) says exactly what is wrong with a cron expression.
const SCHEDULE = {
  pattern: `^\\s*(manual|${SCHEDULE_INTERVAL.source.replace(/^\^|\$$/g, '')}|\\S+(\\s+\\S+){4})\\s*$`,
  examples: ['manual', '15m', '1h', '1d', '0 6 * * 1-5'],
};
// No enum of zone names: it would change with the ICU of whichever Node generated the file.
const TIME_ZONE = { examples: ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'] };
const FORMATS: Record<string, Record<string, Json>> = { schedule: SCHEDULE, timeZone: TIME_ZONE };

function translate(node: Json): Json {
  if (Array.isArray(node)) return node.map(translate);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'discriminator') continue;
    if (key === 'format' && typeof value === 'string') {
      const replacement = FORMATS[value];
      if (!replacement) throw new Error(`retl.yaml's schema uses format "${value}", which jsonSchema.ts does not translate`);
      Object.assign(out, replacement);
      continue;
    }
    out[key] = translate(value);
  }
  return out;
}

/** The draft-07 schema of retl.yaml, as the YAML extension reads it. */
export function retlJsonSchema(): Record<string, Json> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $comment: 'Generated from server/src/config/schema.ts by `npm run schema`: edit that file, not this one.',
    title: 'retl.yaml',
    description: 'Reverse ETL models kept as code: warehouses (credentials), models, destinations and connections.',
    ...(translate(configSchema as unknown as Json) as Record<string, Json>),
  };
}

/** The file's text, byte for byte: `npm run schema` writes it and a unit test compares it. */
export function retlJsonSchemaText(): string {
  return `${JSON.stringify(retlJsonSchema(), null, 2)}\n`;
}
