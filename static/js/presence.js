/* The case page's presence heartbeat (templates/desk/_presence.html).
 *
 * While the composer has words in it, each poll of the presence slot says so
 * (writing=1), and the first word typed (or the box emptied, or sent) beats at once, so
 * the other agents on the case read "… is writing a reply" at their next poll. Without
 * JavaScript the page still shows who was there when it was drawn. */
(function () {
  "use strict";

  var BODY = '#composer textarea[name="body"]';
  var said = false; // what the last heartbeat told the others

  function writing() {
    var body = document.querySelector(BODY);
    return !!body && body.value.trim() !== "";
  }

  function beatIfChanged() {
    var slot = document.getElementById("presence");
    if (slot && writing() !== said) htmx.trigger(slot, "heartbeat");
  }

  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.id !== "presence") return;
    said = writing();
    if (said) event.detail.parameters.writing = "1";
  });

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(BODY)) beatIfChanged();
  });
  // A sent reply comes back as an empty composer.
  document.addEventListener("htmx:afterSettle", beatIfChanged);
})();
