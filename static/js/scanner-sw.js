/* The scanner page's service worker: lets the page load again without network.

   Served by checkin.views.scanner.scanner_service_worker, which writes above this line
   `const SCANNER = {page, assets, version}`: the page's address and the addresses of its
   static files. Its scope (/checkin/ or /en/checkin/) also covers the organisers' pages
   below it: it answers only for the scanner page and its files, network first (a fresh page
   and fresh files whenever the server answers), and leaves every other request, the API's
   included, to the browser. */
/* global SCANNER */
"use strict";

var CACHE_PREFIX = "colloque-scanner-";
var CACHE = CACHE_PREFIX + SCANNER.version;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches
      .open(CACHE)
      .then(function (cache) {
        // One by one: a file that cannot be fetched now is fetched and kept on the next visit.
        return Promise.all(
          [SCANNER.page].concat(SCANNER.assets).map(function (url) {
            return fetch(url, { credentials: "same-origin" })
              .then(function (response) {
                if (response.ok && !response.redirected) return cache.put(url, response);
                return undefined;
              })
              .catch(function () {
                return undefined;
              });
          }),
        );
      })
      .then(function () {
        return self.skipWaiting();
      }),
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf(CACHE_PREFIX) === 0 && name !== CACHE;
            })
            .map(function (name) {
              return caches.delete(name);
            }),
        );
      })
      .then(function () {
        return self.clients.claim();
      }),
  );
});

function networkFirst(request, key) {
  return caches.open(CACHE).then(function (cache) {
    return fetch(request).then(
      function (response) {
        if (response.ok && !response.redirected) cache.put(key, response.clone());
        return response;
      },
      function (error) {
        return cache.match(key, { ignoreSearch: true, ignoreVary: true }).then(function (kept) {
          if (kept) return kept;
          throw error;
        });
      },
    );
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === SCANNER.page) {
    event.respondWith(networkFirst(request, SCANNER.page));
  } else if (SCANNER.assets.indexOf(url.pathname) !== -1) {
    event.respondWith(networkFirst(request, url.pathname));
  }
});
