// The web chat, on top of the plain HTML forms: messages go to the REST API (the same engine as
// SMS), answers are announced by the log's live region, quick replies become buttons, and quick
// exit leaves at once. Without this file the forms still work.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("chat-form");
  var box = document.getElementById("message");
  var replies = document.getElementById("quick-replies");
  var exitButton = document.getElementById("quick-exit");
  var helpful = document.getElementById("helpful");
  if (!log || !form || !box) { return; }
  var sender = log.getAttribute("data-sender");
  var council = log.getAttribute("data-council");  // "" for the default council
  var exitUrl = exitButton.getAttribute("data-exit-url");

  // A UK phone number or a short helpline number: a tap-to-call link (as the server's page does).
  var PHONE = /(^|[^\w\u00a3])(0\d(?: ?\d){8,9}|116 ?123|999|111)(?!\w)/g;

  function withPhoneLinks(element, text) {
    var pos = 0;
    text.replace(PHONE, function (match, before, number, offset) {
      var start = offset + before.length;
      element.appendChild(document.createTextNode(text.slice(pos, start)));
      var link = document.createElement("a");
      link.href = "tel:" + number.replace(/\D/g, "");
      link.textContent = number;
      element.appendChild(link);
      pos = start + number.length;
      return match;
    });
    element.appendChild(document.createTextNode(text.slice(pos)));
  }

  function addText(item, text) {
    var list = null;
    text.split("\n").forEach(function (line) {
      if (line.indexOf("- ") === 0) {
        if (!list) { list = document.createElement("ul"); item.appendChild(list); }
        var li = document.createElement("li");
        li.dir = "auto";  // Arabic, Pashto, Dari and Sorani read right to left
        withPhoneLinks(li, line.slice(2));
        list.appendChild(li);
      } else {
        list = null;
        if (line.trim()) {
          var p = document.createElement("p");
          p.dir = "auto";
          withPhoneLinks(p, line);
          item.appendChild(p);
        }
      }
    });
  }

  function add(who, text) {
    var item = document.createElement("div");
    item.className = "msg " + who;
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = who === "you" ? "You said:" : "Caring Promise said:";
    item.appendChild(label);
    addText(item, text);
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  function showReplies(buttons) {
    replies.textContent = "";
    // "Talk to a person" is always on the page: never twice.
    buttons = (buttons || []).filter(function (b) { return b.payload !== "/talk_to_worker"; });
    buttons.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "quick";
      button.dir = "auto";
      button.textContent = b.title;
      button.addEventListener("click", function () { send(b.payload, b.title); });
      replies.appendChild(button);
    });
    replies.hidden = !buttons.length;
  }

  // "Did this help?" under the answer just given: one tap, then thanks (the server keeps which answer,
  // never who). Hidden again when the next message is sent.
  function askHelpful(show) {
    if (!helpful) { return; }
    var thanks = document.getElementById("helpful-thanks");
    if (thanks) { thanks.remove(); }
    helpful.hidden = !show;
  }

  if (helpful) {
    helpful.querySelectorAll("button").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var body = new URLSearchParams({ helped: button.value, js: "true" });
        fetch("/chat/helpful", { method: "POST", credentials: "same-origin", body: body })
          .catch(function () { return null; });
        helpful.hidden = true;
        var thanks = document.createElement("p");
        thanks.id = "helpful-thanks";
        thanks.className = "thanks";
        thanks.setAttribute("role", "status");
        thanks.textContent = "Thanks for telling us.";
        helpful.parentNode.insertBefore(thanks, helpful.nextSibling);
        box.focus();
      });
    });
  }

  function send(message, shown) {
    if (!message.trim()) { box.focus(); return; }
    add("you", shown || message);
    showReplies([]);
    askHelpful(false);
    fetch("/webhooks/rest/webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      // rate: the reply marks an answer that "Did this help?" may be asked about (custom.rate).
      body: JSON.stringify({ sender: sender, message: message,
                             metadata: council ? { council: council, rate: true } : { rate: true } })
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (messages) {
      var buttons = null;
      var rateable = false;
      messages.forEach(function (m) {
        if (m.text) { add("bot", m.text); }
        if (m.buttons && m.buttons.length) { buttons = m.buttons; }
        if (m.custom && m.custom.rate) { rateable = true; }
      });
      showReplies(buttons);
      askHelpful(rateable);
    }).catch(function () {
      add("bot", "Sorry, that did not send. Please try again. If you are in danger now, call 999.");
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var message = box.value;
    box.value = "";
    send(message);
    box.focus();
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  // Quick replies and "Talk to a person" rendered by the server: send them through the API too.
  document.querySelectorAll("#quick-replies button, #talk").forEach(function (button) {
    button.type = "button";
    button.addEventListener("click", function () { send(button.value, button.textContent); });
  });

  function forget(then) {
    return fetch("/chat/forget", { method: "POST", credentials: "same-origin", keepalive: true })
      .catch(function () { return null; }).then(then);
  }

  document.getElementById("forget").addEventListener("click", function (event) {
    event.preventDefault();
    forget(function () {
      log.textContent = "";
      showReplies([]);
      try { window.sessionStorage.clear(); window.localStorage.clear(); } catch (e) { /* storage blocked */ }
      add("bot", "Done. I've deleted this chat from our system.");
      window.location.replace("/?forgotten=1");
    });
  });

  // Quick exit (GOV.UK "Exit this page"): clear the page and storage, end the server session,
  // and replace this page in the history so Back does not return to it.
  function quickExit(event) {
    if (event) { event.preventDefault(); }
    log.textContent = "";
    replies.textContent = "";
    box.value = "";
    document.body.textContent = "";
    try { window.sessionStorage.clear(); window.localStorage.clear(); } catch (e) { /* storage blocked */ }
    forget(null);
    window.location.replace(exitUrl);
  }
  exitButton.addEventListener("click", quickExit);
  var shifts = [];
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") { shifts = []; return; }
    var now = Date.now();
    shifts = shifts.filter(function (t) { return now - t < 1500; });
    shifts.push(now);
    if (shifts.length >= 3) { quickExit(); }
  });
})();
