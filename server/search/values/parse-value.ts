// One search value of a parameter, by the parameter's type, into a ValueCondition.
import { badRequest } from '../../outcomes';
import { parseDateCondition } from '../date-value';
import type { SearchParameterDef } from '../indexing/types';
import type { ValueCondition } from '../plan';
import { parseNumberRange } from './number-value';
import { splitPrefix } from './prefix';
import { parseQuantityValue } from './quantity-value';
import { parseReferenceValue, type ReferenceContext } from './reference-value';
import { splitUnescaped } from './split';
import { parseStringValue } from './string-value';
import { parseTokenValue } from './token-value';
import { parseUriValue } from './uri-value';

export interface ValueContext extends ReferenceContext {
  /** A composite's component parameters, by canonical URL. */
  byCanonical: (url: string) => SearchParameterDef | undefined;
}

export function parseValue(
  def: SearchParameterDef,
  value: string,
  modifier: string,
  parameter: string,
  context: ValueContext
): ValueCondition {
  switch (def.type) {
    case 'string':
      return parseStringValue(value, modifier, parameter);
    case 'token':
      return parseTokenValue(value, modifier, parameter);
    case 'date':
      return { type: 'date', ...parseDateCondition(value, parameter) };
    case 'number': {
      const { prefix, rest } = splitPrefix(value);
      return { type: 'number', prefix, ...parseNumberRange(rest, parameter) };
    }
    case 'quantity':
      return parseQuantityValue(value, parameter);
    case 'reference':
      return parseReferenceValue(value, modifier, def, parameter, context);
    case 'uri':
      return parseUriValue(value, modifier, parameter);
    case 'composite': {
      const components = def.components ?? [];
      const parts = splitUnescaped(value, '$');
      if (parts.length !== components.length) {
        throw badRequest(`${parameter}: a value has ${components.length} parts joined by '$', got '${value}'`, parameter);
      }
      return {
        type: 'composite',
        parts: parts.map((part, i) => {
          const component = context.byCanonical(components[i].definition);
          if (!component) {
            throw badRequest(`${parameter}: component ${i + 1} is not a known search parameter`, parameter);
          }
          return parseValue(component, part, '', parameter, context);
        }),
      };
    }
    case 'special':
      throw badRequest(`${parameter}: special search parameters are not supported`, parameter);
  }
}
