// Retry-After as a destination sends it with a 429 or 503: seconds or an HTTP date.
import { strict as assert } from 'node:assert';
import { retryAfterMs } from '../../server/src/sync/destination';

describe('Retry-After', () => {
  it('reads seconds and HTTP dates; nothing for absent or unreadable values', () => {
    const now = Date.parse('2026-12-02T10:00:00Z');
    assert.equal(retryAfterMs('120', now), 120_000);
    assert.equal(retryAfterMs('Wed, 02 Dec 2026 10:00:30 GMT', now), 30_000);
    assert.equal(retryAfterMs('Wed, 02 Dec 2026 09:00:00 GMT', now), 0);
    assert.equal(retryAfterMs(null, now), undefined);
    assert.equal(retryAfterMs('soon', now), undefined);
    assert.equal(retryAfterMs('-5', now), undefined);
  });
});
