// Scroll the cited passage into view (a file, not an inline script: the CSP allows only this origin's scripts).
(function () {
  var cited = document.getElementById("passage");
  if (cited) { cited.scrollIntoView({block: "center"}); }
})();
