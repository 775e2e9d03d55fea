// The published app's worker: the app shell (the WebAssembly runtime, the app's code, styles, fonts, icons) is cached
// by content hash at install, so the app starts from the cache, offline too. Data never is: /api, /hubs, /health,
// /public and /embed go to the server every time.
self.importScripts('./service-worker-assets.js');
self.addEventListener('install', event => event.waitUntil(onInstall(event)));
self.addEventListener('activate', event => event.waitUntil(onActivate(event)));
self.addEventListener('fetch', event => event.respondWith(onFetch(event)));

const cacheNamePrefix = 'astralytiq-shell-';
const cacheName = `${cacheNamePrefix}${self.assetsManifest.version}`;
const shell = [/\.dll$/, /\.pdb$/, /\.wasm$/, /\.html$/, /\.js$/, /\.json$/, /\.css$/, /\.woff2?$/, /\.png$/, /\.svg$/, /\.webmanifest$/, /\.dat$/, /\.blat$/];
const never = [/^service-worker\.js$/];
const live = ['/api/', '/hubs/', '/health/', '/public/', '/embed/'];

async function onInstall() {
    const requests = self.assetsManifest.assets
        .filter(asset => shell.some(pattern => pattern.test(asset.url)))
        .filter(asset => !never.some(pattern => pattern.test(asset.url)))
        .map(asset => new Request(asset.url, { integrity: asset.hash, cache: 'no-cache' }));
    await caches.open(cacheName).then(cache => cache.addAll(requests));
    self.skipWaiting();
}

async function onActivate() {
    const keys = await caches.keys();
    await Promise.all(keys.filter(key => key.startsWith(cacheNamePrefix) && key !== cacheName).map(key => caches.delete(key)));
    await self.clients.claim();
}

async function onFetch(event) {
    const url = new URL(event.request.url);
    if (event.request.method !== 'GET' || url.origin !== self.location.origin || live.some(prefix => url.pathname.startsWith(prefix))) {
        return fetch(event.request);
    }
    // A page address (a client-side route) is the app shell's index.html.
    const request = event.request.mode === 'navigate' ? 'index.html' : event.request;
    const cache = await caches.open(cacheName);
    return (await cache.match(request)) || fetch(event.request);
}
