// auditconsole's first-party script for every page: the theme toggle, clean permalinks
// from filter forms, and Django's CSRF token on every htmx request that changes state.
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

  // Forms marked data-drop-empty leave blank fields out of htmx requests, so the URL pushed
  // into the address bar (the permalink) holds only the filters actually set. A repeated
  // key (field=...) keeps its non-blank values. Without JavaScript the form still works;
  // its URLs just carry the blank fields.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt.closest || !elt.closest("[data-drop-empty]")) { return; }
    var data = event.detail.formData;
    var kept = [];
    data.forEach(function (value, key) { if (value !== "") { kept.push([key, value]); } });
    Array.from(new Set(data.keys())).forEach(function (key) { data.delete(key); });
    kept.forEach(function (pair) { data.append(pair[0], pair[1]); });
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match && event.detail.verb !== "get") {
      event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
    }
  });
})();
