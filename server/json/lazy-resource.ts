// A stored resource parsed on first use. A search page arrives from a read thread as stored text, and
// the common page (no _summary or _elements) is written back as that text (stored-text.ts): parsing each
// resource on arrival (with the audit's walk, 0.2-0.4 ms of the server's thread for a page of 20
// Patients) made objects nobody read but the audit, which needs only their type, id and Patient
// references (docs/performance.md, "The server thread's CPU per request, fourth pass"). The server
// thread's own reads by id and version are made the same way (sqlite-operations.ts, 'lazy'): a read is
// answered with the stored text, and its parse was 7-9% of the thread's time on reads by id
// (docs/performance.md, "A read by id not parsed").
//
// The resource is a Proxy over an empty object. Its type and id are answered from the version it came
// with; anything else (a key, a descriptor, a symbol, a write) first parses the text into the target,
// after which every operation is the target's own, so that a consumer sees a plain parsed resource,
// number texts and all (number-text.ts). It cannot be structured-cloned (nothing on the server's thread
// clones a page's resources: the audit thread is sent the events, built from strings).
import type { Resource } from '@medplum/fhirtypes';
import { parseJsonKeepingNumbers } from './number-text';

/** Lazy resource -> its text while it is unparsed; deleted once parsed. */
const unparsed = new WeakMap<object, string>();

/**
 * The resource `text` holds, parsed when something other than its `resourceType` or `id` is asked.
 * `resourceType` and `id` must be the text's own (a version's columns are). Whether its numbers print
 * back as written is looked for in the text when it is parsed (parseJsonKeepingNumbers).
 */
export function lazyResource(text: string, resourceType: string, id: string): Resource {
  const target: Record<string | symbol, unknown> = {};
  let pending = true;
  const parsed = (): Record<string | symbol, unknown> => {
    if (pending) {
      // Object.assign copies own enumerable symbols too: the number texts' marks on the root.
      Object.assign(target, parseJsonKeepingNumbers(text));
      pending = false;
      unparsed.delete(proxy);
    }
    return target;
  };
  const handler: ProxyHandler<Record<string | symbol, unknown>> = {
    get: (_, key) => {
      if (pending) {
        if (key === 'resourceType') return resourceType;
        if (key === 'id') return id;
      }
      return parsed()[key];
    },
    set: (_, key, value) => Reflect.set(parsed(), key, value),
    has: (_, key) => Reflect.has(parsed(), key),
    ownKeys: () => Reflect.ownKeys(parsed()),
    getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(parsed(), key),
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(parsed(), key, descriptor),
    deleteProperty: (_, key) => Reflect.deleteProperty(parsed(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(parsed()),
    setPrototypeOf: (_, prototype) => Reflect.setPrototypeOf(parsed(), prototype),
    isExtensible: () => Reflect.isExtensible(parsed()),
    preventExtensions: () => Reflect.preventExtensions(parsed()),
  };
  const proxy = new Proxy(target, handler);
  unparsed.set(proxy, text);
  return proxy as unknown as Resource;
}

/** The text of a lazy resource not parsed yet; undefined for any other object, or once it is parsed. */
export function unparsedTextOf(resource: object): string | undefined {
  return unparsed.get(resource);
}
