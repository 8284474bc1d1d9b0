// Size presets on the request form: picking a size fills the parameters it names;
// editing one of those parameters by hand makes the choice "custom".
(function () {
  var radios = document.querySelectorAll('input[name="size"][data-size-presets]');
  if (!radios.length) return;
  var presets = JSON.parse(radios[0].dataset.sizePresets);
  var form = radios[0].form;
  var named = {};
  Object.keys(presets).forEach(function (size) {
    Object.keys(presets[size]).forEach(function (name) { named[name] = true; });
  });
  var filling = false;
  function fill(size) {
    var values = presets[size];
    if (!values) return;
    filling = true;
    Object.keys(values).forEach(function (name) {
      var input = form.elements[name];
      if (!input) return;
      if (input.type === "checkbox") input.checked = Boolean(values[name]);
      else input.value = String(values[name]);
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    filling = false;
  }
  radios.forEach(function (radio) {
    radio.addEventListener("change", function () { if (radio.checked) fill(radio.value); });
  });
  form.addEventListener("change", function (event) {
    if (filling || !named[event.target.name]) return;
    var custom = form.querySelector('input[name="size"][value="custom"]');
    if (custom) custom.checked = true;
  });
})();
