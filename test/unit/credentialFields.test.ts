import { strict as assert } from 'node:assert';
import { CREDENTIAL_FIELDS, credentialsFromAnswers, needsStoredSecret } from '../../protocol/src/credentialFields';

describe('credential fields: the wizard\'s questions and checks', () => {
  it('builds Postgres credentials with a numeric port and no empty optional fields', () => {
    const r = credentialsFromAnswers('postgres', 'pg_main', { host: ' db ', port: '5433', database: 'a', user: 'u', ssl: 'prefer', passwordEnv: '' });
    assert.ok('credentials' in r, JSON.stringify(r));
    assert.ok(needsStoredSecret(r.credentials), 'no env var: the password goes to SecretStorage');
    assert.deepEqual(r, { credentials: { id: 'pg_main', type: 'postgres', host: 'db', port: 5433, database: 'a', user: 'u', ssl: 'prefer' } });
  });

  it('refuses a bad port, a missing database and a bad env var name', () => {
    assert.match(JSON.stringify(credentialsFromAnswers('postgres', 'p', { host: 'h', port: '99999', database: 'd', user: 'u' })), /Port/);
    assert.match(JSON.stringify(credentialsFromAnswers('postgres', 'p', { host: 'h', database: '', user: 'u' })), /Database/);
    assert.match(JSON.stringify(credentialsFromAnswers('postgres', 'p', { host: 'h', database: 'd', user: 'u', passwordEnv: 'MY-VAR' })), /environment variable/);
    assert.match(JSON.stringify(credentialsFromAnswers('postgres', 'Bad Id', { host: 'h', database: 'd', user: 'u' })), /Credentials id/);
  });

  it('asks Snowflake key-pair users for a key file instead of a password', () => {
    const jwt = CREDENTIAL_FIELDS.snowflake.filter((f) => !f.when || f.when({ authenticator: 'SNOWFLAKE_JWT' })).map((f) => f.key);
    assert.ok(jwt.includes('privateKeyPath') && !jwt.includes('passwordEnv'));
    const r = credentialsFromAnswers('snowflake', 'sf', { account: 'xy12345.eu-central-1', user: 'RETL', authenticator: 'SNOWFLAKE_JWT', passwordEnv: 'LEFTOVER', privateKeyPath: '/k.p8' });
    assert.ok('credentials' in r);
    assert.equal((r.credentials as { passwordEnv?: string }).passwordEnv, undefined, 'an answer for a field that does not apply is dropped');
    assert.equal(needsStoredSecret(r.credentials), false);
    assert.match(JSON.stringify(credentialsFromAnswers('snowflake', 'sf', { account: 'a', user: 'u', authenticator: 'SNOWFLAKE_JWT' })), /Private key file/);
  });

  it('refuses a Snowflake account given as a URL', () => {
    const r = credentialsFromAnswers('snowflake', 'sf', { account: 'https://xy.snowflakecomputing.com', user: 'u', authenticator: 'SNOWFLAKE' });
    assert.match(JSON.stringify(r), /account identifier only/);
  });

  it('needs nothing for the demo warehouse', () => {
    const r = credentialsFromAnswers('demo', 'demo', {});
    assert.deepEqual(r, { credentials: { id: 'demo', type: 'demo' } });
    assert.equal(needsStoredSecret({ id: 'demo', type: 'demo' }), false);
  });
});
