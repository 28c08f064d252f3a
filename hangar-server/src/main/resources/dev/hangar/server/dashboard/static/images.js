// Hangar dashboard, images page: fills each running pull's progress bar by polling its status
// (JSON from /ui/images/status) until the image is cached or the pull failed. Loaded as a module
// from /ui/static (CSP script-src 'self'); the page works without it (reload to see progress).
const POLL_MS = 500;

function mib(bytes) {
  return (bytes / (1024 * 1024)).toFixed(1) + " MiB";
}

function follow(cell) {
  const url = cell.getAttribute("data-status");
  const bar = cell.querySelector("progress");
  const text = cell.querySelector(".pull-text");
  const row = cell.closest("tr");
  const state = row ? row.querySelector(".image-state") : null;
  const timer = window.setInterval(async () => {
    let res;
    try {
      res = await fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } });
    } catch (e) {
      return; // offline for a moment: try again at the next tick
    }
    if (res.status === 401) {
      window.location.assign("/ui/sign-in?expired=1");
      return;
    }
    if (!res.ok) return;
    const s = await res.json();
    if (state) {
      state.textContent = s.state; // textContent: never parsed as HTML
      state.setAttribute("data-state", s.state);
    }
    if (s.bytesTotal > 0) bar.max = s.bytesTotal;
    bar.value = s.bytesDone;
    text.textContent = s.bytesTotal > 0
      ? mib(s.bytesDone) + " of " + mib(s.bytesTotal) + " (" + Math.floor((100 * s.bytesDone) / s.bytesTotal) + "%)"
      : mib(s.bytesDone);
    if (s.state === "cached") {
      bar.value = bar.max;
      text.textContent = "done";
      window.clearInterval(timer);
    } else if (s.state === "failed") {
      let err = cell.querySelector(".pull-error");
      if (!err) {
        err = document.createElement("span");
        err.className = "error pull-error";
        cell.appendChild(err);
      }
      err.setAttribute("role", "alert");
      err.textContent = s.error;
      window.clearInterval(timer);
    }
  }, POLL_MS);
}

document.querySelectorAll("td.pull[data-status]").forEach(follow);
