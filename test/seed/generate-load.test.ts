// npm run generate's loading: its options, and the bulk store sink, which writes and indexes the
// generator's Bundles like the FHIR core does (the same searches find the same resources), in one store
// transaction per Bundle.
import type { Bundle } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import pino from 'pino';
import { UsageError } from '../../bench/options';
import { inTransactions } from '../../seed/bundles';
import { parseGenerateOptions } from '../../seed/generate';
import { coreSink, inProcess, seedResources, storeSink } from '../../seed/load';
import { createFhirCore, type FhirCore } from '../../server/fhir-core';
import { networkServer } from '../helpers/network-server';
import { memoryStore, testConfig, testRegistry } from '../helpers/test-server';

const logger = pino({ level: 'silent' });

describe('seed: npm run generate -- --load', function () {
  this.timeout(60_000);

  it('loads in bulk by default, through the FHIR core with --checked, which only --load takes', () => {
    assert.equal(parseGenerateOptions(['--patients', '5', '--load']).checked, undefined);
    assert.equal(parseGenerateOptions(['--patients', '5', '--load', '--checked']).checked, true);
    assert.throws(() => parseGenerateOptions(['--patients', '5', '--out', 'x', '--checked']), UsageError);
    assert.throws(() => parseGenerateOptions(['--patients', '5', '--out', 'x', '--load']), UsageError);
  });

  it('writes and indexes the Bundles in bulk as the FHIR core does', async () => {
    const bundles = [...inTransactions([...seedResources(8, 11)].slice(1, -1), 200)]; // the patients only, not the network
    const bulk = memoryStore();
    const checked = await networkServer();
    const bulkCore = createFhirCore({ config: testConfig, store: bulk, registry: testRegistry() });
    const checkedCore = createFhirCore({ config: testConfig, store: checked.store, registry: testRegistry() });
    try {
      const bulkSink = storeSink(bulk);
      const coreSend = coreSink(checkedCore, logger);
      let written = 0;
      for (const bundle of bundles) {
        written += await bulkSink(bundle);
        await coreSend(bundle);
      }
      assert.equal(written, bundles.reduce((n, b) => n + (b.entry?.length ?? 0), 0));
      for (const [type, query] of [
        ['Observation', 'code=85354-9'],
        ['Observation', 'subject:Patient.identifier=urn:oid:2.16.156.10011.1.3|'],
        ['Condition', 'code=I10'],
        ['DiagnosticReport', 'category=LAB'],
        ['Encounter', 'class=AMB'],
        ['Patient', 'gender=female'],
      ]) {
        const ids = async (core: FhirCore): Promise<string[]> => {
          const reply = await inProcess(core, logger, { method: 'GET', path: type, query: `${query}&_count=1000&_elements=id`, headers: {} });
          return ((reply.body as Bundle).entry ?? []).map((e) => e.resource!.id!).sort();
        };
        const found = await ids(bulkCore);
        assert.ok(found.length > 0, `${type}?${query} finds something`);
        assert.deepEqual(found, await ids(checkedCore), `${type}?${query}`);
      }
    } finally {
      await bulk.close();
      await checked.close();
    }
  });

  it('refuses anything but the generator PUTs, and writes nothing of that Bundle', async () => {
    const store = memoryStore();
    try {
      const sink = storeSink(store);
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: { resourceType: 'Patient', id: 'kept-out' }, request: { method: 'PUT', url: 'Patient/kept-out' } },
          { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
        ],
      };
      await assert.rejects(sink(bundle), /Bundle\.entry\[1\]: a bulk load takes the generator's PUTs/);
      assert.equal(await store.readCurrent('Patient', 'kept-out'), undefined);
    } finally {
      await store.close();
    }
  });
});
