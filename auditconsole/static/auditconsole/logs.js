// Log browse pages: leave blank filter fields out of htmx requests, so that the URL pushed
// into the address bar (the permalink) holds only the filters actually set. A repeated
// field (field=...) keeps its non-blank values. Without JavaScript the form still works;
// its URLs just carry the blank fields.
(function () {
  "use strict";
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt.closest || !elt.closest("[data-log-filters]")) { return; }
    var data = event.detail.formData;
    var kept = [];
    data.forEach(function (value, key) { if (value !== "") { kept.push([key, value]); } });
    Array.from(new Set(data.keys())).forEach(function (key) { data.delete(key); });
    kept.forEach(function (pair) { data.append(pair[0], pair[1]); });
  });
})();
