// The trial form: the client's timing of the answer, the accept rule's convenience, the
// agree/disagree buttons and the guard against a double post. The page works without it: the
// form posts, and the client measurements are then simply not sent.
(function () {
  "use strict";
  var form = document.querySelector("[data-trial-form]");
  if (!form) return;
  // The advice is shown with this page (read-then-reveal reveals it by loading the page
  // again), so the client's response time runs from here to the click that answers.
  var adviceShown = performance.now();
  // Time the page was actually visible (a tab in the background does not count).
  var visibleMs = 0;
  var visibleSince = document.visibilityState === "visible" ? adviceShown : null;
  document.addEventListener("visibilitychange", function () {
    var now = performance.now();
    if (document.visibilityState === "visible") visibleSince = now;
    else if (visibleSince !== null) { visibleMs += now - visibleSince; visibleSince = null; }
  });

  // Accepting the advice means its diagnosis is the final one: choose it for the participant.
  var card = document.querySelector("[data-advised]");
  var advised = card && card.getAttribute("data-advised");
  var finalChoice = form.querySelector("select[name=final_diagnosis]");
  if (advised && finalChoice) {
    form.querySelectorAll("[name=decision]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (radio.checked && radio.value === "accept") finalChoice.value = advised;
      });
    });
  }

  function setField(name, value) {
    var input = form.querySelector("input[type=hidden][name=" + name + "]");
    if (input) input.value = value;
  }
  form.addEventListener("submit", function () {
    // The submit event follows the click at once: in agree/disagree mode the click on Agree
    // or Disagree is the answer, so this is the time from the advice shown to the decision.
    var now = performance.now();
    if (visibleSince !== null) { visibleMs += now - visibleSince; visibleSince = now; }
    setField("client_active_ms", Math.round(visibleMs));
    setField("client_response_ms", Math.round(now - adviceShown));
    // A double click must not post twice (the server ignores a second post anyway). Disabled
    // after this event, so the pressed button's own value (agreed) is still sent.
    var buttons = form.querySelectorAll("[data-submit]");
    setTimeout(function () { buttons.forEach(function (button) { button.disabled = true; }); }, 0);
  });
})();
