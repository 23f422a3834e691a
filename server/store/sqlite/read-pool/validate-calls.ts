// The read threads' second kind of call: a write's checks on a Bundle's entries (server/validation/
// offloaded-validation.ts), answered on the thread's own connection inside the same kind of read
// transaction as a search, so that the StructureDefinitions and terminology read and the marker the
// answer carries come from one snapshot of the store.
import type { ThreadValidators, ValidationRequest } from '../../../validation/offloaded-validation';
import type { RegistryDefinition } from '../../../search/indexing/registry';
import type { SqliteOperations } from '../sqlite-operations';
import { arrived } from './read-calls';

export const validateCall = 'validate';

/**
 * The thread's validator, loaded on its first validate call: a thread that only searches never holds
 * the validator's modules, schemas and definitions.
 */
export function threadValidation(operations: SqliteOperations, indexing?: RegistryDefinition): (request: ValidationRequest) => Promise<unknown> {
  let validators: ThreadValidators | undefined;
  return async (request) => {
    if (!validators) {
      const loaded = require('../../../validation/offloaded-validation') as typeof import('../../../validation/offloaded-validation');
      const { ThreadValidators, validatorSources } = loaded;
      // The thread's searches answer with stored text (for the crossing): the validator reads resources.
      const search: SqliteOperations['search'] = async (plan) => arrived('search', await operations.search(plan));
      // With the store's indexer's parameters, each entry that passes is also extracted here (planned-extraction.ts).
      const { SearchParameterRegistry } = require('../../../search/indexing/registry') as typeof import('../../../search/indexing/registry');
      const registry = indexing && new SearchParameterRegistry(indexing.extra, { uniqueParameters: indexing.uniqueParameters });
      validators = new ThreadValidators({ search }, () => operations.newestSeq(validatorSources), registry);
    }
    return validators.validate(request);
  };
}
