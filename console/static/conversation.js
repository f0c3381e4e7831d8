/* One conversation: transcript, account, actions. Live through server-sent
 * events; every text is rendered with textContent. */
(function () {
  'use strict';
  var C = window.Console;
  var el = C.el;
  var conversationId = document.body.dataset.conversationId;
  var base = '/api/conversations/' + encodeURIComponent(conversationId);
  var detail = null;

  var KIND = { promise_to_pay: '承诺还款', installment: '分期', deferral: '延期还款', fee_waiver: '费用减免', hardship_plan: '个性化还款方案' };
  var STATUS = { booked: '已登记', pending_approval: '待审批', requested: '已申请', kept: '已履约', partially_kept: '部分履约', broken: '已违约', cancelled: '已取消', open: '待处理', claimed: '处理中', resolved: '已解决' };
  var WILLINGNESS = { willing: '愿意还款', unwilling: '不愿还款', disputes: '有异议', unknown: '未知' };
  var ABILITY = { full: '可全额还款', partial: '可部分还款', none: '暂无还款能力', unknown: '未知' };
  var CHANNEL = {};  // the server's one map (console/labels.py), from each detail
  var REASON = { crisis: '危机（自伤风险）', dispute_debt: '债务异议', complaint: '投诉', verification_locked: '身份验证锁定',
    customer_request: '客户要求人工', repeated_refusal: '多次拒绝还款', hardship_plan: '困难个性化方案待审批', abuse: '辱骂', fallback: '连续无法理解' };
  var FROM = { cardholder: '客户', bot: '智能助手', agent: '专员', system: '' };
  var PHRASES = [
    '您好，我是人工专员，现在由我为您服务。',
    '感谢您的耐心等待。',
    '请问您近期方便安排还款吗？',
    '好的，我这边马上为您办理。'
  ];

  function $(id) { return document.getElementById(id); }

  function show(id, text) { $(id).textContent = text || ''; }

  function fail(id) { return function (error) { show(id, error.message); }; }

  function refresh() { return C.api('GET', base).then(render).catch(function (e) { show('reply-error', e.message); }); }

  // ---- transcript ------------------------------------------------------
  function renderTranscript(entries) {
    var box = $('transcript');
    var atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    C.clear(box);
    entries.forEach(function (m) {
      var row = el('div', 'msg ' + m.from);
      if (m.from !== 'system') {
        var meta = el('div', 'meta', FROM[m.from] || m.from);
        if (m.ts) { meta.appendChild(el('span', 'time', ' ' + C.dateTime(new Date(m.ts * 1000).toISOString()))); }
        row.appendChild(meta);
      }
      var bubble = el('div', 'bubble', m.text);
      if (m.button) { bubble.appendChild(el('span', 'button-tag', '按钮')); }
      // A call's turn: recognised from speech or keyed on the phone's keypad.
      if (m.input) { bubble.appendChild(el('span', 'button-tag', m.input === 'dtmf' ? '按键' : '语音识别')); }
      row.appendChild(bubble);
      box.appendChild(row);
    });
    if (atEnd || !box.dataset.rendered) { box.scrollTop = box.scrollHeight; }
    box.dataset.rendered = '1';
  }

  // ---- status and claim -----------------------------------------------
  function renderStatus(d) {
    var st = d.state;
    show('conversation-id', d.conversation_id);
    var paused = $('paused-badge');
    paused.textContent = st.paused ? '人工处理中（智能助手已暂停）' : '智能助手服务中';
    paused.className = 'badge ' + (st.paused ? 'paused' : 'running');
    show('channel-badge', '渠道：' + (CHANNEL[st.channel] || st.channel || '未知'));
    var identity = $('identity-badge');
    identity.textContent = st.identity_confirmed ? (d.identity_confirmed_by_agent ? '已验证身份（专员确认）' : '已验证身份') : '未验证身份';
    identity.className = 'badge ' + (st.identity_confirmed ? 'running' : 'warn');
    $('identity-warning').hidden = !!st.identity_confirmed || !d.account;
    var crises = d.escalations.filter(function (e) { return e.reason === 'crisis' && e.status !== 'resolved'; });
    $('crisis-badge').hidden = !crises.length;
    // An open crisis is the first thing on the page, not a line in the side panel.
    $('crisis-banner').hidden = !crises.length;
    show('crisis-banner-text', crises.length ? '转接时间 ' + C.dateTime(crises[0].created_at) + ' · ' + crises[0].summary : '');

    var reasons = $('reasons');
    C.clear(reasons);
    d.escalations.filter(function (e) { return e.status !== 'resolved'; }).forEach(function (e) {
      var li = el('li', e.reason === 'crisis' ? 'crisis' : '');
      li.appendChild(el('span', 'badge p' + e.priority, e.reason_label));
      li.appendChild(el('span', null, ' ' + e.summary));
      reasons.appendChild(li);
    });

    var canAct = d.permissions.act;
    var claim = d.claim;
    var unresolved = d.escalations.some(function (e) { return e.status !== 'resolved'; });
    show('claim-status', claim ? (d.mine ? '您正在处理此会话' : '由 ' + claim.display_name + ' 处理中') : (unresolved ? '待领取' : '无待处理的转接'));
    $('claim-btn').hidden = !canAct || !!claim || !unresolved;
    $('release-btn').hidden = !canAct || !d.mine;
    $('retake-btn').hidden = !canAct || !d.mine || st.paused;
    var mineAndPaused = canAct && d.mine && st.paused;
    // A call: the agent talks on the transferred call itself; a typed reply
    // could not reach it (the voice channel cannot speak out of turn).
    var onCall = st.channel === 'voice';
    $('call-notice').hidden = !onCall;
    $('reply-form').hidden = onCall;
    // The claimant can always type: a live update whose state is still on
    // its way (the pause not yet seen after a claim) must not take the
    // agent's cursor or a key pressed in that moment ("/" for the list, its
    // arrows, Enter); locking the box then lost keys (CI saw a "/" vanish
    // while the box was read-only for a moment). Sending is what waits: the
    // send button (and Enter, which goes through it) and the server.
    var box = $('reply-text');
    box.disabled = !(canAct && d.mine) || !!(claim && claim.handed_back_at);
    $('reply-send').disabled = !mineAndPaused;
    $('reply-text').placeholder = mineAndPaused ? '输入回复，发送前会自动进行合规检查' : (d.mine ? '会话已交还智能助手；如需继续人工服务，请点击“重新接管”' : '领取会话后才能回复');
    ['book-submit', 'note-submit', 'hand-back-btn', 'resolve-submit'].forEach(function (id) { $(id).disabled = !(canAct && d.mine); });
    $('hand-back-btn').disabled = !mineAndPaused;
    $('confirm-identity-btn').hidden = !canAct || !d.mine || !d.account || !!st.identity_confirmed;
    // Transfer: the claimant (or a supervisor) hands a live claim to a colleague.
    $('transfer').hidden = !canAct || !claim || !!claim.handed_back_at || !(d.mine || d.permissions.approve);
    if (!$('transfer').hidden) { loadAgents(claim); }
  }

  // ---- transfer to a colleague -----------------------------------------------
  var agentsLoaded = false;
  function loadAgents(claim) {
    var select = $('transfer-to');
    if (agentsLoaded) { markCurrent(claim); return; }
    agentsLoaded = true;
    C.api('GET', '/api/agents').then(function (data) {
      C.clear(select);
      (data.items || []).forEach(function (a) {
        var option = el('option', null, a.display_name + '（' + a.role_label + '）');
        option.value = a.username;
        select.appendChild(option);
      });
      markCurrent(detail && detail.claim);
    }).catch(function (e) { agentsLoaded = false; show('reply-error', e.message); });
  }
  function markCurrent(claim) {
    Array.prototype.forEach.call($('transfer-to').options, function (o) {
      o.disabled = !!claim && o.value === claim.username;
    });
  }

  // ---- a new cardholder message in my conversation: title badge and a cue ------
  var cardholderCount = null;
  var unseen = 0;
  var baseTitle = document.title;
  function noticeNewMessages(d) {
    var n = d.transcript.filter(function (m) { return m.from === 'cardholder'; }).length;
    if (cardholderCount !== null && n > cardholderCount && d.mine) { unseen += n - cardholderCount; }
    cardholderCount = n;
    showUnseen();
  }
  function showUnseen() {
    document.title = (unseen ? '(' + unseen + ') ' : '') + baseTitle;
    $('new-message').hidden = !unseen;
    $('new-message').textContent = unseen ? '客户发来 ' + unseen + ' 条新消息' : '';
  }
  function seen() { if (unseen) { unseen = 0; showUnseen(); } }

  // ---- account panel ---------------------------------------------------
  function fact(dl, label, value) {
    dl.appendChild(el('dt', null, label));
    dl.appendChild(el('dd', null, value));
  }

  function yuan(v) { return v === null || v === undefined ? '—' : Number(v).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + '元'; }

  function arrangementText(a) {
    var parts = [];
    if (a.amount) { parts.push(yuan(a.amount)); }
    if (a.months) { parts.push(a.months + '期'); }
    if (a.monthly_payment) { parts.push('每期' + yuan(a.monthly_payment)); }
    if (a.pay_date) { parts.push('还款日 ' + a.pay_date); }
    if (a.new_due_date) { parts.push('新还款日 ' + a.new_due_date); }
    return parts.join('，');
  }

  function renderAccount(d) {
    var dl = $('account-facts');
    C.clear(dl);
    var snap = d.account;
    ['offers', 'arrangements', 'contacts', 'escalations'].forEach(function (id) { C.clear($(id)); });
    if (!snap) {
      fact(dl, '账户', '该会话未关联账户（未验证的访客或未知号码）');
      show('assessment', '');
      return;
    }
    var a = snap.account;
    fact(dl, '账户', a.account_id + '（卡号尾号' + a.card_last4 + '）');
    fact(dl, '持卡人', snap.cardholder.name + ' ' + snap.cardholder.phone);
    fact(dl, '应还总额', yuan(a.balance));
    fact(dl, '最低还款额', yuan(a.minimum_due));
    fact(dl, '到期还款日', a.due_date);
    fact(dl, '逾期天数', a.days_past_due + '天（' + a.stage + '）');
    fact(dl, '争议处理中', a.open_dispute ? '是' : '否');
    fact(dl, '违约承诺', a.broken_promises + '次');
    var optOuts = snap.opt_outs.filter(function (o) { return o.active; }).map(function (o) { return CHANNEL[o.channel] || o.channel; });
    fact(dl, '已退订渠道', optOuts.length ? optOuts.join('、') : '无');

    (d.offers || []).forEach(function (line) { $('offers').appendChild(el('li', null, line)); });

    snap.arrangements.slice().reverse().forEach(function (arr) {
      var row = el('tr', arr.status === 'pending_approval' ? 'pending' : '');
      row.dataset.kind = arr.kind;
      row.appendChild(el('td', null, KIND[arr.kind] || arr.kind));
      row.appendChild(el('td', null, STATUS[arr.status] || arr.status));
      row.appendChild(el('td', null, arrangementText(arr)));
      row.appendChild(el('td', null, C.dateTime(arr.created_at)));
      var cell = el('td');
      if (arr.status === 'pending_approval' && d.permissions.approve) {
        var button = el('button', 'approve', '审批通过');
        button.type = 'button';
        button.addEventListener('click', function () {
          C.api('POST', '/api/arrangements/' + arr.id + '/approve', {}).then(refresh).catch(fail('book-error'));
        });
        cell.appendChild(button);
      }
      row.appendChild(cell);
      $('arrangements').appendChild(row);
    });

    var s = snap.assessment;
    show('assessment', s ? ('还款意愿：' + (WILLINGNESS[s.willingness] || s.willingness) + '；还款能力：' + (ABILITY[s.ability] || s.ability) +
      (s.monthly_affordable ? '；每月可还 ' + yuan(s.monthly_affordable) : '') + (s.hardship_reason ? '；困难原因：' + s.hardship_reason : '')) : '暂无评估');

    snap.contact_log.slice(-20).reverse().forEach(function (c) {
      var li = el('li', c.direction === 'in' ? 'in' : 'out');
      li.appendChild(el('span', 'time', C.dateTime(c.created_at) + ' ' + (c.direction === 'in' ? '客户→' : '→客户') + ' ' + (CHANNEL[c.channel] || c.channel) + (c.status ? '（' + c.status + '）' : '') + '：'));
      li.appendChild(el('span', null, c.text));
      if (c.button) { li.appendChild(el('span', 'button-tag', '按钮')); }
      $('contacts').appendChild(li);
    });

    snap.escalations.slice().reverse().forEach(function (e) {
      $('escalations').appendChild(el('li', null, C.dateTime(e.created_at) + ' ' + (REASON[e.reason] || e.reason) + ' P' + e.priority + ' ' + (STATUS[e.status] || e.status)));
    });
  }

  function renderNotes(d) {
    var ul = $('notes');
    C.clear(ul);
    d.notes.forEach(function (n) {
      var li = el('li');
      li.appendChild(el('span', 'meta', n.display_name + ' ' + C.dateTime(n.created_at) + '：'));
      li.appendChild(el('span', null, n.text));
      ul.appendChild(li);
    });
    var res = $('resolutions');
    C.clear(res);
    d.resolutions.forEach(function (r) {
      res.appendChild(el('li', null, C.dateTime(r.created_at) + ' ' + r.display_name + '：' + r.outcome_label + (r.note ? '（' + r.note + '）' : '')));
    });
    var select = $('resolve-outcome');
    if (!select.options.length) {
      Object.keys(d.outcomes).forEach(function (key) {
        var option = el('option', null, d.outcomes[key]);
        option.value = key;
        select.appendChild(option);
      });
    }
  }

  var shownAsOf = 0;
  function render(d) {
    if (!d || d.error) { if (d && d.error) { show('reply-error', d.error); } return; }
    // An answer read before the one on screen (a live update that started
    // before a claim, arriving after it) would undo what the agent sees.
    if (d.as_of && d.as_of < shownAsOf) { return; }
    shownAsOf = d.as_of || shownAsOf;
    detail = d;
    CHANNEL = d.channel_labels || CHANNEL;
    renderTranscript(d.transcript);
    noticeNewMessages(d);
    renderStatus(d);
    renderAccount(d);
    renderNotes(d);
    renderEarlier(d.earlier || []);
  }

  // The same cardholder's other conversations, newest first, each a link.
  function renderEarlier(rows) {
    var ul = $('earlier');
    C.clear(ul);
    if (!rows.length) { ul.appendChild(el('li', 'muted', '无')); return; }
    rows.forEach(function (r) {
      var li = el('li', r.open ? 'open' : '');
      var a = el('a', null, C.dateTime(r.last_at) + ' · ' + r.channel_label);
      a.href = '/conversations/' + encodeURIComponent(r.conversation_id);
      li.appendChild(a);
      var what = r.messages + '条消息';
      if (r.reason_labels.length) { what += ' · 转人工：' + r.reason_labels.join('、'); }
      if (r.open) { what += ' · 处理中'; } else if (r.outcome_label) { what += ' · ' + r.outcome_label; }
      li.appendChild(el('span', 'small', ' ' + what));
      ul.appendChild(li);
    });
  }

  // ---- actions -----------------------------------------------------------
  function post(path, data, errorId) {
    show(errorId, '');
    return C.api('POST', base + path, data).then(function (result) {
      if (result && result.warning) { show(errorId, result.warning); }
      return refresh().then(function () { return result; });
    }).catch(function (e) { show(errorId, e.message); throw e; });
  }

  $('claim-btn').addEventListener('click', function () { post('/claim', {}, 'reply-error').catch(function () {}); });
  $('retake-btn').addEventListener('click', function () { post('/claim', {}, 'reply-error').catch(function () {}); });
  $('release-btn').addEventListener('click', function () { post('/release', {}, 'reply-error').catch(function () {}); });
  $('confirm-identity-btn').addEventListener('click', function () {
    if (!window.confirm('确认已按本行流程核实对方为持卡人本人？')) { return; }
    post('/confirm-identity', {}, 'reply-error').catch(function () {});
  });
  $('transfer-btn').addEventListener('click', function () {
    var to = $('transfer-to').value;
    if (!to) { return; }
    post('/transfer', { to: to }, 'reply-error').then(function (result) {
      show('claim-status', '已转交给 ' + result.to);
    }).catch(function () {});
  });

  PHRASES.forEach(function (text) {
    var b = el('button', 'phrase', text);
    b.type = 'button';
    b.addEventListener('click', function () { $('reply-text').value = text; $('reply-text').focus(); });
    $('phrases').appendChild(b);
  });

  // ---- "/" canned replies: typed at the start of an empty box, chosen with
  // the arrow keys and Enter (or a click); the chosen text fills the box.
  var canned = [];
  var menuItems = [];
  var menuIndex = 0;
  if (C.role !== 'trainer') {
    C.api('GET', '/api/canned-replies').then(function (data) { canned = data.items || []; }).catch(function () {});
  }
  function menuOpen() { return !$('canned-menu').hidden; }
  function closeMenu() { $('canned-menu').hidden = true; menuItems = []; }
  function renderMenu() {
    var menu = $('canned-menu');
    C.clear(menu);
    menuItems.forEach(function (item, i) {
      var li = el('li', 'canned' + (i === menuIndex ? ' selected' : ''));
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', i === menuIndex ? 'true' : 'false');
      li.dataset.key = item.key;
      li.appendChild(el('strong', null, item.title));
      li.appendChild(el('span', null, ' ' + item.text));
      li.addEventListener('mousedown', function (event) { event.preventDefault(); pick(i); });
      menu.appendChild(li);
    });
    if (!menuItems.length) { menu.appendChild(el('li', 'canned empty', '没有匹配的常用回复')); }
    menu.hidden = false;
  }
  function syncMenu() {
    var value = $('reply-text').value;
    if (value.charAt(0) !== '/' || value.indexOf('\n') >= 0 || !canned.length) { closeMenu(); return; }
    var query = value.slice(1).trim();
    menuItems = canned.filter(function (c) {
      return !query || c.title.indexOf(query) >= 0 || c.text.indexOf(query) >= 0 || c.key.indexOf(query) === 0;
    });
    menuIndex = Math.min(menuIndex, Math.max(0, menuItems.length - 1));
    renderMenu();
  }
  function pick(i) {
    var item = menuItems[i];
    closeMenu();
    if (!item) { return; }
    $('reply-text').value = item.text;
    $('reply-text').focus();
  }

  // The web chat cardholder sees the agent typing: said at most every 3 s
  // while the agent types, and "stopped" when the box empties or is sent.
  var typingSentAt = 0;
  function typingSignal(on) {
    if (!detail || !detail.mine || (detail.state && detail.state.channel !== 'webchat')) { return; }
    var now = Date.now();
    if (on && now - typingSentAt < 3000) { return; }
    typingSentAt = on ? now : 0;
    C.api('POST', base + '/typing', { typing: on }).catch(function () {});
  }

  // A compliance refusal is about the text as it was: editing it clears the refusal.
  $('reply-text').addEventListener('input', function () {
    show('reply-error', ''); seen(); menuIndex = 0; syncMenu();
    var value = $('reply-text').value;
    if (value.trim() && value.charAt(0) !== '/') { typingSignal(true); } else if (typingSentAt) { typingSignal(false); }
  });
  // Back in the box (after a click elsewhere): the list comes back where it
  // was if the text still starts with "/".
  $('reply-text').addEventListener('focus', function () { seen(); syncMenu(); });
  $('reply-text').addEventListener('blur', closeMenu);
  $('new-message').addEventListener('click', seen);
  document.addEventListener('visibilitychange', function () { if (!document.hidden) { seen(); } });
  // Enter sends, Shift+Enter is a new line (not while an input method is composing).
  $('reply-text').addEventListener('keydown', function (event) {
    if (menuOpen() && !event.isComposing && event.keyCode !== 229) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        if (menuItems.length) {
          menuIndex = (menuIndex + (event.key === 'ArrowDown' ? 1 : menuItems.length - 1)) % menuItems.length;
          renderMenu();
        }
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') { event.preventDefault(); pick(menuIndex); return; }
      if (event.key === 'Escape') { event.preventDefault(); closeMenu(); return; }
    }
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) { return; }
    event.preventDefault();
    if (!$('reply-send').disabled) { $('reply-form').requestSubmit($('reply-send')); }
  });

  $('reply-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var text = $('reply-text').value.trim();
    if (!text) { return; }
    $('reply-send').disabled = true;
    typingSentAt = 0;
    post('/reply', { text: text }, 'reply-error').then(function () { $('reply-text').value = ''; })
      .catch(function () {}).then(function () { $('reply-send').disabled = false; });
  });

  function syncKind() {
    var kind = $('book-kind').value;
    Array.prototype.forEach.call(document.querySelectorAll('#book-form [data-kind]'), function (label) {
      label.hidden = label.dataset.kind.split(' ').indexOf(kind) < 0;
    });
  }
  $('book-kind').addEventListener('change', syncKind);
  syncKind();

  $('book-form').addEventListener('submit', function (event) {
    event.preventDefault();
    show('book-result', '');
    var kind = $('book-kind').value;
    var data = { kind: kind, days: $('book-days').value, amount: $('book-amount').value, pay_date: $('book-date').value, months: $('book-months').value };
    post('/book', data, 'book-error').then(function (result) {
      var onCall = detail && detail.state.channel === 'voice';
      show('book-result', result.created ? (onCall ? '已办理成功。请在电话中向客户确认办理结果。' : '已办理成功。建议回复已填入回复框，确认后发送给客户。') : '该安排此前已办理，未重复登记。');
      if (result.suggested_reply) { $('reply-text').value = result.suggested_reply; }
    }).catch(function () {});
  });

  $('note-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var text = $('note-text').value.trim();
    if (!text) { return; }
    post('/notes', { text: text }, 'note-error').then(function () { $('note-text').value = ''; }).catch(function () {});
  });

  $('hand-back-btn').addEventListener('click', function () {
    show('finish-result', '');
    post('/hand-back', {}, 'finish-error').then(function () { show('finish-result', '已交还智能助手，客户将收到恢复服务的提示。'); }).catch(function () {});
  });

  $('resolve-form').addEventListener('submit', function (event) {
    event.preventDefault();
    show('finish-result', '');
    post('/resolve', { outcome: $('resolve-outcome').value, note: $('resolve-note').value }, 'finish-error')
      .then(function () { show('finish-result', '已结案。'); }).catch(function () {});
  });

  refresh();
  var source = C.live(base + '/stream', render);
  // 对方正在输入…: the web chat cardholder typed within the last seconds
  // (the server says when it starts and when it stops; a lost stream hides it).
  source.addEventListener('typing', function (event) {
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    $('cardholder-typing').hidden = !(data && data.cardholder_typing === true);
  });
  source.addEventListener('error', function () { $('cardholder-typing').hidden = true; });
}());
