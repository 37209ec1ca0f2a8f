/* EMPLOYMENT+ service worker: keeps the shells of the forms that work offline (no personal
   data: they are rendered without any participant) and the static files they need. Pages with
   personal data are never cached; when the network is gone, a form's address is answered with
   its shell and every other page with the list of entries waiting to be sent. Registered from
   /static/selfservice/ with scope "/" (the server sends Service-Worker-Allowed: /). */
"use strict";
importScripts("routes.js");

const CACHE = "emplus-offline-v1";
const OFFLINE = self.EMPLUS_OFFLINE;
const SHELLS = [OFFLINE.outbox, ...OFFLINE.routes.map((route) => route.shell)];
const STATIC_PREFIXES = ["/static/emplus/", "/static/selfservice/"];

async function cacheShells() {
  const cache = await caches.open(CACHE);
  for (const url of SHELLS) {
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      // A redirect means the log-in page (or no permission): never keep that as a shell.
      if (!response.ok || response.redirected) continue;
      const html = await response.clone().text();
      await cache.put(url, response);
      for (const match of html.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)) {
        try {
          await cache.add(match[1]);
        } catch (error) {
          /* a missing asset must not stop the others */
        }
      }
    } catch (error) {
      /* offline while refreshing: keep what we have */
    }
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(cacheShells().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })()
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "refresh") event.waitUntil(cacheShells());
});

async function offlineAnswer(path) {
  const route = OFFLINE.routes.find((candidate) => candidate.pattern.test(path));
  const cached = await caches.match(route ? route.shell : OFFLINE.outbox);
  return (
    cached ||
    new Response("<!DOCTYPE html><title>Offline</title><h1>Offline</h1>", {
      status: 503,
      headers: { "Content-Type": "text/html; charset=utf-8" },
    })
  );
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => offlineAnswer(url.pathname)));
    return;
  }
  if (STATIC_PREFIXES.some((prefix) => url.pathname.startsWith(prefix))) {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(request, copy));
          }
          return response;
        })
        .catch(() => caches.match(request).then((hit) => hit || Response.error()))
    );
  }
});
