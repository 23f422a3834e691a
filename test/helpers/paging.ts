// Pages a search over HTTP by its links, as a client does: forward by `next` to the end, then back by
// `previous`. For the tests of sort orders and cursors.
import type { Bundle } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import type { TestServer } from './test-server';
import { testBaseUrl } from './test-server';

/** The ids of each page forward, and of each page back from the last one. */
export async function forwardAndBack(server: TestServer, query: string): Promise<{ forward: string[][]; back: string[][] }> {
  const ids = (bundle: Bundle): string[] => (bundle.entry ?? []).map((e) => e.resource!.id!);
  const link = (bundle: Bundle | undefined, relation: string): string | undefined =>
    bundle?.link?.find((l) => l.relation === relation)?.url.replace(testBaseUrl, '');
  const forward: string[][] = [];
  let bundle: Bundle | undefined;
  let url: string | undefined = query;
  while (url) {
    const res = await server.http.get(url);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    bundle = res.body as Bundle;
    forward.push(ids(bundle));
    url = link(bundle, 'next');
  }
  const back: string[][] = [];
  url = link(bundle, 'previous');
  while (url) {
    const page = (await server.http.get(url)).body as Bundle;
    back.push(ids(page));
    url = link(page, 'previous');
  }
  return { forward, back };
}
