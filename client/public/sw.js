/*
 * Tandem's service worker: keeps the app shell (index.html and the hashed assets it references)
 * so that a document page reloads while the server is unreachable; the document itself comes
 * from IndexedDB. Network first, cache as the fallback; the API and WebSockets are never cached.
 */
const CACHE = 'tandem-shell-v1';

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const response = await fetch('/', { cache: 'no-store' });
      const html = await response.clone().text();
      await cache.put('/', response);
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]);
      await cache.addAll(assets);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  const isShell = request.mode === 'navigate' && (url.pathname === '/' || url.pathname.startsWith('/d/'));
  const isAsset = url.pathname.startsWith('/assets/');
  if (!isShell && !isAsset) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const response = await fetch(request);
        if (response.ok) await cache.put(isShell ? '/' : request, response.clone());
        return response;
      } catch (error) {
        const cached = await cache.match(isShell ? '/' : request);
        if (cached) return cached;
        throw error;
      }
    })(),
  );
});
