// Behaviour every page shares. Loaded from base.html; no inline scripts (the CSP forbids them).
// htmx.onLoad runs for the page and again for every fragment htmx swaps in.
(function () {
  "use strict";

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

  htmx.onLoad(function (root) {
    sizeProgressBars(root);
    watchPhotos(root);
  });
})();
