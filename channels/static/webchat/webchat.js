/* Web chat widget for the "webchat" channel (Rasa socket.io protocol).
 *
 * Every piece of message text is put on the page with textContent, never
 * innerHTML: whatever a user or the bot writes is shown as text.
 * No build step: plain ES2017, socket.io client vendored beside this file.
 */
(function () {
  'use strict';

  var body = document.body;
  var cfg = {
    socketPath: body.dataset.socketPath || '/socket.io',
    namespace: body.dataset.namespace || '/',
    userEvt: body.dataset.userEvt || 'user_uttered',
    botEvt: body.dataset.botEvt || 'bot_uttered',
    metadataKey: body.dataset.metadataKey || 'metadata',
    persistence: body.dataset.persistence !== 'false',
    bankName: body.dataset.bankName || ''
  };

  var TIME_GAP_MS = 5 * 60 * 1000;      // a time label after 5 minutes of quiet
  var TYPING_TIMEOUT_MS = 30 * 1000;
  var HISTORY_LIMIT = 200;
  var TOKEN_KEY = 'collectbot.webchat.token';
  var JWT_KEY = 'collectbot.webchat.jwt';

  var list = document.getElementById('messages');
  var form = document.getElementById('composer');
  var input = document.getElementById('input');
  var sendButton = document.getElementById('send');
  var statusLine = document.getElementById('status');

  // ---- storage (private mode may refuse it: carry on without) ----------
  function store(kind) {
    try { return kind === 'local' ? window.localStorage : window.sessionStorage; } catch (e) { return null; }
  }
  function getItem(kind, key) {
    var s = store(kind);
    try { return s ? s.getItem(key) : null; } catch (e) { return null; }
  }
  function setItem(kind, key, value) {
    var s = store(kind);
    try { if (s) { s.setItem(key, value); } } catch (e) { /* full or refused */ }
  }
  function removeItem(kind, key) {
    var s = store(kind);
    try { if (s) { s.removeItem(key); } } catch (e) { /* ignore */ }
  }

  // ---- the app token: read once, then kept out of the address bar -----
  var params = new URLSearchParams(window.location.search);
  var token = params.get('token');
  var jwt = params.get('jwt');
  if (token) { setItem('session', TOKEN_KEY, token); } else { token = getItem('session', TOKEN_KEY); }
  if (jwt) { setItem('session', JWT_KEY, jwt); } else { jwt = getItem('session', JWT_KEY); }
  if (params.has('token') || params.has('jwt')) {
    params.delete('token');
    params.delete('jwt');
    var query = params.toString();
    window.history.replaceState(null, '', window.location.pathname + (query ? '?' + query : '') + window.location.hash);
  }
  // An app visitor and an anonymous visitor keep separate conversations.
  var ANONYMOUS_SESSION_KEY = 'collectbot.webchat.session';
  var SESSION_KEY = token ? 'collectbot.webchat.session.app' : ANONYMOUS_SESSION_KEY;

  // The server issues the session and, to this page only, its proof
  // (webchat_status.session_proof): both are needed to continue it later.
  function proofKey(key) { return key + '.proof'; }
  var sessionId = getItem('local', SESSION_KEY);
  var sessionProof = getItem('local', proofKey(SESSION_KEY));
  var history = [];
  var lastShownTs = 0;
  var typingRow = null;
  var typingTimer = null;

  function historyKey(id) { return 'collectbot.webchat.history.' + id; }

  function loadHistory(id) {
    var raw = id ? getItem('session', historyKey(id)) : null;
    if (!raw) { return []; }
    try {
      var parsed = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed : [];
    } catch (e) { return []; }
  }

  function saveHistory() {
    if (!sessionId) { return; }
    if (history.length > HISTORY_LIMIT) { history = history.slice(-HISTORY_LIMIT); }
    setItem('session', historyKey(sessionId), JSON.stringify(history));
  }

  // ---- rendering (textContent only) ------------------------------------
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  function timeLabel(ts) {
    var d = new Date(ts);
    var now = new Date();
    var hm = pad(d.getHours()) + ':' + pad(d.getMinutes());
    if (d.toDateString() === now.toDateString()) { return hm; }
    var yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
    if (d.toDateString() === yesterday.toDateString()) { return '昨天 ' + hm; }
    if (d.getFullYear() === now.getFullYear()) { return (d.getMonth() + 1) + '月' + d.getDate() + '日 ' + hm; }
    return d.getFullYear() + '年' + (d.getMonth() + 1) + '月' + d.getDate() + '日 ' + hm;
  }

  function scrollToEnd() { list.scrollTop = list.scrollHeight; }

  function appendNode(node) {
    if (typingRow && typingRow.parentNode === list) {
      list.insertBefore(node, typingRow);
    } else {
      list.appendChild(node);
    }
    scrollToEnd();
  }

  function maybeTimeLabel(ts) {
    if (!lastShownTs || ts - lastShownTs > TIME_GAP_MS) {
      appendNode(el('div', 'time', timeLabel(ts)));
    }
    lastShownTs = ts;
  }

  function renderNotice(text, warning) {
    appendNode((function () {
      var wrap = el('div', 'notice' + (warning ? ' warning' : ''));
      wrap.setAttribute('role', 'status');
      wrap.appendChild(el('span', null, text));
      return wrap;
    })());
  }

  function renderMessage(msg, index) {
    if (msg.from === 'notice') { renderNotice(msg.text, msg.warning); return; }
    maybeTimeLabel(msg.ts);
    var row = el('div', 'row ' + (msg.from === 'user' ? 'user' : 'bot'));
    row.appendChild(el('div', 'avatar ' + (msg.from === 'user' ? 'user' : 'bot')));
    var content = el('div', 'body');
    content.appendChild(el('div', 'bubble', msg.text));
    if (msg.buttons && msg.buttons.length) {
      var group = el('div', 'quick-replies');
      group.setAttribute('role', 'group');
      group.setAttribute('aria-label', '快捷回复');
      msg.buttons.forEach(function (b) {
        var button = el('button', 'quick-reply', b.title);
        button.type = 'button';
        button.disabled = !!msg.used;
        button.addEventListener('click', function () {
          if (button.disabled) { return; }
          if (!send(b.payload, b.title)) { return; }
          Array.prototype.forEach.call(group.querySelectorAll('button'), function (x) { x.disabled = true; });
          if (history[index]) { history[index].used = true; saveHistory(); }
        });
        group.appendChild(button);
      });
      content.appendChild(group);
    }
    row.appendChild(content);
    appendNode(row);
  }

  function addMessage(msg, persist) {
    history.push(msg);
    renderMessage(msg, history.length - 1);
    if (persist !== false) { saveHistory(); }
  }

  function notice(text, warning) {
    addMessage({ from: 'notice', text: text, warning: !!warning, ts: Date.now() });
  }

  function showHistory(id) {
    list.textContent = '';
    typingRow = null;
    lastShownTs = 0;
    history = [];
    var saved = loadHistory(id);
    if (!saved.length) {
      renderNotice('您好，欢迎咨询' + cfg.bankName + '智能客服');
    }
    saved.forEach(function (m) { if (m && typeof m.text === 'string') { addMessage(m, false); } });
  }

  function showTyping() {
    hideTyping();
    typingRow = el('div', 'row bot typing');
    typingRow.setAttribute('aria-label', '对方正在输入');
    typingRow.appendChild(el('div', 'avatar bot'));
    var content = el('div', 'body');
    var bubble = el('div', 'bubble');
    for (var i = 0; i < 3; i += 1) { bubble.appendChild(el('span', 'dot')); }
    content.appendChild(bubble);
    typingRow.appendChild(content);
    list.appendChild(typingRow);
    scrollToEnd();
    typingTimer = window.setTimeout(hideTyping, TYPING_TIMEOUT_MS);
  }

  function hideTyping() {
    if (typingTimer) { window.clearTimeout(typingTimer); typingTimer = null; }
    if (typingRow && typingRow.parentNode) { typingRow.parentNode.removeChild(typingRow); }
    typingRow = null;
  }

  function setStatus(text, offline) {
    statusLine.textContent = text;
    statusLine.classList.toggle('offline', !!offline);
  }

  // ---- the connection --------------------------------------------------
  var ready = false;
  var url = window.location.origin + (cfg.namespace === '/' ? '' : cfg.namespace);
  var options = { path: cfg.socketPath, reconnectionDelayMax: 10000 };
  if (jwt) { options.auth = { token: jwt }; }
  var socket = window.io(url, options);

  socket.on('connect', function () {
    setStatus('连接中…');
    var request = { session_id: cfg.persistence ? sessionId : null };
    if (cfg.persistence && sessionId && sessionProof) { request.session_proof = sessionProof; }
    if (token) { request.customData = { token: token }; }
    socket.emit('session_request', request);
  });

  socket.on('session_confirm', function (confirmed) {
    var id = typeof confirmed === 'string' ? confirmed : (confirmed && confirmed.session_id);
    if (!id) { return; }
    if (id !== sessionId) {
      if (sessionId) { removeItem('session', historyKey(sessionId)); }
      sessionId = id;
      sessionProof = null;  // the new session's proof follows in webchat_status
      removeItem('local', proofKey(SESSION_KEY));
      setItem('local', SESSION_KEY, id);
      showHistory(id);
    }
    ready = true;
    setStatus('在线');
  });

  socket.on('webchat_status', function (status) {
    if (!status || typeof status !== 'object') { return; }
    if (typeof status.session_proof === 'string' && status.session_proof) {
      sessionProof = status.session_proof;
      setItem('local', proofKey(SESSION_KEY), sessionProof);
    }
    if (typeof status.error === 'string' && status.error) {
      // A message refused (too long, too fast): say why; nothing else changes.
      if (typeof status.notice === 'string' && status.notice) { notice(status.notice, true); }
      return;
    }
    if (typeof status.notice === 'string' && status.notice) {
      // The link is no good: from now on this tab is an anonymous visitor,
      // and a reload must find the (anonymous) conversation it is in.
      removeItem('session', TOKEN_KEY);
      token = null;
      SESSION_KEY = ANONYMOUS_SESSION_KEY;
      if (sessionId) { setItem('local', SESSION_KEY, sessionId); }
      if (sessionProof) { setItem('local', proofKey(SESSION_KEY), sessionProof); }
      notice(status.notice, true);
    } else if (status.identified && sessionId && !getItem('session', 'collectbot.webchat.identified.' + sessionId)) {
      setItem('session', 'collectbot.webchat.identified.' + sessionId, '1');
      notice('已通过手机银行App确认您的身份');
    }
  });

  socket.on(cfg.botEvt, function (data) {
    hideTyping();
    if (!data || typeof data !== 'object') { return; }
    var text = typeof data.text === 'string' ? data.text : '';
    var raw = Array.isArray(data.quick_replies) ? data.quick_replies : (Array.isArray(data.buttons) ? data.buttons : []);
    var buttons = raw.filter(function (b) {
      return b && (typeof b.title === 'string' || typeof b.title === 'number') && typeof b.payload === 'string';
    }).map(function (b) { return { title: String(b.title), payload: b.payload }; });
    if (!text && data.attachment) { text = '[暂不支持显示此类消息]'; }
    if (!text && !buttons.length) { return; }
    addMessage({ from: 'bot', text: text, buttons: buttons, ts: Date.now() });
  });

  socket.on('disconnect', function () {
    ready = false;
    hideTyping();
    setStatus('网络已断开，正在重新连接…', true);
  });

  socket.on('connect_error', function () {
    ready = false;
    setStatus('无法连接客服，正在重试…', true);
  });

  function send(message, display) {
    var text = String(message || '');
    if (!text.trim()) { return false; }
    var shown = display === undefined ? text : String(display);
    if (!ready || !sessionId) {
      renderNotice('网络未连接，消息未发送，请稍后重试', true);
      return false;
    }
    var payload = { message: text, session_id: sessionId };
    payload[cfg.metadataKey] = {};
    socket.emit(cfg.userEvt, payload);
    addMessage({ from: 'user', text: shown, ts: Date.now() });
    showTyping();
    return true;
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) { return; }
    if (send(text)) {
      input.value = '';
      sendButton.disabled = true;
    }
    input.focus();
  });

  input.addEventListener('input', function () { sendButton.disabled = !input.value.trim(); });
  sendButton.disabled = true;

  showHistory(sessionId);
}());
