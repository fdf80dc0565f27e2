// Light or dark (Bootstrap 5.3 colour modes): the person's choice, remembered in this
// browser, else their system's. Loaded in <head> so the page never flashes the other mode.
(function () {
  "use strict";
  var KEY = "helpdesk-theme";
  var root = document.documentElement;
  function stored() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function preferred() {
    var chosen = stored();
    if (chosen === "light" || chosen === "dark") return chosen;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  function apply(mode) {
    root.setAttribute("data-bs-theme", mode);
    document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
      button.setAttribute("aria-pressed", mode === "dark" ? "true" : "false");
      button.hidden = false;
    });
  }
  apply(preferred());
  document.addEventListener("DOMContentLoaded", function () {
    apply(preferred());
    document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
      button.addEventListener("click", function () {
        var mode = root.getAttribute("data-bs-theme") === "dark" ? "light" : "dark";
        try { localStorage.setItem(KEY, mode); } catch (e) { /* private mode: this page only */ }
        apply(mode);
      });
    });
  });
})();
