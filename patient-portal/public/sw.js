/* global self, caches, fetch, URL, Request, Response */
/**
 * The patient portal's service worker: the app shell. `tools/precache-manifest.mjs` (run by
 * `npm run build`) writes the build's file list and a version into this file in `dist/`, so
 * every build installs a new worker that precaches index.html, the hashed bundles, the manifest
 * and the icons, and drops the previous build's shell. Navigations are network first with the
 * cached index.html as the offline fallback; hashed files are served from the cache.
 *
 * Patient data is not kept here: the app keeps the appointments and prescriptions it loaded,
 * per signed-in patient, in its own caches (`medbuddy-patient-data:<patient id>`, see
 * src/app/offline/), and deletes them on signing out. This worker leaves those caches alone.
 */
const VERSION = 'development';
/** Paths relative to the scope; written by tools/precache-manifest.mjs. */
const PRECACHE = ['./', './manifest.webmanifest', './favicon.svg'];
const SHELL_PREFIX = 'medbuddy-patient-shell-';
const CACHE = `${SHELL_PREFIX}${VERSION}`;
/** The data cache of earlier versions of this worker (one for every account): dropped. */
const LEGACY_DATA_CACHE = 'medbuddy-patient-data-v1';
/** Angular's hashed build files never change, so the cached copy is always right. */
const HASHED = /-[A-Z0-9]{8}\.[a-z0-9]+$/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((file) => new Request(file, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => (key.startsWith(SHELL_PREFIX) && key !== CACHE) || key === LEGACY_DATA_CACHE)
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  const scope = new URL(self.registration.scope);
  if (request.method !== 'GET' || url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) {
    return;
  }
  if (request.mode === 'navigate') {
    // Network first (a new build shows at once); offline, the cached shell routes on the client.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            event.waitUntil(caches.open(CACHE).then((cache) => cache.put('./', copy)));
          }
          return response;
        })
        .catch(() => caches.open(CACHE).then((cache) => cache.match('./')))
        .then((response) => response ?? Response.error()),
    );
    return;
  }
  event.respondWith(
    caches.open(CACHE).then((cache) =>
      cache.match(request).then(
        (cached) =>
          (HASHED.test(url.pathname) && cached) ||
          fetch(request)
            .then((response) => {
              if (response.ok) {
                const copy = response.clone();
                event.waitUntil(cache.put(request, copy));
              }
              return response;
            })
            .catch(() => cached ?? Response.error()),
      ),
    ),
  );
});
