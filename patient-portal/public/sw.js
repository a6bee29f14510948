/* global self, caches, fetch, URL */
/**
 * The patient portal's service worker: the app shell (index.html and the build's files) works
 * offline. Only the portal's own files are cached: FHIR and sign-in requests always go to the
 * network, so no patient data is kept by the worker.
 */
const CACHE = 'medbuddy-patient-shell-v1';
/** Angular's hashed build files never change, so the cached copy is always right. */
const HASHED = /-[A-Z0-9]{8}\.[a-z0-9]+$/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(['./', './manifest.webmanifest', './favicon.svg']))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
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
            caches.open(CACHE).then((cache) => cache.put('./', copy));
          }
          return response;
        })
        .catch(() => caches.match('./')),
    );
    return;
  }
  event.respondWith(
    caches.match(request).then(
      (cached) =>
        (HASHED.test(url.pathname) && cached) ||
        fetch(request)
          .then((response) => {
            if (response.ok) {
              const copy = response.clone();
              caches.open(CACHE).then((cache) => cache.put(request, copy));
            }
            return response;
          })
          .catch(() => cached ?? Promise.reject(new Error(`offline: ${url.pathname}`))),
    ),
  );
});
