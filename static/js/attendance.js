/* The live attendance page: refresh the figures every data-refresh-seconds without reloading
   the page, so the reader keeps their scroll position, focus and what they are typing. Nothing
   runs while the tab is hidden. (A file of its own: the Content-Security-Policy runs no inline
   script.) */
(function () {
  "use strict";
  var page = document.querySelector("[data-refresh-seconds]");
  if (!page || !window.fetch || !window.DOMParser) { return; }
  var failed = document.getElementById("attendance-refresh-failed");
  var url = new URL(window.location.href);
  url.searchParams.set("live", "1");
  function refresh() {
    if (document.hidden) { return; }
    fetch(url.toString(), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        // A redirect means the session ended (to the login page): say so rather than show it.
        if (!response.ok || response.redirected) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        fresh.querySelectorAll("[data-live]").forEach(function (part) {
          var current = document.getElementById(part.id);
          if (!current) { return; }
          current.querySelectorAll("details[open][id]").forEach(function (opened) {
            var twin = part.querySelector("#" + CSS.escape(opened.id));
            if (twin) { twin.open = true; }
          });
          current.replaceWith(part);
        });
        failed.hidden = true;
      })
      .catch(function () { failed.hidden = false; });
  }
  window.setInterval(refresh, Number(page.dataset.refreshSeconds) * 1000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { refresh(); }
  });
})();
