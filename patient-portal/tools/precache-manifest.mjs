// Run by `npm run build` after `ng build`: writes the build's file list and a version (a hash of
// the files) into dist/sw.js, so that each build installs a new service worker that precaches
// the whole app shell (index.html, the hashed bundles and styles, the manifest and the icons).
// Files over MAX_BYTES (the Twilio video SDK's lazy chunk) are left to the worker's runtime
// cache: they are only fetched when a call starts, which needs the network anyway.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const MAX_BYTES = 400 * 1024;
/** Not part of the shell: the worker itself and the build's side files. */
const SKIPPED = new Set(['sw.js', '3rdpartylicenses.txt', 'prerendered-routes.json']);

const dist = path.resolve(import.meta.dirname, '..', 'dist');

function files(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? files(full) : [full];
    });
}

const hash = createHash('sha256');
const precache = [];
for (const file of files(dist)) {
  const relative = path.relative(dist, file).split(path.sep).join('/');
  if (SKIPPED.has(relative) || relative.endsWith('.map') || statSync(file).size > MAX_BYTES) {
    continue;
  }
  hash.update(relative).update(readFileSync(file));
  precache.push(relative === 'index.html' ? './' : `./${relative}`);
}

const workerFile = path.join(dist, 'sw.js');
const worker = readFileSync(workerFile, 'utf8');
const version = hash.digest('hex').slice(0, 16);
const written = worker
  .replace(/^const VERSION = .*;$/m, `const VERSION = '${version}';`)
  .replace(/^const PRECACHE = .*;$/m, `const PRECACHE = ${JSON.stringify(precache)};`);
if (written === worker || !written.includes(version)) {
  throw new Error('dist/sw.js has no VERSION/PRECACHE lines to write');
}
writeFileSync(workerFile, written);
console.log(`sw.js: version ${version}, ${precache.length} files precached`);
