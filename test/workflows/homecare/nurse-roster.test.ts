// The nurse roster dispatch keeps in memory: read again once a PractitionerRole or Location changed,
// whether through the API or by another process writing to the same store, and kept otherwise.
import type { PractitionerRole } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { nurseRoster } from '../../../server/workflows/homecare/nurse-roster';
import { assessment, homeCareFixture, homeCareRequest, nurseLocation, nurseRole, type HomeCareFixture } from './fixture';

describe('home care: the nurse roster of dispatch', function () {
  this.timeout(120_000);
  let f: HomeCareFixture;

  before(async () => {
    f = await homeCareFixture();
  });
  after(() => f.server.close());

  /** Orders, assesses and dispatches an order of hc-pat-1; the nurse chosen. */
  const dispatchedTo = async (id: string): Promise<string | undefined> => {
    await f.put(homeCareRequest(id));
    await f.put(assessment(id));
    const res = await f.as(f.clinicianToken).post(`/ServiceRequest/${id}/$dispatch`);
    assert.equal(res.status, 200, res.text);
    return res.body.parameter.find((p: { name: string }) => p.name === 'nurse')?.valueReference?.reference;
  };

  it('sees a nurse Location moved through the API at the next dispatch', async () => {
    assert.equal(await dispatchedTo('sr-roster-1'), nurseRole('first'));
    // The second nurse's base moves next to the home: she is now the nearest.
    await f.put(nurseLocation('second', 0.2));
    assert.equal(await dispatchedTo('sr-roster-2'), nurseRole('second'));
  });

  it('sees a Location and a PractitionerRole changed by another process sharing the store', async () => {
    // Written below the server, as another server process on the same store would.
    await f.store.update(nurseLocation('second', 4));
    assert.equal(await dispatchedTo('sr-roster-3'), nurseRole('first'));
    const first = (await f.store.readCurrent('PractitionerRole', 'hc-nurse-first'))?.resource as PractitionerRole;
    await f.store.update({ ...first, active: false });
    assert.equal(await dispatchedTo('sr-roster-4'), nurseRole('second'));
    await f.store.update({ ...first, active: true });
    assert.equal(await dispatchedTo('sr-roster-5'), nurseRole('first'));
  });

  it('is read once while nothing it holds changes, and again after a Location is deleted', async () => {
    const roster = await nurseRoster(f.store);
    await f.store.update(homeCareRequest('sr-roster-unrelated'));
    assert.equal(await nurseRoster(f.store), roster, 'a write of another type keeps the roster');
    assert.ok(roster.byService.get('wound-dressing')?.some((n) => n.reference === nurseRole('far') && n.area));
    await f.store.delete('Location', 'hc-nurse-far');
    const after = await nurseRoster(f.store);
    assert.notEqual(after, roster);
    assert.equal(after.byService.get('wound-dressing')?.find((n) => n.reference === nurseRole('far'))?.area, undefined, 'without her Location she serves no home');
  });
});
