// Inline validation: send the changed field's name with the form, swap in that field's block.
document.body.addEventListener("htmx:configRequest", function (event) {
  if (event.detail.elt.id !== "request-form") return;
  var source = event.detail.triggeringEvent && event.detail.triggeringEvent.target;
  if (!source || !source.name) { event.preventDefault(); return; }
  event.detail.parameters["_field"] = source.name;
});
document.body.addEventListener("htmx:afterRequest", function (event) {
  if (event.detail.elt.id !== "request-form" || event.detail.xhr.status !== 200) return;
  var holder = document.createElement("div");
  holder.innerHTML = event.detail.xhr.responseText;
  var fresh = holder.firstElementChild;
  var current = fresh && document.getElementById(fresh.id);
  if (current) {
    // Keep the user's focus and typed value: only replace the messages.
    var replace = function (selector) {
      var oldNode = current.querySelector(selector), newNode = fresh.querySelector(selector);
      if (oldNode) oldNode.remove();
      if (newNode) current.appendChild(newNode);
    };
    replace(".errors");
    current.classList.toggle("has-error", fresh.classList.contains("has-error"));
  }
});
