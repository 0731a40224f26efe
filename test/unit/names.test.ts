import { strict as assert } from 'node:assert';
import { idFromName, idProblem, nameProblem, newModelNameProblem } from '../../protocol/src/names';

describe('names: the wizard validation rules', () => {
  const existing = [
    { id: 'active_users', name: 'Active users' },
    { id: 'accounts', name: 'Accounts' },
  ];

  it('derives plain ids from display names', () => {
    assert.equal(idFromName('Active users (EU)'), 'active_users_eu');
    assert.equal(idFromName('  Über Kunden  '), 'uber_kunden');
    assert.equal(idFromName('2024 churn'), 'm_2024_churn');
    assert.equal(idFromName('!!!'), '');
    assert.ok(idFromName('x'.repeat(200)).length <= 63);
  });

  it('checks ids', () => {
    assert.equal(idProblem('active_users'), undefined);
    assert.match(idProblem('')!, /empty/);
    assert.match(idProblem('has space')!, /lowercase/);
    assert.match(idProblem('Upper')!, /lowercase/);
    assert.match(idProblem('9lives')!, /start with a letter/);
    assert.match(idProblem('a'.repeat(64))!, /at most 63/);
  });

  it('checks names', () => {
    assert.equal(nameProblem('Active users'), undefined);
    assert.match(nameProblem('   ')!, /empty/);
    assert.match(nameProblem('a\nb')!, /control characters/);
    assert.match(nameProblem('---')!, /letter or digit/);
    assert.match(nameProblem('x'.repeat(101))!, /at most 100/);
  });

  it('refuses a new name that clashes with a name or a derived id', () => {
    assert.match(newModelNameProblem('active USERS', existing)!, /already exists/);
    assert.match(newModelNameProblem('Active_Users', existing)!, /id "active_users" already exists/);
    assert.match(newModelNameProblem('???', existing)!, /letter or digit/);
    assert.equal(newModelNameProblem('Churned users', existing), undefined);
  });

  it('lets a renamed model keep its own name but not take another\'s', () => {
    assert.equal(newModelNameProblem('Active users', existing, 'active_users'), undefined);
    assert.match(newModelNameProblem('accounts', existing, 'active_users')!, /already exists/);
  });
});
