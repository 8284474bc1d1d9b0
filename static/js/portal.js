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

// A live log polls itself, one request at a time: a poll that fails (a network blip, a server restarting or
// answering 5xx) tries again a little later instead of freezing the log (run_poller.html, `retry`).
(function () {
  function retry(event) {
    var poller = event.detail.elt;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (poller && poller.id === "log-poller" && (event.type !== "htmx:responseError" || status >= 500)) {
      htmx.trigger(poller, "retry");
    }
  }
  ["htmx:sendError", "htmx:timeout", "htmx:responseError"].forEach(function (name) {
    document.addEventListener(name, retry);
  });
})();
