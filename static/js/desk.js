/* Desk keyboard shortcuts, for agents who live on the desk all day.
 *
 *   j / k   next / previous row of a list (dashboard, queue, search...); Enter opens it
 *   t       take ownership: the case on its page, or the focused triage row
 *   r / n   the composer, as a reply to the customer / an internal note
 *   /       search cases
 *   ?       the list of shortcuts
 *
 * A key typed into a field belongs to the field: no shortcut fires while the focus is in
 * an input, textarea or select. Loaded with `defer` from templates/desk/base.html; the
 * pages work without it. */
(function () {
  "use strict";

  var ROWS = "main table tbody tr";
  // The focused row's link, to find the row again after HTMX swaps the list (the queues
  // refresh every 30 s; taking a case moves its row from triage to "My cases").
  var remembered = null;

  function typing(target) {
    if (!target || !target.closest) return false;
    return target.isContentEditable || !!target.closest("input, textarea, select");
  }

  function visible(element) {
    return !!element && element.getClientRects().length > 0;
  }

  function rowLink(row) {
    return row.querySelector("a[href]");
  }

  function rows() {
    return Array.prototype.filter.call(document.querySelectorAll(ROWS), function (row) {
      return visible(row) && rowLink(row);
    });
  }

  function currentRow() {
    var active = document.activeElement;
    return active && active.closest ? active.closest(ROWS) : null;
  }

  function focusRow(row) {
    if (!row.hasAttribute("tabindex")) row.setAttribute("tabindex", "-1");
    row.focus();
    remembered = rowLink(row).getAttribute("href");
  }

  function move(step) {
    var list = rows();
    if (!list.length) return false;
    var index = list.indexOf(currentRow());
    if (index === -1) {
      index = step > 0 ? 0 : list.length - 1;
    } else {
      index = Math.min(Math.max(index + step, 0), list.length - 1);
    }
    focusRow(list[index]);
    return true;
  }

  function openRow() {
    var row = document.activeElement;
    if (!row || !row.matches || !row.matches(ROWS)) return false;
    rowLink(row).click();
    return true;
  }

  function take() {
    var selector = 'form[action$="/take/"] button[type="submit"]';
    var row = currentRow();
    var button = row ? row.querySelector(selector) : null;
    if (!button) button = document.querySelector("#case-header " + selector);
    if (!visible(button)) return false;
    button.click();
    return true;
  }

  function compose(kind) {
    var composer = document.getElementById("composer");
    if (!composer) return false;
    var choice = composer.querySelector('input[name="kind"][value="' + kind + '"]');
    var body = composer.querySelector('textarea[name="body"]');
    if (!choice || !body) return false;
    choice.checked = true;
    choice.dispatchEvent(new Event("change", { bubbles: true }));
    body.focus();
    return true;
  }

  function search() {
    var field = [document.getElementById("search-q"), document.getElementById("nav-search")]
      .filter(visible)[0];
    if (!field) return false;
    field.focus();
    field.select();
    return true;
  }

  function help() {
    var dialog = document.getElementById("shortcuts-help");
    if (!dialog || dialog.open) return false;
    dialog.showModal();
    return true;
  }

  var KEYS = {
    j: function () { return move(1); },
    k: function () { return move(-1); },
    Enter: openRow,
    t: take,
    r: function () { return compose("reply"); },
    n: function () { return compose("note"); },
    "/": search,
    "?": help,
  };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    var action = Object.prototype.hasOwnProperty.call(KEYS, event.key) && KEYS[event.key];
    // preventDefault: the key must not also land in the field it just focused.
    if (action && action()) event.preventDefault();
  });

  // A click elsewhere means the agent has left the list: do not pull the focus back.
  document.addEventListener("mousedown", function () { remembered = null; });

  document.addEventListener("htmx:afterSettle", function () {
    var active = document.activeElement;
    if (!remembered || (active && active !== document.body)) return;
    var again = rows().filter(function (row) {
      return rowLink(row).getAttribute("href") === remembered;
    })[0];
    if (again) focusRow(again);
  });

  // The composer's button names where the words go: "Send to customer" or "Add internal
  // note", following the chosen kind (the server renders the same after each swap).
  document.addEventListener("change", function (event) {
    var choice = event.target;
    if (!choice.matches || !choice.matches("#composer input[name=kind]")) return;
    var button = choice.form && choice.form.querySelector("[data-composer-submit]");
    if (button) {
      button.textContent = choice.value === "reply"
        ? button.dataset.labelReply : button.dataset.labelNote;
    }
    // A follow-up (propose, wait) goes with a reply only.
    var then = choice.form && choice.form.querySelector("[data-composer-then]");
    if (then) then.hidden = choice.value !== "reply";
  });

  // One case action open at a time: opening another closes the last (its text is kept in
  // the closed panel until the page changes).
  document.addEventListener("toggle", function (event) {
    var panel = event.target;
    if (!panel.open || !panel.matches || !panel.matches(".case-actions .action-panel")) return;
    document.querySelectorAll(".case-actions .action-panel[open]").forEach(function (other) {
      if (other !== panel) other.open = false;
    });
  }, true);

  document.addEventListener("DOMContentLoaded", function () {
    var opener = document.querySelector("[data-shortcuts-open]");
    if (!opener) return;
    opener.hidden = false;
    opener.addEventListener("click", help);
  });
})();
