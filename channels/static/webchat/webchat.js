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
  var titleLine = document.querySelector('.topbar .title');
  var botTitle = titleLine ? titleLine.textContent : '';
  var banner = document.getElementById('handover-banner');
  var bannerText = document.getElementById('handover-banner-text');

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
  // Who answers now (the server tags messages, bot/core/handover.py):
  // 'bot', 'queued' (waiting for a person) or 'agent' (a person, by name).
  var handover = { state: 'bot', agent: '', detail: '' };
  var connected = false;
  var nextClientId = 1;

  function historyKey(id) { return 'collectbot.webchat.history.' + id; }
  function handoverKey(id) { return 'collectbot.webchat.handover.' + id; }

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

  // An agent's avatar: the first character of their name on a colour of
  // its own, so a person never wears the bot's face.
  function agentAvatar(name) {
    var label = String(name || '专员').replace(/^专员\s*/, '') || '专';
    var avatar = el('div', 'avatar agent', label.charAt(0));
    var hue = 0;
    for (var i = 0; i < label.length; i += 1) { hue = (hue * 31 + label.charCodeAt(i)) % 360; }
    avatar.style.backgroundColor = 'hsl(' + hue + ', 55%, 48%)';
    avatar.setAttribute('aria-hidden', 'true');
    return avatar;
  }

  // Dates, amounts, terms and reference numbers never break across lines
  // (issue 14): each is one unbreakable span inside the wrapping text.
  var KEEP_TOGETHER = /\d{4}年\d{1,2}月\d{1,2}[日号]|\d{1,2}月\d{1,2}[日号]|[¥￥]?\d[\d,]*(?:\.\d+)?\s?(?:元|期|天|个月|%)|HK-[0-9A-Z]{4}-[0-9A-Z]{4}|\d{1,2}:\d{2}(?:-\d{1,2}:\d{2})?/g;

  function keptTogether(node, text) {
    var s = text === undefined || text === null ? '' : String(text);
    var last = 0;
    s.replace(KEEP_TOGETHER, function (match, offset) {
      if (offset > last) { node.appendChild(document.createTextNode(s.slice(last, offset))); }
      node.appendChild(el('span', 'nowrap', match));
      last = offset + match.length;
      return match;
    });
    if (last < s.length) { node.appendChild(document.createTextNode(s.slice(last))); }
    return node;
  }

  // A plan option (bot/core/plan_menu.py) as a card: heading, then one line per figure.
  function planCard(button, card, title) {
    button.className = 'quick-reply plan-card';
    button.textContent = '';
    button.setAttribute('aria-label', title);
    button.appendChild(el('span', 'plan-heading nowrap', card.heading));
    card.figures.forEach(function (f) {
      var line = el('span', 'plan-figure');
      line.appendChild(el('span', 'plan-label', f[0]));
      line.appendChild(el('span', 'plan-value nowrap', f[1]));
      button.appendChild(line);
    });
  }

  function cardOf(c) {
    if (!c || typeof c !== 'object' || typeof c.heading !== 'string' || !Array.isArray(c.figures)) { return null; }
    var figures = c.figures.filter(function (f) {
      return Array.isArray(f) && f.length === 2 && typeof f[0] === 'string' && typeof f[1] === 'string';
    }).slice(0, 6);
    return { heading: c.heading, figures: figures };
  }

  function renderMessage(msg, index) {
    if (msg.from === 'notice') { renderNotice(msg.text, msg.warning); return; }
    maybeTimeLabel(msg.ts);
    var kind = msg.from === 'user' ? 'user' : (msg.from === 'agent' ? 'bot agent' : 'bot');
    var row = el('div', 'row ' + kind + (msg.failed ? ' failed' : ''));
    row.appendChild(msg.from === 'agent' ? agentAvatar(msg.agent) : el('div', 'avatar ' + (msg.from === 'user' ? 'user' : 'bot')));
    var content = el('div', 'body');
    if (msg.from === 'agent') { content.appendChild(el('div', 'sender-name', msg.agent || '专员')); }
    content.appendChild(keptTogether(el('div', 'bubble'), msg.text));
    if (msg.from === 'user' && msg.failed) {
      // Refused (too fast, too long) or never left this page: said so, with a retry.
      var failed = el('div', 'send-failed');
      failed.appendChild(el('span', 'failed-mark', '未发送'));
      var retry = el('button', 'retry', '重发');
      retry.type = 'button';
      retry.addEventListener('click', function () { resend(index); });
      failed.appendChild(retry);
      content.appendChild(failed);
    }
    if (msg.buttons && msg.buttons.length) {
      var cards = msg.buttons.some(function (b) { return b.card; });
      var group = el('div', 'quick-replies' + (cards ? ' plans' : ''));
      group.setAttribute('role', 'group');
      group.setAttribute('aria-label', cards ? '可选方案' : '快捷回复');
      msg.buttons.forEach(function (b) {
        var button = el('button', 'quick-reply', b.title);
        if (b.card) { planCard(button, b.card, b.title); }
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

  function showTyping(agent, ms) {
    hideTyping();
    typingRow = el('div', 'row bot typing' + (agent ? ' agent' : ''));
    typingRow.setAttribute('aria-label', agent ? agent + '正在输入' : '对方正在输入');
    typingRow.appendChild(agent ? agentAvatar(agent) : el('div', 'avatar bot'));
    var content = el('div', 'body');
    var bubble = el('div', 'bubble');
    for (var i = 0; i < 3; i += 1) { bubble.appendChild(el('span', 'dot')); }
    content.appendChild(bubble);
    typingRow.appendChild(content);
    list.appendChild(typingRow);
    scrollToEnd();
    typingTimer = window.setTimeout(hideTyping, ms || TYPING_TIMEOUT_MS);
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

  // The header and the banner say who answers: the bot, the queue, or a person.
  function onlineStatus() {
    if (handover.state === 'queued') { return '人工客服 · 排队中'; }
    if (handover.state === 'agent') { return '人工客服 · ' + (handover.agent || '专员') + '为您服务'; }
    return '在线';
  }

  function showHandover() {
    var human = handover.state !== 'bot';
    document.body.classList.toggle('human-mode', human);
    if (titleLine) { titleLine.textContent = human ? botTitle.replace(/智能客服$/, '') + '人工客服' : botTitle; }
    if (banner) {
      banner.hidden = !human;
      banner.className = 'handover-banner ' + handover.state;
      if (bannerText) {
        bannerText.textContent = handover.state === 'queued'
          ? '正在为您转接人工客服' + (handover.detail ? '：' + handover.detail : '，请稍候')
          : (handover.state === 'agent' ? (handover.agent || '专员') + ' 正在为您服务' : '');
      }
    }
    if (connected) { setStatus(onlineStatus()); }
  }

  function setHandover(tag, text) {
    if (!tag || ['bot', 'queued', 'agent'].indexOf(tag.state) < 0) { return; }
    var before = handover.state;
    handover = {
      state: tag.state,
      agent: tag.state === 'agent' ? String(tag.agent || '专员') : '',
      detail: tag.state === 'queued' ? String(text || (before === 'queued' ? handover.detail : '')) : ''
    };
    if (handover.state !== 'bot') { hideTyping(); }
    if (sessionId) { setItem('session', handoverKey(sessionId), JSON.stringify(handover)); }
    showHandover();
  }

  function loadHandover(id) {
    var raw = id ? getItem('session', handoverKey(id)) : null;
    handover = { state: 'bot', agent: '', detail: '' };
    if (raw) {
      try {
        var saved = JSON.parse(raw);
        if (saved && ['bot', 'queued', 'agent'].indexOf(saved.state) >= 0) { handover = saved; }
      } catch (e) { /* ignore */ }
    }
    showHandover();
  }

  // ---- the connection --------------------------------------------------
  var ready = false;
  var url = window.location.origin + (cfg.namespace === '/' ? '' : cfg.namespace);
  var options = { path: cfg.socketPath, reconnectionDelayMax: 10000 };
  if (jwt) { options.auth = { token: jwt }; }
  var socket = window.io(url, options);

  socket.on('connect', function () {
    connected = false;
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
      loadHandover(id);
    }
    ready = true;
    connected = true;
    setStatus(onlineStatus());
  });

  socket.on('webchat_status', function (status) {
    if (!status || typeof status !== 'object') { return; }
    if (typeof status.session_proof === 'string' && status.session_proof) {
      sessionProof = status.session_proof;
      setItem('local', proofKey(SESSION_KEY), sessionProof);
    }
    if (typeof status.agent_typing === 'boolean') {
      // The agent is typing (the console says so): dots with their avatar.
      if (status.agent_typing && handover.state === 'agent') {
        showTyping(handover.agent || '专员', Math.min(30, Number(status.seconds) || 8) * 1000);
      } else if (!status.agent_typing) { hideTyping(); }
      return;
    }
    if (typeof status.received === 'string') { markSent(status.received); return; }
    if (status.handover && typeof status.handover === 'object') { setHandover(status.handover); }
    if (typeof status.error === 'string' && status.error) {
      // A message refused (too long, too fast): say why, and mark it not
      // sent, with a retry; no dots wait for an answer that will not come.
      hideTyping();
      markFailed(typeof status.client_id === 'string' ? status.client_id : null);
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
    }).map(function (b) {
      var card = cardOf(b.card);
      return card ? { title: String(b.title), payload: b.payload, card: card } : { title: String(b.title), payload: b.payload };
    });
    if (!text && data.attachment) { text = '[暂不支持显示此类消息]'; }
    var tag = data.handover && typeof data.handover === 'object' ? data.handover : null;
    var wasHuman = handover.state !== 'bot';
    if (tag) { setHandover(tag, tag.state === 'queued' && !tag.notice ? text : ''); }
    if (!text && !buttons.length) { return; }
    if (tag && tag.notice === 'joined') { notice(text); return; }
    if (tag && tag.notice === 'left') { notice(text, true); return; }
    if (tag && tag.state === 'bot' && wasHuman) { notice('人工服务已结束，智能客服继续为您服务'); }
    if (tag && tag.state === 'agent') {
      addMessage({ from: 'agent', agent: handover.agent, text: text, buttons: buttons, ts: Date.now() });
      return;
    }
    addMessage({ from: 'bot', text: text, buttons: buttons, ts: Date.now() });
  });

  socket.on('disconnect', function () {
    ready = false;
    connected = false;
    hideTyping();
    setStatus('网络已断开，正在重新连接…', true);
  });

  socket.on('connect_error', function () {
    ready = false;
    connected = false;
    setStatus('无法连接客服，正在重试…', true);
  });

  function findByClientId(id) {
    for (var i = history.length - 1; i >= 0; i -= 1) {
      if (history[i].from === 'user' && (id ? history[i].clientId === id : history[i].pending)) { return i; }
    }
    return -1;
  }

  function markSent(id) {
    var i = findByClientId(id);
    if (i >= 0) { delete history[i].pending; saveHistory(); }
  }

  function markFailed(id) {
    var i = findByClientId(id);
    if (i < 0) { return; }
    delete history[i].pending;
    history[i].failed = true;
    saveHistory();
    redraw();
  }

  function redraw() {
    list.textContent = '';
    typingRow = null;
    lastShownTs = 0;
    var all = history;
    history = [];
    all.forEach(function (m) { addMessage(m, false); });
  }

  function emit(text, entry) {
    entry.clientId = 'm' + Date.now().toString(36) + '-' + (nextClientId++);
    var payload = { message: text, session_id: sessionId, client_id: entry.clientId };
    payload[cfg.metadataKey] = {};
    socket.emit(cfg.userEvt, payload);
  }

  function resend(index) {
    var entry = history[index];
    if (!entry || !entry.failed) { return; }
    if (!ready || !sessionId) { notice('网络未连接，请稍后再重发', true); return; }
    delete entry.failed;
    entry.pending = true;
    emit(entry.payload || entry.text, entry);
    saveHistory();
    redraw();
    if (handover.state === 'bot') { showTyping(); }
  }

  function send(message, display) {
    var text = String(message || '');
    if (!text.trim()) { return false; }
    var shown = display === undefined ? text : String(display);
    var entry = { from: 'user', text: shown, ts: Date.now() };
    if (shown !== text) { entry.payload = text; }
    if (!ready || !sessionId) {
      // Kept on the page, marked not sent, with a retry.
      entry.failed = true;
      addMessage(entry);
      return true;
    }
    entry.pending = true;
    emit(text, entry);
    addMessage(entry);
    // A person answers at a person's pace: no dots that promise an instant reply.
    if (handover.state === 'bot') { showTyping(); }
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

  // While a person has the chat, the agent sees that the cardholder is
  // typing (对方正在输入…): one signal every 2 s at most, none for an empty
  // box, none while the bot answers (channels/webchat.py, user_typing).
  var TYPING_EVERY_MS = 2000;
  var lastTypingSent = 0;
  function signalTyping() {
    if (handover.state === 'bot' || !ready || !sessionId || !input.value.trim()) { return; }
    var now = Date.now();
    if (now - lastTypingSent < TYPING_EVERY_MS) { return; }
    lastTypingSent = now;
    socket.emit('user_typing', { session_id: sessionId }, function () {});
  }

  input.addEventListener('input', function () {
    sendButton.disabled = !input.value.trim();
    signalTyping();
  });
  sendButton.disabled = true;

  showHistory(sessionId);
  loadHandover(sessionId);
}());
