import type { CodeSystem, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { notFound } from '../outcomes';
import { ConceptIndex } from './concept-index';
import { displayIn } from './expand-value-set';

/**
 * http://hl7.org/fhir/R4/codesystem-operation-lookup.html: a concept's name, display,
 * designations and properties (declared ones, plus parent, child, inactive). `properties`
 * limits which properties are returned.
 */
export function lookupCode(
  codeSystem: CodeSystem,
  code: string,
  options: { properties?: readonly string[]; displayLanguage?: string } = {},
): Parameters {
  const concept = ConceptIndex.of(codeSystem).get(code);
  if (!concept) {
    throw notFound(`The code "${code}" is not defined by code system ${codeSystem.url}`);
  }
  const wanted = (name: string): boolean => !options.properties?.length || options.properties.includes(name);
  const parameter: ParametersParameter[] = [
    { name: 'name', valueString: codeSystem.name ?? codeSystem.title ?? (codeSystem.url as string) },
  ];
  if (codeSystem.version) {
    parameter.push({ name: 'version', valueString: codeSystem.version });
  }
  parameter.push({ name: 'display', valueString: displayIn(concept, options.displayLanguage) ?? concept.code });
  if (concept.abstract) {
    parameter.push({ name: 'abstract', valueBoolean: true });
  }
  for (const designation of concept.designation) {
    const part: ParametersParameter[] = [];
    if (designation.language) {
      part.push({ name: 'language', valueCode: designation.language });
    }
    if (designation.use) {
      part.push({ name: 'use', valueCoding: designation.use });
    }
    part.push({ name: 'value', valueString: designation.value });
    parameter.push({ name: 'designation', part });
  }
  const property = (name: string, value: Omit<ParametersParameter, 'name'>): void => {
    if (wanted(name)) {
      parameter.push({
        name: 'property',
        part: [
          { name: 'code', valueCode: name },
          { name: 'value', ...value },
        ],
      });
    }
  };
  if (concept.definition) {
    property('definition', { valueString: concept.definition });
  }
  concept.parents.forEach((parent) => property('parent', { valueCode: parent }));
  concept.children.forEach((child) => property('child', { valueCode: child }));
  property('inactive', { valueBoolean: concept.inactive });
  for (const p of concept.property) {
    if (p.code === 'parent' || p.code === 'child') {
      continue;
    }
    const { code: name, ...value } = p;
    property(name as string, value);
  }
  return { resourceType: 'Parameters', parameter };
}
