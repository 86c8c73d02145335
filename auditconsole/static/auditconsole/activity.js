// Activity pages: leave blank filter fields out of htmx requests, so that the URL pushed
// into the address bar (the permalink) holds only the filters actually set. Without
// JavaScript the form still works; its URLs just carry the empty fields.
(function () {
  "use strict";
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt.closest || !elt.closest("[data-drop-empty]")) { return; }
    var data = event.detail.formData;
    var empty = [];
    data.forEach(function (value, key) { if (value === "") { empty.push(key); } });
    empty.forEach(function (key) { data.delete(key); });
  });
})();
