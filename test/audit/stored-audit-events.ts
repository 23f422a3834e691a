// The AuditEvents a test server stored, once its buffer is flushed.
import type { AuditEvent } from '@medplum/fhirtypes';
import type { TestServer } from '../helpers/test-server';

/** Every AuditEvent stored, oldest first (the order the buffer wrote them). */
export async function storedAuditEvents(server: TestServer): Promise<AuditEvent[]> {
  await server.audit?.flush();
  const page = await server.store.history({ resourceType: 'AuditEvent', count: 10_000 });
  return page.versions.map((v) => v.resource as AuditEvent).reverse();
}
