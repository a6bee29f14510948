/* global self, caches, fetch, URL */
/**
 * The patient portal's service worker: the app shell (index.html and the build's files) works
 * offline, and so do the patient's appointments and prescriptions already loaded in this
 * browser: those FHIR reads go to the network first and, when it cannot be reached, are
 * answered with the last copy (the data cache). Signing out (the token revocation) deletes the
 * data cache, so no patient data stays in the worker's cache after signing out. Sign-in requests
 * are never cached.
 */
const CACHE = 'medbuddy-patient-shell-v1';
const DATA_CACHE = 'medbuddy-patient-data-v1';
/** FHIR reads kept for offline use: appointment and prescription searches, the patient's own record. */
const OFFLINE_DATA = /^\/fhir\/(Appointment|MedicationRequest)(\?|$)|^\/fhir\/Patient\/[^/?]+$/;
/** Sign-out revokes the tokens: the cached data goes with them. */
const SIGN_OUT = /^\/(oauth2\/revoke|auth\/logout)$/;
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
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE && key !== DATA_CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  const scope = new URL(self.registration.scope);
  if (url.origin === scope.origin && request.method === 'POST' && SIGN_OUT.test(url.pathname)) {
    event.waitUntil(caches.delete(DATA_CACHE));
    return;
  }
  // Live-update checks (`_lastUpdated`) are not worth keeping: each one has its own URL.
  if (
    request.method === 'GET' &&
    url.origin === scope.origin &&
    OFFLINE_DATA.test(url.pathname + url.search) &&
    !url.searchParams.has('_lastUpdated')
  ) {
    event.respondWith(networkFirstData(request));
    return;
  }
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

/** The network's answer (a copy kept when it is a success), or the last kept copy when offline. */
function networkFirstData(request) {
  return fetch(request)
    .then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(DATA_CACHE).then((cache) => cache.put(request, copy));
      }
      return response;
    })
    .catch((error) =>
      caches
        .open(DATA_CACHE)
        .then((cache) => cache.match(request, { ignoreVary: true }))
        .then((cached) => cached ?? Promise.reject(error)),
    );
}
