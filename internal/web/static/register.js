// An attendance register kept in the browser while the network is away
// (ATT-1). The page works without this script: it only keeps what was
// marked, so that a register marked offline, or whose sending failed, is
// sent when the network returns, with the same form key (the server records
// it once).
(function () {
  "use strict";
  var form = document.querySelector("form[data-register-key]");
  if (!form || !window.localStorage) { return; }
  var store = "cma-register:" + form.getAttribute("action");
  var notice = document.createElement("p");
  notice.className = "notice";
  notice.setAttribute("role", "status");

  function say(text) {
    notice.textContent = text;
    if (!notice.parentNode) { form.parentNode.insertBefore(notice, form); }
  }
  function keep() {
    var state = {};
    new FormData(form).forEach(function (v, k) { state[k] = String(v); });
    localStorage.setItem(store, JSON.stringify(state));
  }
  function restore(state) {
    Object.keys(state).forEach(function (k) {
      var fields = form.querySelectorAll("[name='" + k.replace(/'/g, "") + "']");
      fields.forEach(function (f) {
        if (f.type === "radio" || f.type === "checkbox") { f.checked = f.value === state[k]; } else { f.value = state[k]; }
      });
    });
  }
  var saved = localStorage.getItem(store);
  if (saved && !/[?&](enregistre|deja)=/.test(location.search)) {
    try {
      restore(JSON.parse(saved));
      say("Un appel non envoyé a été retrouvé sur cet appareil : vérifiez-le puis enregistrez-le.");
    } catch (e) { localStorage.removeItem(store); }
  } else if (saved) {
    localStorage.removeItem(store);
  }
  form.addEventListener("change", keep);
  form.addEventListener("submit", function (ev) {
    keep();
    if (navigator.onLine === false) {
      ev.preventDefault();
      say("Pas de réseau : l'appel est gardé sur cet appareil et sera envoyé dès le retour du réseau.");
      window.addEventListener("online", function () { form.submit(); }, { once: true });
    }
  });
})();
