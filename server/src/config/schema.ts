// JSON schema of retl.yaml. Ajv checks the structure; cross references and uniqueness are checked
// in configChecks.ts because they need the whole file. The descriptions are for people: jsonSchema.ts
// turns this schema into schemas/retl.schema.json, whose hovers and completion the YAML extension shows.
import { POSTGRES_SSL_MODES, SNOWFLAKE_AUTHENTICATORS, SYNC_MODES } from '../../../protocol/src/config';
import { ID_MAX_LENGTH, NAME_MAX_LENGTH } from '../../../protocol/src/names';

const id = { type: 'string', pattern: '^[a-z][a-z0-9_]*$', maxLength: ID_MAX_LENGTH, description: `Stable, unique id: lowercase letters, digits and _, starting with a letter (at most ${ID_MAX_LENGTH}).` };
const envName = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Name of an environment variable that holds the secret (the secret itself never goes in this file).' };
const nonEmpty = { type: 'string', minLength: 1 };
const batchSize = { type: 'integer', minimum: 1, maximum: 10_000, description: 'Rows per batch (default 500; 5,000 for a Postgres table).' };
const timeoutSeconds = { type: 'number', exclusiveMinimum: 0, maximum: 3600, description: 'How long a batch waits for the whole answer, in seconds (default 30).' };
const concurrency = { type: 'integer', minimum: 1, maximum: 16, description: 'Batches in flight at once (default 4).' };

