import { DOCUMENT } from '@angular/common';
import { inject, InjectionToken } from '@angular/core';

/**
 * Where the refresh token and the pending sign-in live: the tab's sessionStorage (survives a
 * reload, not the tab). A token so tests can give their own.
 */
export const AUTH_STORAGE = new InjectionToken<Storage>('AUTH_STORAGE', {
  providedIn: 'root',
  factory: () => inject(DOCUMENT).defaultView?.sessionStorage ?? memoryStorage(),
});

/** Leaves the app for another page (the authorization endpoint). A token so tests can watch it. */
export const LEAVE_APP = new InjectionToken<(url: string) => void>('LEAVE_APP', {
  providedIn: 'root',
  factory: () => {
    const location = inject(DOCUMENT).location;
    return (url: string) => location.assign(url);
  },
});

/** The page's base URL (`<base href>` resolved), from which the redirect URI is built. */
export const BASE_URI = new InjectionToken<string>('BASE_URI', {
  providedIn: 'root',
  factory: () => inject(DOCUMENT).baseURI,
});

/** A Storage over a Map: where there is no sessionStorage, and in tests. */
export function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, String(value)),
  };
}
