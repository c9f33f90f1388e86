// The little the pages need beyond HTML: knowledge-base suggestions while a ticket is typed, live
// SLA clocks, and file inputs in Polish. Everything works without it; no inline scripts (the
// pages' CSP forbids them).
"use strict";

function plural(n, one, few, many) {
  if (n === 1) return one;
  const d = n % 10, h = n % 100;
  return d >= 2 && d <= 4 && (h < 12 || h > 14) ? few : many;
}

function duration(minutes) {
  minutes = Math.round(Math.abs(minutes));
  const d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
  const parts = [];
  if (d) parts.push(d + " " + plural(d, "dzień", "dni", "dni"));
  if (h) parts.push(h + " h");
  if (m || !parts.length) parts.push(m + " min");
  return parts.join(" ");
}

// The server's clock, as the page was made, minus the browser's then: deadlines count from the
// desk's time even when the browser's clock is off.
let skew = 0;

function tickClocks() {
  const now = Date.now() + skew;
  document.querySelectorAll("[data-due]").forEach(function (el) {
    const due = Date.parse(el.getAttribute("data-due"));
    if (isNaN(due)) return;
    const left = (due - now) / 60000;
    // Within half a minute either way the rounded time would read "zostało 0 min": say it plainly.
    if (Math.round(Math.abs(left)) === 0) el.textContent = "termin mija teraz";
    else el.textContent = left >= 0 ? "zostało " + duration(left) : "po terminie o " + duration(left);
    el.classList.toggle("late", left < 0);
    el.classList.toggle("risk", left >= 0 && left < 60);
  });
}

function postJson(url, body) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  }).then(function (r) { return r.ok ? r.json() : null; });
}

function link(article) {
  const a = document.createElement("a");
  a.href = "/kb/" + encodeURIComponent(article.id);
  a.textContent = article.title;
  a.target = "_blank";
  a.rel = "noopener";
  return a;
}

function setupSuggestions(form) {
  const box = document.getElementById("kb-suggestions");
  const list = document.getElementById("kb-suggestions-list");
  const fields = [form.querySelector("#title"), form.querySelector("#description")];
  let timer = null, last = "";
  function ask() {
    const text = fields.map(function (f) { return f.value.trim(); }).join(". ").trim();
    if (text.length < 12 || text === last) return;
    last = text;
    postJson("/api/v1/kb/answer", { text: text.slice(0, 2000) }).then(function (answer) {
      if (!answer) return;
      const articles = answer.answered ? [answer.article] : answer.suggestions || [];
      list.replaceChildren();
      articles.slice(0, 3).forEach(function (article) {
        const li = document.createElement("li");
        li.appendChild(link(article));
        if (answer.answered && answer.query_id) {
          const button = document.createElement("button");
          button.type = "button";
          button.className = "plain";
          button.textContent = "To rozwiązało mój problem";
          button.addEventListener("click", function () {
            postJson("/api/v1/kb/feedback", { query_id: answer.query_id, helpful: true }).then(function () {
              const done = document.getElementById("kb-deflected");
              done.hidden = false;
              done.focus();
            });
          });
          li.append(" ", button);
        }
        list.appendChild(li);
      });
      box.hidden = articles.length === 0;
    });
  }
  fields.forEach(function (f) {
    f.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 500);
    });
  });
}

// A file input's button and "no file chosen" are written by the browser in its own language: with
// JavaScript the input is kept (keyboard, forms, validation) but shown as a Polish button and the
// names of the files chosen. Without it the browser's own control stays.
function polishFilePicker(input) {
  input.classList.add("file-input");
  const button = document.createElement("label");
  button.htmlFor = input.id;
  button.className = "button file-pick";
  button.textContent = input.multiple ? "Wybierz pliki…" : "Wybierz plik…";
  const chosen = document.createElement("span");
  chosen.className = "muted file-chosen";
  chosen.setAttribute("aria-live", "polite");
  function show() {
    const names = Array.from(input.files || []).map(function (f) { return f.name; });
    chosen.textContent = names.length === 0 ? "Nie wybrano plików"
      : names.length === 1 ? names[0]
      : names.length + " " + plural(names.length, "plik", "pliki", "plików") + ": " + names.join(", ");
  }
  input.addEventListener("change", show);
  input.after(button, " ", chosen);
  show();
}

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[type=file][id]").forEach(polishFilePicker);
  const form = document.getElementById("new-ticket");
  if (form) setupSuggestions(form);
  const serverNow = Date.parse(document.body.getAttribute("data-now") || "");
  if (!isNaN(serverNow)) skew = serverNow - Date.now();
  if (document.querySelector("[data-due]")) {
    tickClocks();
    setInterval(tickClocks, 30000);
  }
  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
});
