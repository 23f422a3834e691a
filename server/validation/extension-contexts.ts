// The names an extension's place has in extension definitions' contexts
// (https://hl7.org/fhir/R4/defining-extensions.html#context): an extension on a Patient's contact name
// sits at 'Patient.contact.name', at 'HumanName' and at 'Element'; one on a resource also at 'Resource'
// and 'DomainResource'; one inside another extension at 'extension:<its url>'.

/** A complex-typed value (resource, data type, extension) the profile walk is inside. */
export interface Frame {
  type: string;
  path: string;
  resource: boolean;
  /** An extension's url: the context of the extensions inside it. */
  url?: string;
}

/** The contexts of the extension at `extensionPath`, given the frames the walk is inside (innermost last). */
export function extensionContexts(extensionPath: string, frames: readonly Frame[]): string[] {
  const parentPath = extensionPath.replace(/\.(?:extension|modifierExtension)\[\d+\]$/, '');
  const contexts = new Set<string>(['Element']);
  for (const frame of frames) {
    if (parentPath.startsWith(frame.path)) {
      contexts.add(frame.type + elementPath(parentPath.slice(frame.path.length)));
    }
  }
  const parent = frames[frames.length - 1];
  if (parent.path === parentPath) {
    if (parent.resource) {
      contexts.add('Resource').add('DomainResource');
    }
    if (parent.url) {
      contexts.add(`extension:${parent.url}`);
    }
  } else if (!/\._[^.]*$/.test(parentPath)) {
    contexts.add('BackboneElement');
  }
  return [...contexts];
}

/** ".contact[0].name" -> ".contact.name"; "._birthDate" -> ".birthDate". */
function elementPath(jsonPath: string): string {
  return jsonPath.replace(/\[\d+\]/g, '').replace(/\._/g, '.');
}
