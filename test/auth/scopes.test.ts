// SMART scopes, v2 and v1, and the narrowing of what is asked to what is allowed.
import { strict as assert } from 'node:assert';
import { narrowScopes, parseResourceScope, scopeCovers } from '../../server/auth/scopes';

describe('SMART scopes', () => {
  it('reads v2 scopes with their permissions and granular query', () => {
    const scope = parseResourceScope('patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory');
    assert.equal(scope?.level, 'patient');
    assert.equal(scope?.resourceType, 'Observation');
    assert.deepEqual([...(scope?.permissions ?? [])], ['r', 's']);
    assert.equal(scope?.query?.get('category'), 'http://terminology.hl7.org/CodeSystem/observation-category|laboratory');
    assert.deepEqual([...(parseResourceScope('user/*.cruds')?.permissions ?? [])], ['c', 'r', 'u', 'd', 's']);
  });

  it('reads v1 scopes as their v2 permissions', () => {
    assert.deepEqual([...(parseResourceScope('patient/*.read')?.permissions ?? [])], ['r', 's']);
    assert.deepEqual([...(parseResourceScope('user/Patient.write')?.permissions ?? [])], ['c', 'u', 'd']);
    assert.deepEqual([...(parseResourceScope('system/*.*')?.permissions ?? [])], ['c', 'r', 'u', 'd', 's']);
  });

  it('refuses permissions out of order and unknown shapes', () => {
    assert.equal(parseResourceScope('user/*.rc'), undefined);
    assert.equal(parseResourceScope('admin/*.r'), undefined);
    assert.equal(parseResourceScope('launch/patient'), undefined);
    assert.equal(parseResourceScope('user/observation.r'), undefined);
  });

  it('covers a narrower scope and never a wider one', () => {
    assert.ok(scopeCovers('user/*.cruds', 'user/Observation.rs'));
    assert.ok(scopeCovers('patient/*.read', 'patient/Observation.rs'));
    assert.ok(!scopeCovers('user/Observation.rs', 'user/Observation.cruds'));
    assert.ok(!scopeCovers('patient/*.rs', 'user/*.rs'));
    assert.ok(!scopeCovers('user/Observation.rs?category=laboratory', 'user/Observation.rs'));
    assert.ok(scopeCovers('user/Observation.rs', 'user/Observation.rs?category=laboratory'));
    assert.deepEqual(narrowScopes(['openid', 'user/*.cruds', 'user/Patient.r'], ['openid', 'user/*.rs']), ['openid', 'user/Patient.r']);
  });
});