/** A list of items told apart by their `type`, each variant with its own fields. */
function typedList(variants: object[]) {
  return { type: 'array', items: { type: 'object', required: ['id', 'type'], discriminator: { propertyName: 'type' }, oneOf: variants } } as const;
}

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    version: { const: 1, description: 'Version of this file format: 1.' },
    stateSchema: {
      type: 'string',
      pattern: '^[A-Za-z_][A-Za-z0-9_$]*$',
      maxLength: ID_MAX_LENGTH,
      description: 'Schema this tool owns in each warehouse, for sync state (default _retl).',
    },
    /** The IANA time zone cron schedules are read in, unless a connection names its own. */
    timeZone: { type: 'string', format: 'timeZone', description: 'IANA time zone that cron schedules are read in, unless a connection names its own (default UTC).' },
    credentials: {
      ...typedList([
        {
          additionalProperties: false,
          required: ['host', 'database', 'user'],
          properties: {
            id,
            type: { const: 'postgres', description: 'A PostgreSQL server.' },
            host: { ...nonEmpty, description: 'Host name or address of the server.' },
            port: { type: 'integer', minimum: 1, maximum: 65535, description: 'Port (default 5432).' },
            database: { ...nonEmpty, description: 'Database to connect to.' },
            user: { ...nonEmpty, description: 'User to log in as.' },
            passwordEnv: { ...envName, description: 'Environment variable holding the password; without it, VS Code keeps the password in SecretStorage.' },
            ssl: { enum: [...POSTGRES_SSL_MODES], description: 'TLS: disable, prefer, require or verify-full.' },
          },
        },
        {
          additionalProperties: false,
          required: ['account', 'user'],
          properties: {
            id,
            type: { const: 'snowflake', description: 'A Snowflake account.' },
            account: { ...nonEmpty, description: 'Account identifier (such as xy12345.eu-central-1), not the URL.' },
            user: { ...nonEmpty, description: 'User to log in as.' },
            role: { ...nonEmpty, description: 'Role to use (default: the user\'s default role).' },
            warehouse: { ...nonEmpty, description: 'Virtual warehouse that runs the queries.' },
            database: { ...nonEmpty, description: 'Default database.' },
            authenticator: { enum: [...SNOWFLAKE_AUTHENTICATORS], description: 'SNOWFLAKE (password) or SNOWFLAKE_JWT (key pair).' },
            passwordEnv: { ...envName, description: 'Environment variable holding the password; without it, VS Code keeps the password in SecretStorage.' },
            privateKeyPath: { ...nonEmpty, description: 'Path of the private key file (SNOWFLAKE_JWT).' },
            privateKeyPassphraseEnv: { ...envName, description: 'Environment variable holding the private key\'s passphrase.' },
            accessUrl: { type: 'string', pattern: '^https?://', description: 'Only for private link or a proxy: the URL to reach the account at.' },
          },
        },
        {
          additionalProperties: false,
          properties: { id, type: { const: 'demo', description: 'The embedded demo warehouse: no fields, no secret.' } },
        },
      ]),
      description: 'Warehouses that models run on, each with the login to use.',
    },
    models: {
      type: 'array',
      description: 'Named, described SELECT queries kept in .sql files.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'credentials', 'query'],
        properties: {
          id,
          name: { type: 'string', minLength: 1, maxLength: NAME_MAX_LENGTH, description: 'Display name, unique regardless of case.' },
          description: { type: 'string', description: 'What the rows are, for the people who use them.' },
          credentials: { ...id, description: 'Id of the credentials entry (warehouse) the query runs on.' },
          query: { type: 'string', minLength: 1, pattern: '\\.sql$', description: 'Path of the .sql file, relative to retl.yaml and inside the workspace.' },
          primaryKey: { ...nonEmpty, description: 'Column that identifies a row: unique and never NULL (needed to sync).' },
        },
      },
    },
    destinations: {
      ...typedList([
        {
          additionalProperties: false,
          required: ['url'],
          properties: {
            id,
            type: { const: 'webhook', description: 'Batches of rows POSTed as JSON to a URL.' },
            url: { type: 'string', pattern: '^https?://', description: 'URL the batches are POSTed to.' },
            headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra HTTP headers with their values (no secrets: use headersEnv).' },
            headersEnv: { type: 'object', additionalProperties: envName, description: 'HTTP headers whose values come from environment variables.' },
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
            type: { const: 'rudderstack', description: 'Identify or track events sent to RudderStack.' },
            dataPlaneUrl: { type: 'string', pattern: '^https?://', description: 'URL of your RudderStack data plane.' },
            writeKeyEnv: { ...envName, description: 'Environment variable holding the source\'s write key.' },
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
            type: { const: 'postgres', description: 'Rows upserted into a PostgreSQL table.' },
            credentials: { ...id, description: 'Id of postgres credentials to write with.' },
            table: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?$', description: 'Table (schema.table) to write to; it must exist, with a unique key column.' },
            batchSize,
            concurrency,
          },
        },
      ]),
      description: 'Business tools that rows are sent to.',
    },
    connections: {
      type: 'array',
      description: "A model's rows sent to a destination; one model serves many connections.",
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'model'],
        properties: {
          id,
          model: { ...id, description: 'Id of the model whose rows are sent.' },
          destination: { ...id, description: 'Id of the destination they are sent to.' },
          mode: { enum: [...SYNC_MODES], description: 'upsert (default): changed rows; mirror: also deletes; full: every row, every run.' },
          mapping: { type: 'object', additionalProperties: nonEmpty, description: 'Model column → destination field; without it, every column is sent as it is named.' },
          event: {
            type: 'object',
            additionalProperties: false,
            required: ['type'],
            description: 'For RudderStack: the event each row becomes.',
            properties: {
              type: { enum: ['identify', 'track'], description: 'identify or track.' },
              userIdColumn: { ...nonEmpty, description: 'Column holding the user id.' },
              anonymousIdColumn: { ...nonEmpty, description: 'Column holding the anonymous id.' },
              name: { ...nonEmpty, description: 'Event name (track).' },
            },
          },
          // manual, an interval or a 5-field cron expression; an IANA time zone (formats of parseConfig.ts).
          schedule: { type: 'string', format: 'schedule', description: 'When it syncs by itself: manual (default), an interval (15m, 1h, 1d) or a 5-field cron expression ("0 6 * * 1-5").' },
          timeZone: { type: 'string', format: 'timeZone', description: "IANA time zone the cron schedule is read in (default: the file's timeZone, else UTC)." },
          paused: { type: 'boolean', description: 'true: never runs on its schedule; Sync Now still runs it.' },
        },
      },
    },
  },
} as const;
