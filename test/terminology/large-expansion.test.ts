// A 10,000-concept ValueSet: the text filter, paging, is-a and membership give the right codes at size.
// (Only correctness is asserted; timings belong to the benchmark, not to tests.)
import { strict as assert } from 'node:assert';
import { LocalTerminology } from '../../server/terminology/local-terminology';
import { InMemoryTerminologySource } from '../../server/terminology/memory-source';
import {
  generatedAllValueSet,
  generatedCodeSystem,
  generatedSystem,
  generatedValueSet,
  groups,
  itemsPerGroup,
} from './generated-code-system';

describe('expand: a 10,000-concept ValueSet', () => {
  const engine = new LocalTerminology(new InMemoryTerminologySource([generatedCodeSystem(), generatedAllValueSet()]));
  const valueSet = { url: generatedValueSet };
  const diabetesPerGroup = Math.floor(itemsPerGroup / 7);

  it('holds every concept', async () => {
    const vs = await engine.expand({ valueSet, count: 0 });
    assert.equal(vs.expansion?.total, groups * (itemsPerGroup + 1));
    assert.equal(groups * (itemsPerGroup + 1), 10_000);
  });

  it("filters on Chinese text: '糖尿病' finds every 7th item of every group", async () => {
    const vs = await engine.expand({ valueSet, filter: '糖尿病' });
    assert.equal(vs.expansion?.total, groups * diabetesPerGroup);
    assert.ok(vs.expansion?.contains?.every((c) => (c.display as string).startsWith('Diabetes')));
    assert.equal((await engine.expand({ valueSet, filter: '高血压', count: 0 })).expansion?.total, groups * (itemsPerGroup - diabetesPerGroup));
  });

  it('filters on English words and pages through the result without gaps or repeats', async () => {
    const all = (await engine.expand({ valueSet, filter: 'diab item' })).expansion?.contains?.map((c) => c.code) ?? [];
    assert.equal(all.length, groups * diabetesPerGroup);
    const paged: string[] = [];
    for (let offset = 0; offset < all.length; offset += 250) {
      const page = await engine.expand({ valueSet, filter: 'diab item', offset, count: 250 });
      paged.push(...(page.expansion?.contains ?? []).map((c) => c.code as string));
    }
    assert.deepEqual(paged, all);
  });

  it('answers is-a and membership over the whole system', async () => {
    const vs = await engine.expand({
      valueSet: { resource: {
        resourceType: 'ValueSet',
        status: 'active',
        compose: { include: [{ system: generatedSystem, filter: [{ property: 'concept', op: 'descendent-of', value: 'g42' }] }] },
      } },
    });
    assert.equal(vs.expansion?.total, itemsPerGroup);
    const members = await engine.valueSetMembers(valueSet);
    assert.ok(members.has(generatedSystem, 'g99-99'));
    assert.ok(!members.has(generatedSystem, 'g100-1'));
    assert.equal(await engine.subsumes({ codeSystem: { url: generatedSystem }, codeA: 'g7', codeB: 'g7-70' }), 'subsumes');
  });
});
