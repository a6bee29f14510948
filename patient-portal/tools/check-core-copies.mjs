// The two portals carry the same core/, shared/ and e2e/support/ (no shared package: the top-level folders are
// fixed). This check fails when the copies drift apart, apart from selector prefixes and the
// files that are meant to differ. Run by `npm run lint` at the repository root.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const folders = ['src/app/core', 'src/app/shared', 'e2e/support'];
/** Files each portal words or lists for itself. */
const ALLOWED_TO_DIFFER = new Set([
  'src/app/core/auth/sign-in-page/sign-in-page.html',
  'src/app/core/shell/nav-items.ts',
  'src/app/core/shell/nav-items.spec.ts',
]);

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

function normalized(portal, relative) {
  return readFileSync(path.join(root, portal, relative), 'utf8').replace(/(['"`])(pp|cp)-/g, '$1xx-');
}

const problems = [];
for (const folder of folders) {
  const list = (portal) => files(path.join(root, portal, folder)).map((file) => path.relative(path.join(root, portal), file));
  const patient = new Set(list('patient-portal'));
  const clinician = new Set(list('clinician-portal'));
  for (const file of new Set([...patient, ...clinician])) {
    if (!patient.has(file) || !clinician.has(file)) {
      problems.push(`${file}: only in ${patient.has(file) ? 'patient-portal' : 'clinician-portal'}`);
    } else if (!ALLOWED_TO_DIFFER.has(file) && normalized('patient-portal', file) !== normalized('clinician-portal', file)) {
      problems.push(`${file}: differs between the portals`);
    }
  }
}
if (problems.length > 0) {
  console.error(`The portals' core/ and shared/ copies have drifted (copy the change to both):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log("Portals' core/ and shared/ copies match.");
