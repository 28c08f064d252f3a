// Hangar browser console: xterm.js on the workspace's console WebSocket (same origin, authenticated
// by the dashboard's session cookie; the server checks the handshake's Origin). What the guest
// writes goes to xterm.js as bytes, so it is drawn as terminal text and never parsed as HTML;
// keystrokes and pastes go back as bytes. When the socket closes, the status line says why and the
// page asks .../console/state whether to reconnect (backing off), or goes to sign-in when the
// session is over. Loaded from /ui/static (CSP script-src 'self': no inline script).
(function () {
  "use strict";
  var el = document.getElementById("terminal");
  if (!el || typeof Terminal === "undefined") return;
  var statusEl = document.getElementById("console-status");
  var reconnectButton = document.getElementById("console-reconnect");
  var stateHref = el.getAttribute("data-state-href");
  var base = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + el.getAttribute("data-socket");
  var DELAYS_MS = [1000, 2000, 4000, 8000, 15000];

  // xterm.js adds <style> elements at run time; the page's CSP allows only those that carry this
  // response's nonce (style-src 'self' 'nonce-...', no 'unsafe-inline'), so tag them as they are made.
  var nonce = el.getAttribute("data-style-nonce");
  var createElement = Document.prototype.createElement;
  Document.prototype.createElement = function (tag, options) {
    var made = createElement.call(this, tag, options);
    if (String(tag).toLowerCase() === "style" && nonce) made.setAttribute("nonce", nonce);
    return made;
  };

  var term = new Terminal({ cursorBlink: true, scrollback: 5000, convertEol: false });
  var fit = new FitAddon.FitAddon();
  term.loadAddon(fit);
  term.open(el);
  fit.fit();
  // The page's size in character cells. A shell's TTY takes it (the first size in the URL, later
  // ones as a text message {"type":"resize",...}); a serial line has none and the server drops it.
  function showSize() {
    el.setAttribute("data-cols", String(term.cols));
    el.setAttribute("data-rows", String(term.rows));
  }
  function sendSize() {
    if (ws && ws.readyState === WebSocket.OPEN)
      ws.send(JSON.stringify({ type: "resize", columns: term.cols, rows: term.rows }));
  }
  term.onResize(function () { showSize(); sendSize(); });
  showSize();
  window.addEventListener("resize", function () { fit.fit(); });

  var encoder = new TextEncoder();
  var ws = null;
  var attempt = 0;
  var timer = null;

  function status(state, text) {
    statusEl.setAttribute("data-state", state);
    statusEl.textContent = text;
  }

  function send(bytes) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(bytes);
  }
  // Keystrokes and pastes (xterm.js turns both into onData); onBinary carries raw bytes (mouse reports).
  term.onData(function (data) { send(encoder.encode(data)); });
  term.onBinary(function (data) {
    var bytes = new Uint8Array(data.length);
    for (var i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 0xff;
    send(bytes);
  });

  function connect() {
    timer = null;
    status("connecting", "Connecting…");
    var socket = new WebSocket(base + "?columns=" + term.cols + "&rows=" + term.rows);
    socket.binaryType = "arraybuffer";
    var opened = false;
    socket.onopen = function () {
      opened = true;
      attempt = 0;
      status("connected", "Connected");
      term.focus();
    };
    socket.onmessage = function (e) {
      term.write(typeof e.data === "string" ? e.data : new Uint8Array(e.data));
    };
    socket.onclose = function (e) {
      if (ws !== socket) return;
      ws = null;
      var why = opened ? "Disconnected (" + e.code + (e.reason ? ": " + e.reason : "") + ")" : "Could not connect";
      // Also in the terminal, dimmed, so the scrollback shows where the session broke.
      if (opened) term.write("\r\n\x1b[2m[console disconnected: " + e.code + (e.reason ? " " + e.reason : "") + "]\x1b[0m\r\n");
      later(why);
    };
    ws = socket;
  }

  // Asks the server whether the console can be reached, then reconnects after a back-off.
  function later(why) {
    var delay = DELAYS_MS[Math.min(attempt, DELAYS_MS.length - 1)];
    attempt++;
    fetch(stateHref, { credentials: "same-origin" })
      .then(function (res) {
        if (res.status === 401) {
          window.location.assign("/ui/sign-in?expired=1");
          return null;
        }
        return res.text().then(function (text) { return { ok: res.ok, text: text }; });
      })
      .then(function (state) {
        if (state === null) return;
        var seconds = Math.round(delay / 1000);
        if (state.ok) status("closed", why + "; reconnecting in " + seconds + " s");
        else status("unavailable", why + ": " + state.text + " Trying again in " + seconds + " s.");
        schedule(delay);
      })
      .catch(function () {
        status("closed", why + "; the server does not answer; trying again");
        schedule(delay);
      });
  }

  function schedule(delay) {
    if (timer !== null) window.clearTimeout(timer);
    timer = window.setTimeout(connect, delay);
  }

  reconnectButton.addEventListener("click", function () {
    attempt = 0;
    if (ws) {
      var old = ws;
      ws = null;
      old.close(1000, "reconnect");
    }
    if (timer !== null) window.clearTimeout(timer);
    connect();
  });

  connect();
})();
