// Half-filled answers survive a reload: each answer form of a participant page is kept in this
// tab's sessionStorage as the participant fills it in, under the page's own path (it holds the
// invitation token), and put back on load into the fields that are still empty. Nothing is
// sent before the participant submits; submitting removes the entry, so the next page (or a
// refused answer, which the server shows again with what was posted) starts from the server's
// values. The page's own measurements (client_*, viewer_*) start again with the page and are
// never kept.
(function () {
  "use strict";
  var store;
  try {
    store = window.sessionStorage;
    store.getItem("trustlab");
  } catch (error) {
    return; // storage switched off: the page works as before, only without this
  }
  var NOT_KEPT = /^(csrfmiddlewaretoken$|client_|viewer_)/;
  var NOT_ANSWERS = ["hidden", "submit", "button", "reset", "image", "file", "password"];

  function answerFields(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && !field.disabled && !NOT_KEPT.test(field.name)
        && /^(INPUT|SELECT|TEXTAREA)$/.test(field.tagName) && NOT_ANSWERS.indexOf(field.type) === -1;
    });
  }

  function groups(form) {
    var byName = {};
    answerFields(form).forEach(function (field) {
      (byName[field.name] = byName[field.name] || []).push(field);
    });
    return byName;
  }

  function read(form) {
    var answers = {};
    answerFields(form).forEach(function (field) {
      if (field.type === "radio") {
        if (field.checked) answers[field.name] = field.value;
      } else if (field.type === "checkbox") {
        answers[field.name] = answers[field.name] || [];
        if (field.checked) answers[field.name].push(field.value);
      } else if (field.tagName === "SELECT" && field.multiple) {
        answers[field.name] = Array.prototype.map.call(field.selectedOptions, function (option) { return option.value; });
      } else {
        answers[field.name] = field.value;
      }
    });
    return answers;
  }

  function hasOption(select, value) {
    return Array.prototype.some.call(select.options, function (option) { return option.value === value; });
  }

  // Only into what is still unset: a value the server rendered (a refused answer shown again,
  // a default choice) is never overwritten.
  function restore(form, answers) {
    var byName = groups(form);
    Object.keys(answers).forEach(function (name) {
      var group = byName[name];
      var saved = answers[name];
      if (!group) return;
      var first = group[0];
      if (first.type === "radio" || first.type === "checkbox") {
        if (group.some(function (field) { return field.checked; })) return;
        var values = [].concat(saved);
        group.forEach(function (field) { if (values.indexOf(field.value) !== -1) field.checked = true; });
      } else if (first.tagName === "SELECT" && first.multiple) {
        if (first.selectedOptions.length || !Array.isArray(saved)) return;
        Array.prototype.forEach.call(first.options, function (option) { option.selected = saved.indexOf(option.value) !== -1; });
      } else if (typeof saved === "string" && first.value === "") {
        if (first.tagName === "SELECT" && !hasOption(first, saved)) return;
        first.value = saved;
      }
    });
  }

  document.querySelectorAll("main form[method=post]").forEach(function (form, index) {
    if (!answerFields(form).length) return;
    var key = "trustlab:answers:" + window.location.pathname + "#" + index;
    var kept = null;
    try { kept = JSON.parse(store.getItem(key) || "null"); } catch (error) { kept = null; }
    if (kept && typeof kept === "object") restore(form, kept);

    function keep() {
      try { store.setItem(key, JSON.stringify(read(form))); } catch (error) { /* full: not kept */ }
    }
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("submit", function () { store.removeItem(key); });
  });
})();
