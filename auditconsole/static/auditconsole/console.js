// auditconsole's only first-party script for every page: the theme toggle, and
// sending Django's CSRF token with every htmx request that changes state.
(function () {
  "use strict";
  var KEY = "auditconsole-theme";
  var root = document.documentElement;
  try {
    var saved = localStorage.getItem(KEY);
    if (saved === "dark" || saved === "light") { root.dataset.theme = saved; }
  } catch (e) { /* storage may be disabled; the system theme still applies */ }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-theme-toggle]");
    if (!toggle) { return; }
    var dark = root.dataset.theme
      ? root.dataset.theme === "dark"
      : window.matchMedia("(prefers-color-scheme: dark)").matches;
    root.dataset.theme = dark ? "light" : "dark";
    try { localStorage.setItem(KEY, root.dataset.theme); } catch (e) { /* ignore */ }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match && event.detail.verb !== "get") {
      event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
    }
  });
})();
