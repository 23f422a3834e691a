// Whether a nurse is on duty when a visit is wanted: PractitionerRole.availableTime (days of the week and
// hours) and notAvailable (https://hl7.org/fhir/R4/practitionerrole.html). Times are compared in the
// network's local time, as the order writes them (the seed and the clinics write +08:00).
import type { PractitionerRole, ServiceRequest } from '@medplum/fhirtypes';

/** When a visit is wanted: the local calendar day and time of day, and the instant. */
export interface VisitTime {
  /** The local calendar day, 'YYYY-MM-DD'. */
  date: string;
  /** 'mon'...'sun'. */
  dayOfWeek: string;
  /** 'HH:MM:SS'; undefined when the order gives a date only. */
  timeOfDay?: string;
  instant: number;
}

const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The network's time zone offset, for "now" when an order names no time: China Standard Time. */
const networkOffsetMs = 8 * 3_600_000;

/** A FHIR dateTime read in its own offset (the local time it was written in); undefined if it is not one. */
export function visitTimeOf(dateTime: string): VisitTime | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?/.exec(dateTime);
  if (!match) {
    return undefined;
  }
  const [, y, m, d, hh, mm, ss] = match;
  const day = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d))).getUTCDay();
  const instant = Date.parse(hh ? dateTime : `${y}-${m}-${d}T00:00:00+08:00`);
  return { date: `${y}-${m}-${d}`, dayOfWeek: days[day], ...(hh ? { timeOfDay: `${hh}:${mm}:${ss}` } : {}), instant: Number.isNaN(instant) ? Date.UTC(Number(y), Number(m) - 1, Number(d)) : instant };
}

/** When the order wants the visit: the start of occurrencePeriod, occurrenceDateTime, or else now. */
export function requestedVisitTime(request: ServiceRequest, now = Date.now()): VisitTime {
  const wanted = request.occurrencePeriod?.start ?? request.occurrenceDateTime;
  const parsed = wanted ? visitTimeOf(wanted) : undefined;
  if (parsed) {
    return parsed;
  }
  const local = new Date(now + networkOffsetMs).toISOString();
  return { ...(visitTimeOf(`${local.slice(0, 19)}+08:00`) as VisitTime), instant: now };
}

/**
 * Whether the role is on duty at the time: inside one of its availableTime entries (a role without any
 * states no hours and is taken as always available, as R4 reads an absent element) and outside every
 * notAvailable period.
 */
export function isOnDuty(role: PractitionerRole, at: VisitTime): boolean {
  const absent = role.notAvailable?.some((n) => {
    const start = n.during?.start ? Date.parse(n.during.start) : -Infinity;
    const end = n.during?.end ? Date.parse(n.during.end) : Infinity;
    return at.instant >= start && at.instant < end;
  });
  if (absent) {
    return false;
  }
  const times = role.availableTime ?? [];
  return (
    times.length === 0 ||
    times.some(
      (t) =>
        (!t.daysOfWeek?.length || t.daysOfWeek.includes(at.dayOfWeek as never)) &&
        (t.allDay || at.timeOfDay === undefined || ((!t.availableStartTime || t.availableStartTime <= at.timeOfDay) && (!t.availableEndTime || at.timeOfDay < t.availableEndTime)))
    )
  );
}
