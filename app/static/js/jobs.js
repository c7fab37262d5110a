/* Progress of a background job (templates/jobs/show.html).
   Polls the job's JSON status (/jobs/<id>/status) and moves the Bootstrap 3
   progress bar; when the job has finished, reloads the page, which then shows
   the result (file link or import report) rendered by the server. Texts come
   translated from the server, so this file holds no strings of its own.
   Loaded as a file: the CSP allows no inline scripts. */
(function () {
  "use strict";
  var box = document.getElementById("portal-job");
  if (!box || box.getAttribute("data-finished") === "true") {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector(".progress-bar");
  var statusEl = box.querySelector(".portal-job-status");
  var progressEl = box.querySelector(".portal-job-progress");
  var messageEl = box.querySelector(".portal-job-message");
  var MIN_DELAY = 1000, MAX_DELAY = 5000;
  var delay = MIN_DELAY;
  var lastDone = null;

  function render(s) {
    var percent = s.status === "done" ? 100 : (s.percent || 0);
    if (bar) {
      // Total unknown yet (e.g. reading the file): a full striped bar.
      bar.style.width = (s.total || s.finished ? percent : 100) + "%";
      bar.setAttribute("aria-valuenow", String(percent));
      bar.textContent = percent + "%";
    }
    if (statusEl) { statusEl.textContent = s.status_label; }
    if (progressEl) { progressEl.textContent = s.progress_text || ""; }
    if (messageEl) { messageEl.textContent = s.message || ""; }
  }

  function schedule() {
    window.setTimeout(poll, delay);
  }

  function poll() {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url, true);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () {
      var s;
      if (xhr.status === 200) {
        try {
          s = JSON.parse(xhr.responseText);
        } catch (e) {
          return;  // not JSON (e.g. the login page after the session expired): stop
        }
        render(s);
        if (s.finished) {
          window.location.reload();
          return;
        }
        // Poll quickly while rows move, slower while they do not.
        delay = s.done !== lastDone ? MIN_DELAY : Math.min(delay * 1.5, MAX_DELAY);
        lastDone = s.done;
        schedule();
      } else if (xhr.status === 401 || xhr.status === 403 || xhr.status === 404) {
        return;  // signed out or no access: nothing more to show
      } else {
        delay = Math.min(delay * 2, 30000);
        schedule();
      }
    };
    xhr.onerror = function () {
      delay = Math.min(delay * 2, 30000);
      schedule();
    };
    xhr.send();
  }

  schedule();
}());
