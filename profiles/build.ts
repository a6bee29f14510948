/**
 * `npm run build`: writes the publishable FHIR package to dist/package/ (package.json, every
 * resource with its generated snapshot, examples/ and an .index.json), the layout FHIR package
 * registries and tools expect. The server itself generates the same snapshots at start-up.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { StructureDefinition } from '@medplum/fhirtypes';
import { loadFhirDefinitions, profileRegistry } from '../fhir-server/src/definitions';
import { loadProfilesPackage, PROFILES_DIR } from './index';

loadFhirDefinitions();
const out = path.join(PROFILES_DIR, 'dist', 'package');
fs.rmSync(path.join(PROFILES_DIR, 'dist'), { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'examples'), { recursive: true });
const manifest = JSON.parse(fs.readFileSync(path.join(PROFILES_DIR, 'package.json'), 'utf8')) as Record<string, unknown>;
const { scripts: _scripts, devDependencies: _dev, private: _private, main: _main, ...fhirManifest } = manifest;
fs.writeFileSync(
  path.join(out, 'package.json'),
  JSON.stringify({ ...fhirManifest, dependencies: { 'hl7.fhir.r4.core': '4.0.1' } }, null, 2),
);
const { conformance, examples } = loadProfilesPackage();
const files: { filename: string; resourceType: string; id?: string; url?: string; version?: string; type?: string }[] = [];
for (const { fileName, resource } of conformance) {
  const withSnapshot =
    resource.resourceType === 'StructureDefinition' ? profileRegistry.get((resource as StructureDefinition).url as string) : resource;
  fs.writeFileSync(path.join(out, fileName), JSON.stringify(withSnapshot, null, 2));
  const { id, url, version, type } = resource as { id?: string; url?: string; version?: string; type?: string };
  files.push({ filename: fileName, resourceType: resource.resourceType, id, url, version, type });
}
for (const { fileName, resource } of examples) {
  fs.writeFileSync(path.join(out, fileName), JSON.stringify(resource, null, 2));
}
fs.writeFileSync(path.join(out, '.index.json'), JSON.stringify({ 'index-version': 1, files }, null, 2));
console.log(`Wrote ${conformance.length} resources and ${examples.length} examples to ${path.relative(process.cwd(), out)}`);
