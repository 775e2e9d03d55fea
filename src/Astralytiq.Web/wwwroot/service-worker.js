// While developing, every request goes to the server (a changed page shows at once); this worker only makes the app
// installable. The published app uses service-worker.published.js, which keeps the app shell for offline starts.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', event => event.waitUntil(self.clients.claim()));
self.addEventListener('fetch', () => { });
