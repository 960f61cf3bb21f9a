// The page's only script: no framework, nothing fetched from elsewhere.
"use strict";

function showQuote() {
  // An article opened from a citation: bring the quoted span into view.
  const mark = document.getElementById("quote");
  if (mark) {
    mark.scrollIntoView({ block: "center" });
    mark.focus({ preventScroll: true });
  }
}

function token() {
  const box = document.getElementById("token");
  return box ? box.value.trim() : "";
}

function say(text, kind) {
  // kind: "ok", "error" or "busy" (a write under way).
  const out = document.getElementById("write-status");
  if (out) {
    out.textContent = text;
    out.className = kind;
  }
}

async function problem(response) {
  // The API's own message, which says what to fix.
  try {
    const body = await response.json();
    return body.detail || response.statusText;
  } catch (e) {
    return response.statusText;
  }
}

async function write(method, url, body) {
  const headers = { Authorization: "Bearer " + token() };
  if (body) headers["Content-Type"] = "application/json";
  return fetch(url, { method, headers, body: body ? JSON.stringify(body) : undefined });
}

function collection() {
  const box = document.getElementById("token");
  if (!box) return;
  box.value = sessionStorage.getItem("qa-token") || "";
  box.addEventListener("change", () => sessionStorage.setItem("qa-token", token()));
  const flash = sessionStorage.getItem("qa-flash");
  if (flash) {
    sessionStorage.removeItem("qa-flash");
    say(flash, "ok");
  }

  const file = document.getElementById("file");
  file.addEventListener("change", async () => {
    if (file.files.length) document.getElementById("text").value = await file.files[0].text();
  });

  document.getElementById("add-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!token()) return say("Enter the token first.", "error");
    const form = event.target;
    const body = { text: form.text.value };
    if (form.doc_id.value.trim()) body.doc_id = form.doc_id.value.trim();
    if (form.title.value.trim()) body.title = form.title.value.trim();
    say("Adding…", "busy");
    const response = await write("POST", "/documents", body);
    if (!response.ok) return say("Not added: " + (await problem(response)), "error");
    const added = await response.json();
    sessionStorage.setItem("qa-flash", "Added “" + added.title + "” (" + added.doc_id + ").");
    location.reload();
  });

  for (const button of document.querySelectorAll("button.delete")) {
    button.addEventListener("click", async () => {
      const id = button.dataset.docId;
      if (!token()) return say("Enter the token first.", "error");
      if (!confirm("Delete " + id + "?")) return;
      say("Deleting…", "busy");
      const response = await write("DELETE", "/documents/" + encodeURIComponent(id));
      if (!response.ok) return say("Not deleted: " + (await problem(response)), "error");
      sessionStorage.setItem("qa-flash", "Deleted " + id + ".");
      location.reload();
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  showQuote();
  collection();
});
