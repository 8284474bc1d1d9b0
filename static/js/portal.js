// Bar widths come from data-width (a percentage): the content security policy allows no inline style attributes.
(function () {
  function draw() {
    document.querySelectorAll("[data-width]").forEach(function (bar) {
      var value = parseFloat(bar.getAttribute("data-width")) || 0;
      bar.style.width = Math.min(100, Math.max(0, value)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
