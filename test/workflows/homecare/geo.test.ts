// Great-circle distances, positions on addresses and Locations, and duty hours, for dispatch.
import type { PractitionerRole } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { isOnDuty, requestedVisitTime, visitTimeOf } from '../../../server/workflows/homecare/availability';
import fc from 'fast-check';
import { addressPosition, boundsAround, distanceKm, geolocationExtension, offsetPosition, serviceRadiusKm, withinBounds } from '../../../server/workflows/homecare/geo';

describe('home care: positions and duty hours', () => {
  it('measures great-circle distances (Beijing to Shanghai about 1,068 km) and offsets positions consistently', () => {
    const beijing = { latitude: 39.9042, longitude: 116.4074 };
    const shanghai = { latitude: 31.2304, longitude: 121.4737 };
    assert.ok(Math.abs(distanceKm(beijing, shanghai) - 1068) < 3, String(distanceKm(beijing, shanghai)));
    assert.equal(distanceKm(beijing, beijing), 0);
    const moved = offsetPosition(beijing, 2.5, 1.2);
    assert.ok(Math.abs(distanceKm(beijing, moved) - 2.5) < 1e-6);
  });

  it('bounds every point within a radius in a box (near the poles and across the antimeridian too), and leaves far points out', () => {
    const position = fc.record({ latitude: fc.double({ min: -90, max: 90, noNaN: true }), longitude: fc.double({ min: -180, max: 180, noNaN: true }) });
    fc.assert(
      fc.property(position, fc.double({ min: 0.01, max: 500, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }), (centre, km, share, bearing) => {
        const inside = offsetPosition(centre, km * share, bearing);
        return distanceKm(centre, inside) > km || withinBounds(boundsAround(centre, km), inside);
      }),
      { numRuns: 2000 }
    );
    const clinic = { latitude: 34.25, longitude: 112.55 };
    assert.equal(withinBounds(boundsAround(clinic, 3), offsetPosition(clinic, 3.2, 0)), false);
    assert.equal(withinBounds(boundsAround(clinic, 3), offsetPosition(clinic, 3.2, Math.PI / 2)), false);
    assert.equal(withinBounds(boundsAround({ latitude: 10, longitude: 179.99 }, 5), { latitude: 10, longitude: -179.99 }), true);
    assert.equal(withinBounds(boundsAround({ latitude: 89.99, longitude: 0 }, 5), { latitude: 89.995, longitude: 180 }), true);
  });

  it('reads the geolocation extension of an Address and the service radius of a Location', () => {
    const position = { latitude: 34.25, longitude: 112.55 };
    assert.deepEqual(addressPosition({ text: 'x', extension: [geolocationExtension(position)] }), position);
    assert.equal(addressPosition({ text: 'x' }), undefined);
    assert.equal(addressPosition({ extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/geolocation', extension: [{ url: 'latitude', valueDecimal: 91 }, { url: 'longitude', valueDecimal: 1 }] }] }), undefined);
    const radius = (code: string): number | undefined =>
      serviceRadiusKm({ resourceType: 'Location', extension: [{ url: 'https://fhir.dhc.example/StructureDefinition/service-radius', valueQuantity: { value: 3, code } }] });
    assert.equal(radius('km'), 3);
    assert.equal(radius('m'), undefined);
  });

  it('reads the visit time in the offset it was written in, and checks availableTime and notAvailable', () => {
    const tuesday = visitTimeOf('2026-12-08T09:30:00+08:00');
    assert.deepEqual({ day: tuesday?.dayOfWeek, time: tuesday?.timeOfDay }, { day: 'tue', time: '09:30:00' });
    const weekdays: PractitionerRole = { resourceType: 'PractitionerRole', availableTime: [{ daysOfWeek: ['mon', 'tue'], availableStartTime: '08:00:00', availableEndTime: '17:00:00' }] };
    assert.equal(isOnDuty(weekdays, tuesday!), true);
    assert.equal(isOnDuty(weekdays, visitTimeOf('2026-12-08T17:00:00+08:00')!), false);
    assert.equal(isOnDuty(weekdays, visitTimeOf('2026-12-09T10:00:00+08:00')!), false);
    const away = { ...weekdays, notAvailable: [{ description: '休假', during: { start: '2026-12-07T00:00:00+08:00', end: '2026-12-10T00:00:00+08:00' } }] };
    assert.equal(isOnDuty(away, tuesday!), false);
    assert.equal(isOnDuty({ resourceType: 'PractitionerRole' }, tuesday!), true);
    // An order without a time is wanted now, in the network's time zone.
    const now = requestedVisitTime({ resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: {} }, Date.parse('2026-12-08T20:00:00Z'));
    assert.deepEqual({ day: now.dayOfWeek, time: now.timeOfDay }, { day: 'wed', time: '04:00:00' });
  });
});
