/* What htmx cannot do by itself: upload progress (htmx 4 sends with fetch, which reports none),
   and refusing a file over the limit before sending it. */
(function () {
  "use strict";

  function xhrFetch(form) {
    var bar = form.querySelector(".upload-progress");
    var status = form.querySelector(".upload-status");
    return function (url, request) {
      return new Promise(function (resolve, reject) {
        var xhr = new XMLHttpRequest();
        xhr.open(request.method || "POST", url);
        Object.keys(request.headers || {}).forEach(function (name) {
          xhr.setRequestHeader(name, request.headers[name]);
        });
        xhr.upload.addEventListener("progress", function (event) {
          if (!event.lengthComputable) return;
          var percent = Math.round((event.loaded / event.total) * 100);
          bar.hidden = false;
          bar.value = percent;
          status.textContent = "Đang tải lên " + percent + " %";
        });
        xhr.addEventListener("load", function () {
          var headers = new Headers();
          xhr.getAllResponseHeaders().trim().split(/\r?\n/).forEach(function (line) {
            var at = line.indexOf(":");
            if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
          });
          resolve(new Response(xhr.responseText, { status: xhr.status, headers: headers }));
        });
        xhr.addEventListener("error", function () { reject(new TypeError("Mất kết nối")); });
        xhr.addEventListener("abort", function () { reject(new DOMException("Đã huỷ", "AbortError")); });
        if (request.signal) request.signal.addEventListener("abort", function () { xhr.abort(); });
        xhr.send(request.body);
      });
    };
  }

  // Every htmx request carries the page's CSRF token (the csrf-token meta tag of base.html).
  document.addEventListener("htmx:config:request", function (event) {
    var token = document.querySelector('meta[name="csrf-token"]');
    if (token) event.detail.ctx.request.headers["X-CSRFToken"] = token.content;
  });

  document.addEventListener("htmx:config:request", function (event) {
    var form = event.detail.ctx.sourceElement;
    if (!form || !form.matches || !form.matches("form[data-upload]")) return;
    var input = form.querySelector("input[type=file]");
    var limit = Number(form.dataset.maxBytes);
    var file = input && input.files[0];
    var status = form.querySelector(".upload-status");
    if (file && limit && file.size > limit) {
      event.preventDefault();
      status.textContent = "Tệp «" + file.name + "» vượt quá giới hạn " +
        Math.round(limit / 1048576) + " MB; hãy nén hoặc chia nhỏ.";
      return;
    }
    event.detail.ctx.fetch = xhrFetch(form);
  });

  // Matrix: a cell opens its item in the side panel (the item's URL + "/panel": the item under
  // its unit's name, with the panel's "Đóng" button); closing the panel returns focus to the cell.
  var lastCell = null;
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#matrix td > a");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0) {
      event.preventDefault();
      lastCell = link.id;
      htmx.ajax("GET", link.getAttribute("href") + "/panel", { target: "#panel", swap: "innerHTML" }).then(function () {
        document.getElementById("panel").focus();
      });
      return;
    }
    if (event.target.closest && event.target.closest("[data-close-panel]")) closePanel();
  });

  function closePanel() {
    document.getElementById("panel").innerHTML = "";
    var cell = lastCell && document.getElementById(lastCell);
    if (cell) cell.focus();
  }

  // Keyboard: Escape in the open panel closes it, like its "Đóng" button; not while a comment
  // is being typed, which it would throw away.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    var panel = document.getElementById("panel");
    var focused = document.activeElement;
    if (!panel || !panel.firstChild || !panel.contains(focused)) return;
    if (focused.matches("textarea, input[type=text], input:not([type])") && focused.value) return;
    event.preventDefault();
    closePanel();
  });

  // The button that was pressed is gone with the swapped item: put focus on its result message.
  document.addEventListener("htmx:after:swap", function () {
    var result = document.querySelector(".item-result[data-focus]");
    if (!result) return;
    result.removeAttribute("data-focus");
    result.focus();
  });
})();
