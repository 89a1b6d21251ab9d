// Every participant page. The error summary of a refused form takes the focus, so a keyboard or
// screen-reader user starts at the list of what to fix (its links lead to the fields). The
// "Case 3 is saved" notice came with ?saved= in the address: it leaves the address once shown, so
// a reload or a bookmark does not repeat it. A page restored from the back-forward cache is
// fetched again, because the server decides which step the participant is on.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  if (window.URL && window.history && window.history.replaceState) {
    var address = new URL(window.location.href);
    if (address.searchParams.has("saved")) {
      address.searchParams.delete("saved");
      window.history.replaceState(window.history.state, "", address.pathname + address.search + address.hash);
    }
  }

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) window.location.reload();
  });
})();
