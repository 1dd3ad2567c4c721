// Choosers (organization and person forms): a ticked search result moves to the chosen list;
// results already chosen are hidden.
(function () {
  "use strict";
  document.querySelectorAll("[data-chooser]").forEach(function (chooser) {
    var chosen = chooser.querySelector("[data-chosen]");
    var results = chooser.querySelector("[data-results]");
    var search = chooser.querySelector("[data-chooser-search]");
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
    results.addEventListener("change", function (event) {
      var item = event.target.closest("[data-choice]");
      if (!item || !event.target.checked) return;
      var none = chosen.querySelector("[data-none]");
      if (none) none.remove();
      chosen.appendChild(item);
    });
    results.addEventListener("htmx:afterSwap", function () {
      var have = new Set(Array.from(chosen.querySelectorAll("input:checked")).map(function (i) { return i.value; }));
      results.querySelectorAll("[data-choice]").forEach(function (item) {
        if (have.has(item.dataset.choice)) item.remove();
      });
    });
  });
})();
