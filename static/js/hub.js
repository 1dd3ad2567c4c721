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
