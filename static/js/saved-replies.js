/* Saved replies and article links in the composer: "/" at the start of a line, then a few letters of a title,
 * lists the agent's saved replies filled for this case (the server fills them); the arrows
 * move, Enter or a click puts one in place of the "/…", Escape closes. A saved reply's
 * follow-up preselects "Then" for the agent to confirm or change. Without JavaScript the
 * composer works as before. Loaded with `defer` from templates/desk/base.html. */
(function () {
  "use strict";

  var COMMAND = /(^|\n)\/([^\n\/]{0,40})$/;
  var timer = null;

  function slot(textarea) {
    return textarea.form && textarea.form.querySelector("[data-saved-picker]");
  }

  function command(textarea) {
    var before = textarea.value.slice(0, textarea.selectionStart);
    var found = COMMAND.exec(before);
    return found ? { start: before.length - found[2].length - 1, words: found[2] } : null;
  }

  function close(textarea) {
    var target = slot(textarea);
    if (target) target.innerHTML = "";
  }

  function options(textarea) {
    var target = slot(textarea);
    return target ? Array.prototype.slice.call(target.querySelectorAll("[role=option]")) : [];
  }

  function show(textarea) {
    var typed = command(textarea);
    var target = slot(textarea);
    if (!typed || !target) return close(textarea);
    var url = textarea.dataset.pickUrl + "?case=" + encodeURIComponent(textarea.dataset.case) +
      "&q=" + encodeURIComponent(typed.words);
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { if (command(textarea)) target.innerHTML = html; });
  }

  function csrf() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (error) {
      return "";
    }
  }

  function choose(textarea, option) {
    var typed = command(textarea);
    if (!typed) return;
    var after = textarea.value.slice(textarea.selectionStart);
    var text = option.dataset.savedText;
    textarea.value = textarea.value.slice(0, typed.start) + text + after;
    var caret = typed.start + text.length;
    textarea.setSelectionRange(caret, caret);
    var form = textarea.form;
    var reply = form.querySelector('input[name="kind"][value="reply"]');
    if (reply && !reply.checked) {
      reply.checked = true;
      reply.dispatchEvent(new Event("change", { bubbles: true }));
    }
    var then = form.querySelector('select[name="then"]');
    if (then && option.dataset.followUp) then.value = option.dataset.followUp;
    var body = new URLSearchParams({ case: option.dataset.case });
    fetch(option.dataset.usedUrl, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRFToken": csrf() },
    });
    close(textarea);
    textarea.focus();
  }

  function move(textarea, step) {
    var all = options(textarea);
    if (!all.length) return false;
    var at = all.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    var next = all[(at + step + all.length) % all.length];
    all.forEach(function (o) { o.setAttribute("aria-selected", o === next ? "true" : "false"); });
    textarea.setAttribute("aria-activedescendant", next.id);
    return true;
  }

  document.addEventListener("input", function (event) {
    var textarea = event.target;
    if (!textarea.matches || !textarea.matches("textarea[data-pick-url]")) return;
    clearTimeout(timer);
    timer = setTimeout(function () { show(textarea); }, 150);
  });

  document.addEventListener("keydown", function (event) {
    var textarea = event.target;
    if (!textarea.matches || !textarea.matches("textarea[data-pick-url]")) return;
    if (!options(textarea).length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (move(textarea, event.key === "ArrowDown" ? 1 : -1)) event.preventDefault();
    } else if (event.key === "Enter") {
      var chosen = options(textarea).filter(function (o) {
        return o.getAttribute("aria-selected") === "true";
      })[0];
      if (chosen) { event.preventDefault(); choose(textarea, chosen); }
    } else if (event.key === "Escape") {
      close(textarea);
    }
  });

  // "Link in reply" beside the case: the article's link at the composer's caret, as a reply.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-insert-link]");
    if (!button) return;
    var textarea = document.querySelector("#composer textarea[data-pick-url]");
    if (!textarea) return;
    var at = textarea.selectionStart || textarea.value.length;
    var link = button.dataset.insertLink;
    textarea.value = textarea.value.slice(0, at) + link + textarea.value.slice(at);
    var reply = textarea.form.querySelector('input[name="kind"][value="reply"]');
    if (reply && !reply.checked) {
      reply.checked = true;
      reply.dispatchEvent(new Event("change", { bubbles: true }));
    }
    textarea.focus();
    textarea.setSelectionRange(at + link.length, at + link.length);
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest("[data-saved-picker] [role=option]");
    if (!option) return;
    var textarea = option.closest("form").querySelector("textarea[data-pick-url]");
    if (textarea) choose(textarea, option);
  });
})();
