// An AuditEvent's packed stored text built from packed constant parts (server/store/sqlite/audit-packed-event.ts):
// exactly what packing the whole stored text writes, at the borders where a table entry runs from a
// constant part into a value, from a value into a constant part, or across a whole value. The property
// over generated events is in test/audit/prepared-events.test.ts.
import type { AuditEvent } from '@medplum/fhirtypes';
import assert from 'node:assert/strict';
import { restEvents } from '../../../server/audit/events-rest';
import type { Caller } from '../../../server/fhir/pipeline/caller';
import type { HookCall } from '../../../server/fhir/pipeline/hooks';
import type { FhirContext } from '../../../server/fhir/request';
import { packedEventText } from '../../../server/store/sqlite/audit-packed-event';
import { packAuditText } from '../../../server/store/sqlite/audit-packed-text';
import { withMeta } from '../../../server/store/versioning';
import { clinicianCaller } from '../../helpers/fixtures';

const base = 'https://fhir.example.org/fhir';
const instant = '2026-12-07T05:45:00.123Z';
/** An entry of the table as packed, its code (audit-packed-text.ts). */
const code = (entry: string): string => {
  const packed = packAuditText(entry);
  assert.equal(packed.length, 2, `${entry} is an entry`);
  return packed;
};

function readEvent(caller: Caller): AuditEvent {
  const call = {
    request: { method: 'GET', path: 'Patient/p1', query: new URLSearchParams(), headers: {}, caller },
    interaction: { code: 'read', resourceType: 'Patient', id: 'p1' },
    caller,
    context: {} as FhirContext,
  } as unknown as HookCall;
  const patient = { resourceType: 'Patient', id: 'p1', meta: { versionId: '1' } } as const;
  return restEvents(call, { response: { status: 200, body: patient as never }, resources: [patient as never] }, base)[0];
}

/** The built text with the instant in, after checking it is packing's of the whole stored text. */
function builtExactly(event: AuditEvent): string {
  const built = packedEventText(event);
  assert.ok(built, 'built');
  assert.equal(built.json, JSON.stringify(event));
  const packed = `${built.head}${instant}${built.tail}`;
  assert.equal(packed, packAuditText(JSON.stringify(withMeta(event, '1', instant))));
  return packed;
}

describe('an AuditEvent’s packed text built from packed parts', () => {
  it('packs a clinician’s reference and the success outcome as packing the whole text does, across their borders', () => {
    const packed = builtExactly(readEvent(clinicianCaller));
    // `"who":{"reference":"PractitionerRole/` runs from the constant part into the reference.
    assert.ok(packed.includes(`${code('"who":{"reference":"PractitionerRole/')}dr-1"}`));
    // `"outcome":"0","agent":[`: a member and the next one's beginning.
    assert.ok(packed.includes(code('"outcome":"0","agent":[')));
    assert.ok(packed.startsWith(`${code('{"resourceType":"AuditEvent","id":"')}${readEvent(clinicianCaller).id?.slice(0, 8)}`), 'the head');
  });

  it('packs a value that is, with the parts around it, an entry of the table as that entry', () => {
    // The client's display `FHIR server` between `"},"display":"` and `"},"requestor":false}` (no network
    // address after it): the server agent's entry runs across the value.
    const packed = builtExactly(readEvent({ ...clinicianCaller, clientId: 'FHIR server', sourceAddress: undefined }));
    assert.ok(packed.includes(`FHIR server${code('"},"display":"FHIR server"},"requestor":false}')}`));
  });

  it('packs a value whose end begins an entry that the constant part after it ends', () => {
    // `/auth/clients","value":"` from a value's end into the next member: no event of the
    // server has this border; an event of another shape shows the builder moves the part to the stretch.
    const event = { resourceType: 'AuditEvent', id: 'e1', agent: [{ who: { reference: 'Device/auth/clients', value: 'x' } }] } as unknown as AuditEvent;
    assert.ok(builtExactly(event).includes(`Device${code('/auth/clients","value":"')}x`));
  });

  it('builds events with values that are not plain text (quotes, escapes, Chinese) as packing does', () => {
    builtExactly(readEvent({ ...clinicianCaller, account: '王医生 "dr"\n\\u0001', clientId: 'null,null,null]' }));
  });

  it('leaves events of other shapes to the writer: a meta of their own, the id elsewhere, numbers', () => {
    const event = readEvent(clinicianCaller);
    assert.equal(packedEventText({ ...event, meta: { source: 'Organization/clinic-12' } }), undefined);
    const { id, ...rest } = event;
    assert.equal(packedEventText({ ...rest, id } as AuditEvent), undefined);
    assert.equal(packedEventText({ ...event, entity: [{ detail: [{ type: 'n', valueInteger: 3 } as never] }] }), undefined);
  });
});
