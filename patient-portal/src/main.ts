import { isDevMode } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { App } from './app/app';
import { appConfig } from './app/app.config';

bootstrapApplication(App, appConfig)
  .then(() => {
    // The PWA's service worker (public/sw.js): the app shell offline, installable. Not in ng serve.
    if (!isDevMode() && 'serviceWorker' in navigator) {
      navigator.serviceWorker.register('sw.js').catch((error: unknown) => console.warn('Service worker not registered', error));
    }
  })
  .catch((error: unknown) => console.error(error));
