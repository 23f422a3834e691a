// The MongoDB adapter's authors and tamper-evidence fields (au, h, ah on resource_history), and the
// queries that read them back for $verify-history and anchors, run on the adapter's own code over
// collections evaluated with mingo (no MongoDB server runs here).
import type { Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { digestHistory } from '../../../server/audit/anchor-digest';
import { auditLink } from '../../../server/audit/chain-hash';
import { parseAuthor } from '../../../server/audit/version-author';
import { verifyChains } from '../../../server/audit/verify-chain';
import { createResourceIndexer } from '../../../server/search/indexing/resource-indexer';
import { openMongoStoreOn } from '../../../server/store/adapters';
import { auditEvent, patient } from '../../helpers/fixtures';
import { mingoBackend } from '../../helpers/mingo-backend';
import { testRegistry } from '../../helpers/test-server';

const author = { kind: 'user', user: 'Practitioner/doc1', clientId: 'his-app', organizations: ['Organization/c1'] };

describe('MongoDB store: authors and hash chains', () => {
  it('records the author beside each version and chains its hashes, in a transaction too', async () => {
    const backend = mingoBackend();
    const store = openMongoStoreOn(backend, createResourceIndexer(testRegistry()));
    await store.create(patient({ id: 'p1' }), { author });
    await store.transaction(async (tx) => {
      await tx.update(patient({ id: 'p1', gender: 'female' }), { author: { kind: 'server' } });
    });
    await store.delete('Patient', 'p1', { author });
    const records = await store.chainRecords({ resourceType: 'Patient', id: 'p1', limit: 10 });
    assert.deepEqual(records.map((r) => parseAuthor(r.author)), [author, { kind: 'server' }, author]);
    assert.equal(records[1].previousHash, records[0].hash);
    const report = await verifyChains(store, { resourceType: 'Patient', id: 'p1' });
    assert.deepEqual([report.versions, report.verified, report.breaks.length], [3, 3, 0]);
    const read = await store.readVersion('Patient', 'p1', '1');
    assert.deepEqual(Object.keys(read?.resource?.meta ?? {}).sort(), ['lastUpdated', 'versionId'], 'the author is not in the resource');
  });

  it('detects a version document edited in the collection', async () => {
    const backend = mingoBackend();
    const store = openMongoStoreOn(backend, createResourceIndexer(testRegistry()));
    await store.create(patient({ id: 'p1' }), { author });
    await store.update(patient({ id: 'p1', gender: 'female' }), { author });
    await store.update(patient({ id: 'p1', gender: 'other' }), { author });
    const [, second] = await store.chainRecords({ resourceType: 'Patient', id: 'p1', limit: 10 });
    await backend.versions.updateOne({ _id: 'Patient/p1/2' }, { $set: { json: (second.content as string).replace('female', 'male') } });
    const edited = await verifyChains(store, {});
    assert.deepEqual(edited.breaks.map((b) => `${b.resourceType}/${b.id}/${b.versionId}`), ['Patient/p1/2']);
    // Hashes-only reads (anchors) leave the stored text out.
    const [hashOnly] = await store.chainRecords({ resourceType: 'Patient', id: 'p1', hashesOnly: true, limit: 1 });
    assert.equal(hashOnly.content, null);
    assert.match(hashOnly.hash ?? '', /^[0-9a-f]{64}$/);
  });

  it('chains AuditEvents in write order, across resources, and an anchor digest sees a rewrite', async () => {
    const backend = mingoBackend();
    const store = openMongoStoreOn(backend, createResourceIndexer(testRegistry()));
    for (const id of ['a1', 'a2', 'a3']) {
      await store.create(auditEvent(id), { author: { kind: 'server' } });
      await store.create(patient({ id: `p-${id}` }) as Resource, { author });
    }
    const events = await store.chainRecords({ resourceType: 'AuditEvent', limit: 10 });
    let link: string | null = null;
    for (const event of events) {
      assert.equal(event.previousAuditHash, link);
      link = auditLink(link, event.hash as string);
      assert.equal(event.auditHash, link);
    }
    const before = await digestHistory(store);
    assert.equal(before.auditHead, link);
    assert.equal(before.types.AuditEvent.versions, 3);
    await backend.auditEvents.updateOne({ _id: 'AuditEvent/a2' }, { $set: { ah: 'f'.repeat(64) } });
    const report = await verifyChains(store, { resourceType: 'AuditEvent' });
    assert.ok(report.breaks.some((b) => b.id === 'a2' && /AuditEvent chain/.test(b.problem)));
    const after = await digestHistory(store, { position: before.position });
    assert.equal(after.types.Patient.digest, before.types.Patient.digest);
  });
});
