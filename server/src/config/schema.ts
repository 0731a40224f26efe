// JSON schema of retl.yaml. Ajv checks the structure; cross references and uniqueness are checked
// in configChecks.ts because they need the whole file.
import { POSTGRES_SSL_MODES, SNOWFLAKE_AUTHENTICATORS, SYNC_MODES } from '../../../protocol/src/config';
import { ID_MAX_LENGTH, NAME_MAX_LENGTH } from '../../../protocol/src/names';

const id = { type: 'string', pattern: '^[a-z][a-z0-9_]*$', maxLength: ID_MAX_LENGTH };
const envName = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' };
const nonEmpty = { type: 'string', minLength: 1 };
const batchSize = { type: 'integer', minimum: 1, maximum: 10_000 };
const timeoutSeconds = { type: 'number', exclusiveMinimum: 0, maximum: 3600 };
const concurrency = { type: 'integer', minimum: 1, maximum: 16 };

/** A list of items told apart by their `type`, each variant with its own fields. */
function typedList(variants: object[]) {
  return { type: 'array', items: { type: 'object', required: ['id', 'type'], discriminator: { propertyName: 'type' }, oneOf: variants } } as const;
}

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    version: { const: 1 },
    stateSchema: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_$]*$', maxLength: ID_MAX_LENGTH },
    /** The IANA time zone cron schedules are read in, unless a connection names its own. */
    timeZone: { type: 'string', format: 'timeZone' },
    credentials: typedList([
      {
        additionalProperties: false,
        required: ['host', 'database', 'user'],
        properties: {
          id,
          type: { const: 'postgres' },
          host: nonEmpty,
          port: { type: 'integer', minimum: 1, maximum: 65535 },
          database: nonEmpty,
          user: nonEmpty,
          passwordEnv: envName,
          ssl: { enum: [...POSTGRES_SSL_MODES] },
        },
      },
      {
        additionalProperties: false,
        required: ['account', 'user'],
        properties: {
          id,
          type: { const: 'snowflake' },
          account: nonEmpty,
          user: nonEmpty,
          role: nonEmpty,
          warehouse: nonEmpty,
          database: nonEmpty,
          authenticator: { enum: [...SNOWFLAKE_AUTHENTICATORS] },
          passwordEnv: envName,
          privateKeyPath: nonEmpty,
          privateKeyPassphraseEnv: envName,
          accessUrl: { type: 'string', pattern: '^https?://' },
        },
      },
      {
        additionalProperties: false,
        properties: { id, type: { const: 'demo' } },
      },
    ]),
    models: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'credentials', 'query'],
        properties: {
          id,
          name: { type: 'string', minLength: 1, maxLength: NAME_MAX_LENGTH },
          description: { type: 'string' },
          credentials: id,
          query: { type: 'string', minLength: 1, pattern: '\\.sql$' },
          primaryKey: nonEmpty,
        },
      },
    },
    destinations: typedList([
      {
        additionalProperties: false,
        required: ['url'],
        properties: {
          id,
          type: { const: 'webhook' },
          url: { type: 'string', pattern: '^https?://' },
          headers: { type: 'object', additionalProperties: { type: 'string' } },
          headersEnv: { type: 'object', additionalProperties: envName },
          batchSize,
          timeoutSeconds,
          concurrency,
        },
      },
      {
        additionalProperties: false,
        required: ['dataPlaneUrl', 'writeKeyEnv'],
        properties: {
          id,
          type: { const: 'rudderstack' },
          dataPlaneUrl: { type: 'string', pattern: '^https?://' },
          writeKeyEnv: envName,
          batchSize,
          timeoutSeconds,
          concurrency,
        },
      },
      {
        additionalProperties: false,
        required: ['credentials', 'table'],
        properties: {
          id,
          type: { const: 'postgres' },
          credentials: id,
          table: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?$' },
          batchSize,
          concurrency,
        },
      },
    ]),
    connections: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'model'],
        properties: {
          id,
          model: id,
          destination: id,
          mode: { enum: [...SYNC_MODES] },
          mapping: { type: 'object', additionalProperties: nonEmpty },
          event: {
            type: 'object',
            additionalProperties: false,
            required: ['type'],
            properties: { type: { enum: ['identify', 'track'] }, userIdColumn: nonEmpty, anonymousIdColumn: nonEmpty, name: nonEmpty },
          },
          // manual, an interval or a 5-field cron expression; an IANA time zone (formats of parseConfig.ts).
          schedule: { type: 'string', format: 'schedule' },
          timeZone: { type: 'string', format: 'timeZone' },
          paused: { type: 'boolean' },
        },
      },
    },
  },
} as const;
