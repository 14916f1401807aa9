/* global document, location, sessionStorage */
// Progressive enhancement only: every page works without this file (CSP forbids inline script, so it is served
// from /static). 1) Prefills the time zone select with the browser's zone when the server marked it as a guess.
// 2) Moves keyboard focus to the error summary after a refused form, or to the saved notice after a save, so
// screen readers hear the outcome. 3) Submits a feedback page's form (see below).
(function () {
  'use strict';
  // After a post, start keyboard and screen-reader users at its outcome (what was wrong, or what changed)
  // instead of the top of a long page: a live region present at load is not announced.
  var summary = document.getElementById('error-summary') || document.querySelector('[data-focus-on-load]');
  if (summary) summary.focus();

  // 3) A feedback link (👍 / 👎 / save) opens a page whose GET records nothing, so link scanners change nothing:
  // in a browser that runs scripts the page submits its one-button form at once. Once per page load in this tab
  // (sessionStorage), so Back after an Undo does not record the choice again.
  var auto = document.querySelector('form[data-auto-submit]');
  if (auto) {
    var key = 'pd-auto:' + location.pathname + ':' + auto.getAttribute('data-auto-submit');
    var seen;
    try {
      seen = sessionStorage.getItem(key) === '1';
      sessionStorage.setItem(key, '1');
    } catch (_e) {
      seen = false;
    }
    if (!seen) {
      var pending = auto.querySelector('[data-pending-text]');
      if (pending) pending.textContent = pending.getAttribute('data-pending-text');
      auto.submit();
    }
  }

  var select = document.querySelector('select[data-detect-zone]');
  if (!select) return;
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch (_e) {
    return;
  }
  if (!zone) return;
  // The browser may name its zone by an ICU/CLDR legacy alias (Asia/Calcutta for Asia/Kolkata): the server lists
  // those on each option as data-aliases.
  for (var i = 0; i < select.options.length; i++) {
    var option = select.options[i];
    var aliases = (option.getAttribute('data-aliases') || '').split(' ');
    if (option.value === zone || aliases.indexOf(zone) >= 0) {
      zone = option.value;
      select.value = zone;
      var note = document.getElementById('zone-detected');
      if (note) note.hidden = false;
      return;
    }
  }
})();
