// What the engine caches: a code system is read from its source once, not per request, and a write
// (invalidate) makes the next answer use the new content.
import type { CodeSystem, ConceptMap, ValueSet } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { BoundedCache } from '../../server/terminology/bounded-cache';
import { LocalTerminology } from '../../server/terminology/local-terminology';
import type { ConceptMapCriteria, TerminologySource } from '../../server/terminology/terminology-source';

/** A source whose content the test changes, counting the reads. */
class CountingSource implements TerminologySource {
  reads = 0;
  constructor(public codeSystems: CodeSystem[], public valueSets: ValueSet[] = []) {}
  async codeSystem(url: string): Promise<CodeSystem | undefined> {
    this.reads++;
    return this.codeSystems.find((c) => c.url === url);
  }
  async valueSet(url: string): Promise<ValueSet | undefined> {
    this.reads++;
    return this.valueSets.find((v) => v.url === url);
  }
  async conceptMaps(_criteria: ConceptMapCriteria): Promise<ConceptMap[]> {
    this.reads++;
    return [];
  }
}

const system = 'https://example.org/CodeSystem/services';
const services = (...codes: string[]): CodeSystem => ({
  resourceType: 'CodeSystem',
  url: system,
  status: 'active',
  content: 'complete',
  concept: codes.map((code) => ({ code, display: code })),
});
const allServices: ValueSet = {
  resourceType: 'ValueSet',
  url: 'https://example.org/ValueSet/services',
  status: 'active',
  compose: { include: [{ system }] },
};

describe('terminology cache', () => {
  it('reads a ValueSet and its code system once for many requests', async () => {
    const source = new CountingSource([services('a', 'b')], [allServices]);
    const engine = new LocalTerminology(source);
    for (let i = 0; i < 5; i++) {
      await engine.expand({ valueSet: { url: allServices.url as string }, filter: i % 2 ? 'a' : undefined });
      await engine.lookup({ codeSystem: { url: system }, code: 'a' });
    }
    assert.equal(source.reads, 2);
  });

  it('remembers an unknown system too, until invalidated', async () => {
    const source = new CountingSource([]);
    const engine = new LocalTerminology(source);
    await assert.rejects(engine.lookup({ codeSystem: { url: system }, code: 'a' }));
    await assert.rejects(engine.lookup({ codeSystem: { url: system }, code: 'a' }));
    assert.equal(source.reads, 1);
    source.codeSystems.push(services('a'));
    engine.invalidate();
    assert.equal((await engine.lookup({ codeSystem: { url: system }, code: 'a' })).display, 'a');
  });

  it('answers from the new content after invalidate()', async () => {
    const source = new CountingSource([services('a', 'b')], [allServices]);
    const engine = new LocalTerminology(source);
    const codes = async (): Promise<string[]> =>
      ((await engine.expand({ valueSet: { url: allServices.url as string } })).expansion?.contains ?? []).map((c) => c.code as string);
    assert.deepEqual(await codes(), ['a', 'b']);
    source.codeSystems = [services('a', 'b', 'c')];
    assert.deepEqual(await codes(), ['a', 'b'], 'cached until invalidated');
    engine.invalidate();
    assert.deepEqual(await codes(), ['a', 'b', 'c']);
    assert.equal((await engine.valueSetMembers({ url: allServices.url as string })).has(system, 'c'), true);
  });

  it('keeps an inline ValueSet out of the cache, and an instance version in it', async () => {
    const source = new CountingSource([services('a')]);
    const engine = new LocalTerminology(source);
    const inline = { ...allServices, url: undefined };
    await engine.expand({ valueSet: { resource: inline } });
    await engine.expand({ valueSet: { resource: inline, cacheKey: 'ValueSet/x/_history/1' } });
    await engine.expand({ valueSet: {
      resource: { ...inline, compose: { include: [{ system, concept: [{ code: 'zzz' }] }] } },
      cacheKey: 'ValueSet/x/_history/1',
    } });
    const again = await engine.expand({ valueSet: { resource: inline, cacheKey: 'ValueSet/x/_history/1' } });
    assert.deepEqual(again.expansion?.contains?.map((c) => c.code), ['a'], 'the version named by the key was cached');
  });
});

describe('bounded cache', () => {
  it('drops the least recently used entry beyond its capacity', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    assert.deepEqual([cache.get('a'), cache.get('b'), cache.get('c')], [1, undefined, 3]);
  });

  it('does not keep a failed promise', async () => {
    const cache = new BoundedCache<string, Promise<number>>(2);
    await assert.rejects(cache.remember('k', () => Promise.reject(new Error('once'))));
    assert.equal(await cache.remember('k', () => Promise.resolve(7)), 7);
  });
});
