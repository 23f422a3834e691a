// The narrative rules txt-1 and txt-2 (https://hl7.org/fhir/R4/narrative.html#xhtml): Narrative.div is
// a <div> in the XHTML namespace holding only the basic formatting elements and attributes of HTML 4.0
// (chapters 7-11 and 15, no forms), links and images, with no active content (scripts, event attributes,
// javascript: links), and some non-whitespace content. Every system that shows a stored narrative trusts
// it, so this is checked on every write. The element and attribute lists are the ones the HL7 reference
// validator accepts (InstanceValidator: checkInnerNames, checkAttributes).

export interface NarrativeProblems {
  /** txt-1: what is not allowed XHTML (an empty list when the content is allowed). */
  structure: string[];
  /** txt-2: set when there is no non-whitespace content. */
  empty?: string;
}

const xhtmlNamespace = 'http://www.w3.org/1999/xhtml';

const allowedElements = new Set([
  'p', 'br', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'a', 'span', 'b', 'em', 'i', 'strong', 'small', 'big', 'tt',
  'dfn', 'q', 'var', 'abbr', 'acronym', 'cite', 'blockquote', 'hr', 'address', 'bdo', 'kbd', 'sub', 'sup', 'ul', 'ol',
  'li', 'dl', 'dt', 'dd', 'pre', 'table', 'caption', 'colgroup', 'col', 'thead', 'tr', 'tfoot', 'tbody', 'th', 'td',
  'code', 'samp', 'img', 'map', 'area',
]);

/** Attributes any allowed element may carry (HTML 4.0 core and i18n attributes, table layout). */
const commonAttributes = new Set([
  'title', 'style', 'class', 'id', 'lang', 'xml:lang', 'dir', 'accesskey', 'tabindex',
  'span', 'width', 'align', 'valign', 'char', 'charoff', 'abbr', 'axis', 'headers', 'scope', 'rowspan', 'colspan',
]);

const elementAttributes: Record<string, readonly string[]> = {
  a: ['href', 'name'],
  img: ['src', 'alt', 'height', 'width', 'longdesc', 'usemap'],
  area: ['href', 'alt', 'shape', 'coords', 'nohref'],
  map: ['name'],
  table: ['border', 'summary', 'cellpadding', 'cellspacing', 'frame', 'rules'],
  blockquote: ['cite'],
  q: ['cite'],
  ol: ['start', 'type'],
  ul: ['type'],
  li: ['value', 'type'],
  td: ['nowrap', 'bgcolor'],
  th: ['nowrap', 'bgcolor'],
};

// One token: a comment, an end tag, a start (or empty) tag with its attributes, or text up to the next '<'.
const token = /<!--([\s\S]*?)-->|<\/([^\s>]+)\s*>|<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)|(<)/g;
const attribute = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const entity = /&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9A-Fa-f]+);/g;
const linkAttributes = new Set(['href', 'src', 'longdesc', 'usemap', 'cite']);

/** Checks one Narrative.div value. */
export function narrativeProblems(xhtml: string): NarrativeProblems {
  const structure: string[] = [];
  const open: string[] = [];
  let hasContent = false;
  let sawRoot = false;
  const problem = (text: string): void => {
    if (structure.length < 5 && !structure.includes(text)) {
      structure.push(text);
    }
  };
  token.lastIndex = 0;
  for (let m = token.exec(xhtml); m; m = token.exec(xhtml)) {
    const [, , endName, startName, attributes, selfClosing, text, stray] = m;
    if (stray !== undefined) {
      problem(`a '<' at offset ${m.index} starts no well-formed tag (write &lt; for a literal '<')`);
    } else if (text !== undefined) {
      if (open.length === 0 && text.trim()) {
        problem('text outside the root <div>');
      }
      if (text.replace(entity, '').includes('&')) {
        problem("a bare '&' in the text (write &amp;)");
      }
      hasContent ||= text.replace(entity, 'x').trim().length > 0;
    } else if (endName !== undefined) {
      const expected = open.pop();
      if (expected !== endName) {
        problem(expected ? `</${endName}> closes <${expected}>` : `</${endName}> closes nothing`);
        return { structure, empty: undefined };
      }
    } else if (startName !== undefined) {
      if (open.length === 0) {
        if (sawRoot) {
          problem('more than one root element: the narrative is one <div>');
        }
        sawRoot = true;
      }
      checkElement(startName, attributes ?? '', open.length === 0, problem);
      hasContent ||= startName === 'img';
      if (!selfClosing) {
        open.push(startName);
      }
    }
  }
  if (!sawRoot) {
    problem('the narrative must be a <div> element');
  } else if (open.length) {
    problem(`<${open[open.length - 1]}> is not closed`);
  }
  return { structure, empty: hasContent ? undefined : 'the narrative has no content other than whitespace' };
}

function checkElement(name: string, attributes: string, isRoot: boolean, problem: (text: string) => void): void {
  if (isRoot && name !== 'div') {
    problem(`the root element is <${name}>, but must be <div>`);
  }
  if (!allowedElements.has(name)) {
    problem(`the element <${name}> is not allowed in a narrative (no scripts, forms, frames, objects or styles)`);
  }
  let namespace: string | undefined;
  attribute.lastIndex = 0;
  for (let m = attribute.exec(attributes); m; m = attribute.exec(attributes)) {
    const attr = m[1];
    const value = m[2] ?? m[3] ?? '';
    if (attr === 'xmlns') {
      namespace = value;
      continue;
    }
    if (/^on/i.test(attr)) {
      problem(`the event attribute ${attr} on <${name}> is active content, not allowed in a narrative`);
    } else if (!commonAttributes.has(attr) && !elementAttributes[name]?.includes(attr)) {
      problem(`the attribute ${attr} is not allowed on <${name}> in a narrative`);
    } else if (linkAttributes.has(attr) && /^\s*(?:javascript|vbscript):/i.test(decodeEntities(value))) {
      problem(`a script link in ${attr} on <${name}> is active content, not allowed in a narrative`);
    }
  }
  if (isRoot && namespace !== xhtmlNamespace) {
    problem(`the root <div> must declare xmlns="${xhtmlNamespace}"`);
  } else if (!isRoot && namespace !== undefined && namespace !== xhtmlNamespace) {
    problem(`<${name}> is in the namespace ${namespace}, not XHTML`);
  }
}

/** Enough decoding to see through "&#106;avascript:" and "java&#x09;script:". */
function decodeEntities(value: string): string {
  return value
    .replace(/&#x([0-9a-f]{1,6});?/gi, (_, hex: string) => codePoint(parseInt(hex, 16)))
    .replace(/&#([0-9]{1,7});?/g, (_, dec: string) => codePoint(Number(dec)))
    .replace(/[\t\r\n]/g, '');
}

function codePoint(n: number): string {
  return n <= 0x10ffff ? String.fromCodePoint(n) : '';
}
