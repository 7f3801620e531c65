// The pages' one script of our own: it keeps the bearer token and shows API errors.
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

  function showSignedIn() {
    var who = document.getElementById("who");
    if (who) who.textContent = token() ? "已登录" : "未登录";
  }

  // Every htmx request carries the token; an empty filter field means "any", so it is not sent.
  document.addEventListener("htmx:config:request", function (evt) {
    var request = evt.detail.ctx.request;
    if (!token()) {
      evt.preventDefault();
      flash("请先在页面顶部输入访问令牌并登录。");
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
    flash(message);
  });

  document.addEventListener("htmx:error", function (evt) {
    var ctx = evt.detail && evt.detail.ctx;
    if (!ctx || !ctx.response) flash("网络错误，请检查连接后重试。");
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

  document.addEventListener("DOMContentLoaded", showSignedIn);
})();
