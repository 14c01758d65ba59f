// The run page's filters: progressive enhancement. Without JavaScript every clause is shown,
// opened; with it, clauses start closed, and the controls filter them by status, level,
// strength and text. A run where something did not pass opens on what did not pass, with its
// first root cause (or first failure) open (the page's <main> says which: data-open-status,
// data-open-clause). A link to #CLAUSE-ID opens that clause.
(function () {
  "use strict";
  var main = document.querySelector("main");
  var clauses = Array.prototype.slice.call(document.querySelectorAll("details.clause"));
  var levels = Array.prototype.slice.call(document.querySelectorAll("section.level"));
  var controls = document.getElementById("controls");
  var status = document.getElementById("status-filter");
  var level = document.getElementById("level-filter");
  var strength = document.getElementById("strength-filter");
  var search = document.getElementById("search");
  var shown = document.getElementById("shown-count");
  var noMatch = document.getElementById("no-match");

  function matches(clause) {
    var wanted = status.value;
    var actual = clause.getAttribute("data-status");
    if (wanted === "not passed" ? actual === "passed" : wanted !== "all" && wanted !== actual) {
      return false;
    }
    if (level.value !== "all" && clause.getAttribute("data-level") !== level.value) {
      return false;
    }
    if (strength.value !== "all" && clause.getAttribute("data-strength") !== strength.value) {
      return false;
    }
    var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var text = clause.textContent.toLowerCase();
    return words.every(function (word) { return text.indexOf(word) >= 0; });
  }

  function apply() {
    var count = 0;
    clauses.forEach(function (clause) {
      var visible = matches(clause);
      clause.classList.toggle("hidden", !visible);
      if (visible) { count += 1; }
    });
    levels.forEach(function (section) {
      var any = section.querySelector("details.clause:not(.hidden)") !== null;
      section.classList.toggle("hidden", !any);
    });
    shown.textContent = count + " of " + clauses.length + " clauses shown";
    noMatch.classList.toggle("hidden", count !== 0);
  }

  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var clause = id ? document.getElementById(id) : null;
    if (!clause || !clause.classList.contains("clause")) { return; }
    if (clause.classList.contains("hidden")) {
      status.value = "all"; level.value = "all"; strength.value = "all"; search.value = "";
      apply();
    }
    clauses.forEach(function (other) { other.classList.remove("targeted"); });
    clause.classList.add("targeted");
    clause.open = true;
    clause.scrollIntoView({block: "start"});
  }

  function setAll(open) {
    clauses.forEach(function (clause) {
      if (!clause.classList.contains("hidden")) { clause.open = open; }
    });
  }

  function openOnWhatDidNotPass() {
    var wanted = main.getAttribute("data-open-status");
    if (wanted) { status.value = wanted; }
    var first = document.getElementById(main.getAttribute("data-open-clause") || "");
    if (first && first.classList.contains("clause")) { first.open = true; }
  }

  clauses.forEach(function (clause) { clause.open = false; });
  openOnWhatDidNotPass();
  controls.hidden = false;
  [status, level, strength].forEach(function (select) { select.addEventListener("change", apply); });
  search.addEventListener("input", apply);
  document.getElementById("expand-all").addEventListener("click", function () { setAll(true); });
  document.getElementById("collapse-all").addEventListener("click", function () { setAll(false); });
  window.addEventListener("hashchange", openTarget);
  apply();
  openTarget();
})();
