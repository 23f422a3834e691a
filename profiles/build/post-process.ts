// What the build changes in SUSHI's output before it is committed under profiles/generated/.
import type { ElementDefinition, ImplementationGuide, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { stubVersion } from './package-cache';

/**
 * SUSHI's snapshot of a profile that slices `extension` (e.g. `extension contains EqaStatus named eqaStatus`)
 * has no `extension:eqaStatus.url` element, so a validator that matches slices by their discriminator
 * (url, a value discriminator) finds no fixed value and matches nothing: @medplum/core then reports every
 * conforming resource as missing the slice. This adds the element with fixedUri = the extension's url, as a
 * full snapshot (and the IG Publisher) would have it. https://hl7.org/fhir/R4/profiling.html#slicing
 */
export function addExtensionSliceUrls(sd: StructureDefinition): number {
  const elements = sd.snapshot?.element;
  if (!elements) {
    return 0;
  }
  const ids = new Set(elements.map((e) => e.id));
  const result: ElementDefinition[] = [];
  let added = 0;
  for (const element of elements) {
    result.push(element);
    const extensionUrl = element.type?.[0]?.profile?.[0];
    const isExtensionSlice = element.sliceName && /\.(extension|modifierExtension)$/.test(element.path ?? '');
    if (isExtensionSlice && extensionUrl && !ids.has(`${element.id}.url`)) {
      result.push({
        id: `${element.id}.url`,
        path: `${element.path}.url`,
        representation: ['xmlAttr'],
        short: 'identifies the meaning of the extension',
        min: 1,
        max: '1',
        base: { path: 'Extension.url', min: 1, max: '1' },
        type: [
          {
            extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type', valueUrl: 'uri' }],
            code: 'http://hl7.org/fhirpath/System.String',
          },
        ],
        fixedUri: extensionUrl,
        isModifier: false,
        isSummary: false,
      });
      added++;
    }
  }
  sd.snapshot = { ...sd.snapshot, element: result };
  return added;
}

/** The stub packages exist only so that SUSHI runs offline; the guide does not depend on them. */
export function dropStubDependencies(ig: ImplementationGuide): number {
  const before = ig.dependsOn?.length ?? 0;
  ig.dependsOn = ig.dependsOn?.filter((d) => d.version !== stubVersion);
  if (ig.dependsOn?.length === 0) {
    delete ig.dependsOn;
  }
  return before - (ig.dependsOn?.length ?? 0);
}

/** The parameter codes R4 allows (required binding guide-parameter-code). https://hl7.org/fhir/R4/codesystem-guide-parameter-code.html */
const r4GuideParameterCodes = new Set([
  'apply',
  'path-resource',
  'path-pages',
  'path-tx-cache',
  'expansion-parameter',
  'rule-broken-links',
  'generate-xml',
  'generate-json',
  'generate-turtle',
  'html-template',
]);

/**
 * SUSHI writes the guide for the IG Publisher, which accepts more than R4 does: parameters such as
 * copyrightyear and releaselabel (R4 binds the code to guide-parameter-code, required) and an empty
 * page.page array. The server stores the guide as an R4 resource, so those are dropped.
 */
export function makeGuideValidR4(ig: ImplementationGuide): string[] {
  const dropped: string[] = [];
  const definition = ig.definition;
  if (definition?.parameter) {
    dropped.push(...definition.parameter.filter((p) => !r4GuideParameterCodes.has(p.code)).map((p) => `parameter ${p.code}`));
    definition.parameter = definition.parameter.filter((p) => r4GuideParameterCodes.has(p.code));
    if (definition.parameter.length === 0) {
      delete definition.parameter;
    }
  }
  if (definition?.page?.page?.length === 0) {
    delete definition.page.page;
    dropped.push('empty page.page');
  }
  return dropped;
}

/** The committed form of a resource: 2-space JSON with a trailing newline, keys in SUSHI's (FHIR) order. */
export function serializeResource(resource: Resource): string {
  return `${JSON.stringify(resource, null, 2)}\n`;
}
