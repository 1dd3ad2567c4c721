// Behaviour every page shares. Loaded from base.html; no inline scripts (the CSP forbids them).
// htmx.onLoad runs for the page and again for every fragment htmx swaps in.
(function () {
  "use strict";

  // A bulk action that cannot be undone (its option carries data-confirm) asks first.
  document.addEventListener("submit", function (event) {
    var chosen = event.target.querySelector("select[name=action] option:checked");
    if (chosen && chosen.dataset.confirm && !window.confirm(chosen.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // A second click while the first submit is on its way does nothing (the hidden key guards the server too).
  document.addEventListener("submit", function (event) {
    event.target.querySelectorAll("[data-disable-on-submit]").forEach(function (button) {
      button.disabled = true;
    });
  });

  // Progress bars take their width from data-progress (inline style attributes are refused by the CSP).
  function sizeProgressBars(root) {
    root.querySelectorAll("[data-progress]").forEach(function (bar) {
      bar.style.width = bar.dataset.progress + "%";
    });
  }

  // A photo that does not load (expired or unreachable URL) becomes the initials badge.
  function replaceWithInitials(img) {
    var badge = document.createElement("span");
    badge.className = "avatar";
    badge.setAttribute("aria-hidden", "true");
    badge.textContent = img.dataset.initials || "?";
    img.replaceWith(badge);
  }
  function watchPhotos(root) {
    root.querySelectorAll("img.avatar[data-initials]").forEach(function (img) {
      if (img.complete && img.naturalWidth === 0) {
        replaceWithInitials(img);
      } else {
        img.addEventListener("error", function () { replaceWithInitials(img); });
      }
    });
  }

  // A list's check for changed records (partials/live_list.html) waits while its tab is hidden
  // (the poller checks again as soon as the tab shows: its visibilitychange trigger), and while
  // rows of it are ticked for a bulk action, which a refresh would untick.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!event.target.matches("[data-live-poll]")) {
      return;
    }
    if (document.hidden || document.querySelector('[data-live-list] input[name="ids"]:checked')) {
      event.preventDefault();
    }
  });

  // A list refreshed in place keeps the keyboard where it was: on the link to the same address.
  var refocus = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    if (event.target.matches("[data-live-list]") && event.target.contains(active)) {
      refocus = active.getAttribute("href");
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (refocus === null) {
      return;
    }
    var links = document.querySelectorAll("[data-live-list] a[href]");
    var same = Array.prototype.find.call(links, function (link) {
      return link.getAttribute("href") === refocus;
    });
    refocus = null;
    if (same) {
      same.focus({ preventScroll: true });
    }
  });

  // Bulk actions: "select all on this page" ticks the rows' boxes of its form, and the
  // form says how many are ticked.
  function countTicked(name) {
    var boxes = document.querySelectorAll('input[type=checkbox][name="' + name + '"]');
    var ticked = Array.prototype.filter.call(boxes, function (box) { return box.checked; }).length;
    document.querySelectorAll('[data-ticked-count="' + name + '"]').forEach(function (label) {
      label.textContent = ticked ? ticked + " ticked" : "None ticked";
    });
    document.querySelectorAll('[data-select-all="' + name + '"]').forEach(function (all) {
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    });
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.dataset && box.dataset.selectAll) {
      document.querySelectorAll('input[type=checkbox][name="' + box.dataset.selectAll + '"]')
        .forEach(function (row) { row.checked = box.checked; });
      countTicked(box.dataset.selectAll);
    } else if (box.type === "checkbox" && box.name === "ids") {
      countTicked(box.name);
    }
  });

  htmx.onLoad(function (root) {
    sizeProgressBars(root);
    watchPhotos(root);
  });
})();
