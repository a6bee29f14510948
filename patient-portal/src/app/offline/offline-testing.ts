/** A Cache Storage over Maps, for the offline specs (jsdom has none); the browser's own is used end to end. */
export function memoryCacheStorage(): CacheStorage {
  const caches = new Map<string, Map<string, Response>>();
  const cacheOf = (entries: Map<string, Response>): Cache =>
    ({
      put: async (request: RequestInfo | URL, response: Response) => void entries.set(String(request), response),
      match: async (request: RequestInfo | URL) => entries.get(String(request))?.clone(),
    }) as Cache;
  return {
    open: async (name: string) => {
      const entries = caches.get(name) ?? new Map<string, Response>();
      caches.set(name, entries);
      return cacheOf(entries);
    },
    has: async (name: string) => caches.has(name),
    delete: async (name: string) => caches.delete(name),
    keys: async () => [...caches.keys()],
    match: async (request: RequestInfo | URL, options?: MultiCacheQueryOptions) => {
      const names = options?.cacheName ? [options.cacheName] : [...caches.keys()];
      for (const name of names) {
        const found = caches.get(name)?.get(String(request));
        if (found) {
          return found.clone();
        }
      }
      return undefined;
    },
  };
}
