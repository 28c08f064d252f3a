// Hangar dashboard: the little progressive JavaScript the pages use. Everything works without it;
// with it, [data-poll] regions refresh themselves and [data-autosubmit] selects submit their form.
// Loaded from /ui/static (CSP script-src 'self': no inline script anywhere).
(function () {
  "use strict";
  var POLL_MS = 2000;

  function poll(el) {
    var url = el.getAttribute("data-poll");
    if (!url) return;
    var busy = false;
    window.setInterval(function () {
      if (busy || document.hidden) return;
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (res) {
          if (res.status === 401) {
            // The session is over: go to sign-in rather than show a stale page.
            window.location.assign("/ui/sign-in?expired=1");
            return null;
          }
          return res.ok ? res.text() : null;
        })
        .then(function (html) {
          // The fragment is server-rendered by jte with every outside string escaped.
          if (html !== null && html !== undefined && el.innerHTML !== html) el.innerHTML = html;
        })
        .catch(function () { /* offline for a moment: try again at the next tick */ })
        .finally(function () { busy = false; });
    }, POLL_MS);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll]").forEach(poll);
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
  });
})();
