// Where each JSON key of an object goes in a schema, computed once per schema, so that the walk finds a
// property's element in one lookup and absent elements cost nothing.
import { capitalize, type InternalSchemaElement, type InternalTypeSchema } from '@medplum/core';

/** Where each JSON key of an object goes in a schema, computed once per schema. */
export interface SchemaTable {
  byKey: Map<string, { element: InternalSchemaElement; type: string }>;
  /** Choice elements by their base name (value for value[x]): a key with another type suffix is a restricted type. */
  choices: { base: string; element: InternalSchemaElement }[];
  required: { key: string; element: InternalSchemaElement; keys: string[] }[];
  /** Elements a profile constrains below a data type (code.coding), found by path. */
  nested: [string, InternalSchemaElement][];
}

const tables = new WeakMap<InternalTypeSchema, SchemaTable>();

export function tableOf(schema: InternalTypeSchema): SchemaTable {
  let table = tables.get(schema);
  if (table) {
    return table;
  }
  table = { byKey: new Map(), choices: [], required: [], nested: [] };
  for (const [key, element] of Object.entries(schema.elements)) {
    if (key.includes('.')) {
      table.nested.push([key, element]);
      continue;
    }
    const keys: string[] = [];
    if (key.endsWith('[x]')) {
      const base = key.slice(0, -3);
      table.choices.push({ base, element });
      for (const type of element.type) {
        keys.push(base + capitalize(type.code));
        table.byKey.set(base + capitalize(type.code), { element, type: type.code });
      }
    } else {
      keys.push(key);
      table.byKey.set(key, { element, type: element.type[0]?.code ?? 'Element' });
    }
    if (element.min > 0) {
      table.required.push({ key, element, keys });
    }
  }
  tables.set(schema, table);
  return table;
}
