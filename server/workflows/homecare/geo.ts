// Positions on the earth for home-care dispatch: the standard geolocation extension on an Address
// (https://hl7.org/fhir/R4/extension-geolocation.html), a Location's position and service radius, and
// the great-circle distance between two positions (haversine formula on a sphere of the mean radius).
import type { Address, Extension, Location } from '@medplum/fhirtypes';

export const geolocationUrl = 'http://hl7.org/fhir/StructureDefinition/geolocation';
export const serviceRadiusUrl = 'https://fhir.dhc.example/StructureDefinition/service-radius';

/** WGS 84 degrees. */
export interface Position {
  latitude: number;
  longitude: number;
}

/** The mean earth radius (IUGG), in km: the haversine error against the ellipsoid stays under 0.5%. */
const earthRadiusKm = 6371.0088;

/** The great-circle distance in km. */
export function distanceKm(a: Position, b: Position): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * earthRadiusKm * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * A latitude/longitude box that holds every point within a distance of a centre: a cheap test that
 * leaves out most far points before the great-circle distance is computed. The longitude half-width of
 * a spherical cap of angular radius d at latitude φ is asin(sin d / cos φ) (J. P. Matuschek, "Finding
 * points within a distance of a latitude/longitude using bounding coordinates"); a cap reaching a pole
 * spans every longitude.
 */
export interface Bounds {
  minLatitude: number;
  maxLatitude: number;
  /** Half-width in degrees of longitude around `longitude`; 180 when every longitude is inside. */
  halfWidth: number;
  longitude: number;
}

/** Rounding room, in degrees, so that a point on the circle itself is never cut by the box. */
const boundsMargin = 1e-9;

export function boundsAround(centre: Position, km: number): Bounds {
  const rad = Math.PI / 180;
  const angular = km / earthRadiusKm;
  const minLatitude = centre.latitude - angular / rad - boundsMargin;
  const maxLatitude = centre.latitude + angular / rad + boundsMargin;
  const ratio = Math.sin(angular) / Math.cos(centre.latitude * rad);
  const halfWidth = minLatitude <= -90 || maxLatitude >= 90 || angular >= Math.PI / 2 || ratio >= 1 ? 180 : Math.asin(ratio) / rad + boundsMargin;
  return { minLatitude, maxLatitude, halfWidth, longitude: centre.longitude };
}

/** Whether the point lies in the box (across the antimeridian too). */
export function withinBounds(bounds: Bounds, point: Position): boolean {
  if (point.latitude < bounds.minLatitude || point.latitude > bounds.maxLatitude) {
    return false;
  }
  const apart = Math.abs((((point.longitude - bounds.longitude) % 360) + 540) % 360 - 180);
  return apart <= bounds.halfWidth;
}

/** The point `km` away from `from` in the direction `bearing` (radians from north), on the sphere. */
export function offsetPosition(from: Position, km: number, bearing: number): Position {
  const rad = Math.PI / 180;
  const angular = km / earthRadiusKm;
  const lat1 = from.latitude * rad;
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(angular) + Math.cos(lat1) * Math.sin(angular) * Math.cos(bearing));
  const lon2 = from.longitude * rad + Math.atan2(Math.sin(bearing) * Math.sin(angular) * Math.cos(lat1), Math.cos(angular) - Math.sin(lat1) * Math.sin(lat2));
  return { latitude: lat2 / rad, longitude: lon2 / rad };
}

/** The geolocation extension for a position, with its latitude and longitude sub-extensions. */
export function geolocationExtension(position: Position): Extension {
  return {
    url: geolocationUrl,
    extension: [
      { url: 'latitude', valueDecimal: position.latitude },
      { url: 'longitude', valueDecimal: position.longitude },
    ],
  };
}

/** The position an Address carries in its geolocation extension; undefined without one (or with a broken one). */
export function addressPosition(address: Address | undefined): Position | undefined {
  const geo = address?.extension?.find((e) => e.url === geolocationUrl);
  const part = (name: string): number | undefined => geo?.extension?.find((e) => e.url === name)?.valueDecimal;
  return positionOf(part('latitude'), part('longitude'));
}

/** A Location's position (Location.position); undefined without one. */
export function locationPosition(location: Location | undefined): Position | undefined {
  return positionOf(location?.position?.latitude, location?.position?.longitude);
}

/** A Location's service radius in km (the service-radius extension, UCUM km); undefined without one. */
export function serviceRadiusKm(location: Location | undefined): number | undefined {
  const quantity = location?.extension?.find((e) => e.url === serviceRadiusUrl)?.valueQuantity;
  return quantity?.code === 'km' && typeof quantity.value === 'number' && quantity.value > 0 ? quantity.value : undefined;
}

function positionOf(latitude: number | undefined, longitude: number | undefined): Position | undefined {
  return typeof latitude === 'number' && typeof longitude === 'number' && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 ? { latitude, longitude } : undefined;
}
