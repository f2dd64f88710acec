// Sends the session's CSRF token with every htmx request (the CSP forbids inline
// scripts, so this lives here). The token is read from the page's meta tag.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
  }
});
// Refuse any request htmx would send to another origin.
document.addEventListener("htmx:validateUrl", function (event) {
  if (!event.detail.sameHost) {
    event.preventDefault();
  }
});
// The "Print" button of the recovery codes page (no inline handlers under the CSP).
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) {
    window.print();
  }
});
// A command answered in place says it worked in the page's one notice (web/htmx.py).
document.body.addEventListener("consortium-done", function () {
  var notice = document.getElementById("done-notice");
  if (notice) {
    notice.hidden = false;
  }
});
