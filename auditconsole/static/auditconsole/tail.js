// The live tail's controls. htmx does the polling (hx-trigger on #tail-poller), or under
// ASGI its SSE extension holds the stream (sse-connect on #tail-poller), and the swaps;
// this file only steers them: pause and resume (lines keep arriving, hidden, and are
// counted), auto-scroll that lets go when the user scrolls up, "jump to live", the DOM
// cap, no polls while the tab is hidden, and the stream's URL kept at the last position.
// No eval, no inline code: CSP-clean.
(function () {
  "use strict";
  var follow = true;     // stick to the bottom as lines arrive
  var paused = false;
  var held = 0;          // lines that arrived while paused
  var dropped = 0;       // old lines removed by the cap
  var before = 0;        // children in #tail-lines before the current swap

  function $(selector) { return document.querySelector(selector); }
  function lines() { return document.getElementById("tail-lines"); }

  function atBottom(box) { return box.scrollHeight - box.scrollTop - box.clientHeight < 8; }
  function toBottom() { var box = lines(); if (box) { box.scrollTop = box.scrollHeight; } }

  function render() {
    var root = $("[data-tail]");
    if (!root) { return; }
    var pause = root.querySelector("[data-tail-pause]");
    pause.textContent = paused ? "Resume" : "Pause";
    pause.setAttribute("aria-pressed", paused ? "true" : "false");
    var poller = document.getElementById("tail-poller");
    var stopped = poller && !poller.hasAttribute("hx-get") && !poller.hasAttribute("sse-connect");
    root.querySelector("[data-tail-status]").textContent = stopped ? "Stopped"
      : paused ? held + " new line" + (held === 1 ? "" : "s") + " while paused"
        : (follow ? "Live" : "Live (scrolled up)");
    root.querySelector("[data-tail-jump]").hidden = follow && !paused;
    var notice = root.querySelector("[data-tail-dropped]");
    if (notice && dropped) {
      notice.hidden = false;
      notice.textContent = dropped + " older line" + (dropped === 1 ? " was" : "s were") +
        " removed to keep the page fast (it keeps the newest " + root.dataset.maxLines + ").";
    }
  }

  // Remove the oldest lines (and markers among them) beyond the cap.
  function trim() {
    var box = lines();
    var root = $("[data-tail]");
    if (!box || !root) { return; }
    var cap = parseInt(root.dataset.maxLines, 10) || 2000;
    var all = box.getElementsByClassName("tail-line");
    while (all.length > cap) {
      var first = box.querySelector(".tail-line, .tail-marker");
      if (first.classList.contains("tail-line")) { dropped += 1; }
      first.remove();
    }
  }

  function setPaused(value) {
    paused = value;
    if (!paused) {
      var box = lines();
      box.querySelectorAll(".is-held").forEach(function (line) { line.classList.remove("is-held"); });
      held = 0;
      if (follow) { toBottom(); }
    }
    render();
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-tail-pause]")) { setPaused(!paused); }
    if (event.target.closest("[data-tail-jump]")) {
      follow = true;
      setPaused(false);
      toBottom();
      render();
    }
  });

  // scroll does not bubble: listen in the capture phase.
  document.addEventListener("scroll", function (event) {
    if (event.target.id !== "tail-lines") { return; }
    var now = atBottom(event.target);
    if (now !== follow) { follow = now; render(); }
  }, true);

  // A hidden tab makes no requests; it catches up as soon as it is shown again.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt.id === "tail-poller" && document.visibilityState === "hidden") {
      event.preventDefault();
    }
  });
  document.addEventListener("visibilitychange", function () {
    var poller = document.getElementById("tail-poller");
    if (document.visibilityState === "visible" && poller && poller.hasAttribute("hx-get")) {
      poller.dispatchEvent(new CustomEvent("tail-poll"));
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (detail.target.id === "tail-lines") { before = detail.target.children.length; }
    // A refused position or filter answers 400 with a message and a stopped poller: show it.
    if (detail.xhr.status === 400 && detail.elt.closest && detail.elt.closest("[data-tail]")) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });

  // A stream's batch is swapped without beforeSwap: count the lines before it here.
  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    var box = lines();
    if (box) { before = box.children.length; }
  });

  // The browser resends the last event's id when it reconnects by itself; when the
  // extension reconnects (after the browser gave up) it opens sse-connect again, which
  // must therefore carry the last position too.
  document.addEventListener("htmx:sseMessage", function (event) {
    var poller = event.target;
    var id = event.detail.lastEventId;
    if (!id || poller.id !== "tail-poller" || !poller.hasAttribute("sse-connect")) { return; }
    var url = new URL(poller.getAttribute("sse-connect"), window.location.href);
    url.searchParams.set("cursor", id);
    poller.setAttribute("sse-connect", url.pathname + url.search);
  });

  // htmx fires afterSwap on every swapped element (the poller too, out of band) with the
  // same detail: look at the element the event is on, not at detail.target.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.target;
    if (target.id === "tail-lines") {
      var children = target.children;
      for (var i = before; i < children.length; i++) {
        if (paused) {
          children[i].classList.add("is-held");
          if (children[i].classList.contains("tail-line")) { held += 1; }
        }
      }
      trim();
      if (follow && !paused) { toBottom(); }
      render();
    } else if (target.id === "tail-view") {
      // New filters: a new list, so the counts start again.
      held = 0;
      dropped = 0;
      follow = true;
      trim();
      toBottom();
      render();
    }
  });

  function start() {
    var root = $("[data-tail]");
    if (!root) { return; }
    root.querySelector("[data-tail-controls]").hidden = false;
    trim();
    toBottom();
    render();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
