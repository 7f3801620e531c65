// The pages' one script of our own: it keeps the bearer token, shows API errors, opens the
// reason form of 查看原文 and keeps the chat's conversation list in step with the page.
// Everything else (requests, swaps, streaming, downloads) is htmx and its extensions.
(function () {
  "use strict";
  var KEY = "advisor.token";

  function token() {
    return sessionStorage.getItem(KEY) || "";
  }

  function flash(message) {
    var box = document.getElementById("flash");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
  }

  // A form with an error slot ([data-role=error]) shows a failed request's message beside it.
  function errorSlot(ctx) {
    var source = ctx && ctx.sourceElement;
    var form = source && source.closest ? source.closest("form") : null;
    return form ? form.querySelector("[data-role=error]") : null;
  }

  function showError(ctx, message) {
    var slot = errorSlot(ctx);
    if (!slot) return flash(message);
    slot.textContent = message;
    slot.hidden = false;
  }

  function showSignedIn() {
    var who = document.getElementById("who");
    if (who) who.textContent = token() ? "已登录" : "未登录";
  }

  // Every htmx request carries the token; an empty filter field means "any", so it is not sent.
  document.addEventListener("htmx:config:request", function (evt) {
    var request = evt.detail.ctx.request;
    if (!token()) {
      evt.preventDefault();
      // what loads by itself (the chat's conversation list) waits for the sign-in without a word
      var source = evt.detail.ctx.sourceElement;
      if (!(source && source.closest && source.closest("[data-quiet-without-token]"))) flash("请先在页面顶部输入访问令牌并登录。");
      return;
    }
    request.headers["Authorization"] = "Bearer " + token();
    if (request.body && /^(GET|DELETE)$/i.test(request.method)) {
      Array.from(request.body.entries()).forEach(function (entry) {
        if (entry[1] === "") request.body.delete(entry[0]);
      });
    }
    var box = document.getElementById("flash");
    if (box) box.hidden = true;
    var slot = errorSlot(evt.detail.ctx);
    if (slot) slot.hidden = true;
  });

  // A form marked data-clear-on-send empties its message box once its request is on its way (the
  // page's CSP admits no hx-on handler: htmx compiles those with Function).
  document.addEventListener("htmx:before:request", function (evt) {
    var form = evt.target;
    if (form.matches && form.matches("form[data-clear-on-send]")) form.elements.message.value = "";
  });

  // The API answers errors as JSON {error: {message, request_id}}: show the message, swap nothing.
  document.addEventListener("htmx:before:swap", function (evt) {
    var ctx = evt.detail.ctx;
    var type = (ctx.response && ctx.response.headers.get("content-type")) || "";
    if (!ctx.response || ctx.response.status < 400 || type.indexOf("application/json") < 0) return;
    evt.preventDefault();
    var message = "请求失败（" + ctx.response.status + "）";
    try {
      var error = JSON.parse(ctx.text).error;
      message = error.message + "（请求号 " + error.request_id + "）";
    } catch (ignored) {
      // not the API's error body: keep the status line
    }
    showError(ctx, message);
  });

  document.addEventListener("htmx:error", function (evt) {
    var ctx = evt.detail && evt.detail.ctx;
    if (!ctx || !ctx.response) showError(ctx, "网络错误，请检查连接后重试。");
  });

  document.addEventListener("submit", function (evt) {
    if (evt.target.id !== "token-form") return;
    evt.preventDefault();
    sessionStorage.setItem(KEY, evt.target.elements.token.value.trim());
    evt.target.elements.token.value = "";
    showSignedIn();
    htmx.trigger(document.body, "token-changed");
  });

  document.addEventListener("click", function (evt) {
    if (!evt.target.matches("[data-logout]")) return;
    sessionStorage.removeItem(KEY);
    showSignedIn();
  });

  // 查看原文 opens the reason form beside it; nothing is requested until the reason is sent. The
  // original comes back as HTML in place of the form and lives only in the page (no storage, no URL).
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest("[data-reveal-open], [data-reveal-cancel], [data-reveal-hide]");
    var box = button && button.closest("[data-reveal]");
    if (!box) return;
    if (button.matches("[data-reveal-hide]")) {
      box.querySelector("[data-role=original]").textContent = "（已隐藏）";
      button.remove();
      return;
    }
    var form = box.querySelector("form");
    var opening = button.matches("[data-reveal-open]");
    form.hidden = !opening;
    box.querySelector("[data-reveal-open]").setAttribute("aria-expanded", String(opening));
    if (opening) {
      form.elements.reason.focus();
    } else {
      form.reset();
      form.querySelector("[data-role=error]").hidden = true;
    }
  });

  // The chat's conversation list: the open conversation is marked in it, 新对话 empties the page (the
  // next message starts a conversation), on a phone the list opens and closes, and a change of
  // token leaves nothing of the previous person's conversation on screen.
  function markCurrentConversation() {
    var input = document.getElementById("conversation-id");
    var current = input ? input.value : "";
    document.querySelectorAll("[data-conversation-id]").forEach(function (item) {
      if (current && item.getAttribute("data-conversation-id") === current) item.setAttribute("aria-current", "true");
      else item.removeAttribute("aria-current");
    });
  }

  function openConversationList(open) {
    var aside = document.getElementById("conversations");
    if (!aside) return;
    aside.classList.toggle("open", open);
    aside.querySelector("[data-conversations-toggle]").setAttribute("aria-expanded", String(open));
  }

  function newConversation() {
    var log = document.getElementById("log");
    if (!log || !document.getElementById("conversations")) return;
    log.replaceChildren();
    document.getElementById("handoff-result").replaceChildren();
    document.getElementById("conversation-id").value = "";
    markCurrentConversation();
    openConversationList(false);
  }

  document.addEventListener("htmx:after:swap", markCurrentConversation);
  document.addEventListener("htmx:after:settle", markCurrentConversation);
  document.addEventListener("token-changed", newConversation);

  document.addEventListener("click", function (evt) {
    var aside = document.getElementById("conversations");
    if (!aside) return;
    if (evt.target.closest("[data-new-conversation]")) {
      newConversation();
      document.querySelector("#chat-form textarea").focus();
    } else if (evt.target.closest("[data-conversations-toggle]")) {
      openConversationList(!aside.classList.contains("open"));
    } else if (evt.target.closest("[data-conversation-id]")) {
      openConversationList(false);
    } else if (evt.target.closest("[data-logout]")) {
      newConversation();
      var list = document.getElementById("conversation-list");
      list.replaceChildren(Object.assign(document.createElement("li"), { className: "muted", textContent: "登录后显示您的历史对话。" }));
    }
  });

  document.addEventListener("DOMContentLoaded", showSignedIn);
})();
