/* The queue of open hand-overs, live (server-sent events), SLA timers ticking. */
(function () {
  'use strict';
  var C = window.Console;
  var body = document.getElementById('queue-body');
  var backSection = document.getElementById('handed-back');
  var backBody = document.getElementById('handed-back-body');
  var empty = document.getElementById('queue-empty');
  var items = [];
  var receivedAt = Date.now();
  var PRIORITY = ['P0 危机', 'P1 高', 'P2 中', 'P3 低'];
  var baseTitle = document.title;
  var stream = null;
  // Views: 我的 / 未分配 / 全部, remembered for this tab (agents default to 全部).
  var view = (window.sessionStorage && sessionStorage.getItem('queue-view')) || 'all';
  // The newest cardholder message the agent has seen per conversation.
  var seenKey = 'queue-seen-messages';
  var seenIds = {};
  try { seenIds = JSON.parse(sessionStorage.getItem(seenKey) || '{}') || {}; } catch (e) { seenIds = {}; }
  var firstLoad = true;
  // Items this tab has already announced (desktop notification, sound).
  var announcedKey = 'queue-announced';
  var announced = {};
  try { announced = JSON.parse(sessionStorage.getItem(announcedKey) || '{}') || {}; } catch (e) { announced = {}; }
  var notifyButton = document.getElementById('notify-btn');

  function notificationsAsked() {
    return !('Notification' in window) || window.Notification.permission !== 'default';
  }
  function syncNotifyButton() { if (notifyButton) { notifyButton.hidden = notificationsAsked(); } }
  if (notifyButton) {
    notifyButton.addEventListener('click', function () {
      var asked = window.Notification.requestPermission();
      if (asked && asked.then) { asked.then(syncNotifyButton); } else { syncNotifyButton(); }
    });
  }
  syncNotifyButton();

  // A short two-tone alarm, made here (no sound file to fetch); browsers
  // that block audio before a click simply stay silent.
  function alarm() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) { return; }
      var ctx = new Ctx();
      [0, 0.25, 0.5].forEach(function (at, i) {
        var osc = ctx.createOscillator();
        var gain = ctx.createGain();
        osc.frequency.value = i % 2 ? 660 : 880;
        gain.gain.value = 0.2;
        osc.connect(gain);
        gain.connect(ctx.destination);
        osc.start(ctx.currentTime + at);
        osc.stop(ctx.currentTime + at + 0.2);
      });
    } catch (e) { /* no audio here */ }
  }

  // A new waiting item: a desktop notification (no cardholder details on
  // the screen), and for a crisis also the alarm, and it stays until seen.
  function announce(list) {
    list.forEach(function (item) {
      var key = item.conversation_id + ':' + (item.crisis ? 'crisis' : 'open');
      if (announced[key]) { return; }
      announced[key] = Date.now();
      if (firstLoad || item.claim) { return; }  // on screen already, or someone has it
      if (item.crisis) { alarm(); }
      if ('Notification' in window && window.Notification.permission === 'granted') {
        try {
          var n = new window.Notification(item.crisis ? '危机转接（P0）：请立即处理' : '新的人工转接', {
            body: item.reason_labels.join('、') + ' · ' + item.channel_label,
            tag: 'queue-' + key,
            requireInteraction: !!item.crisis
          });
          n.onclick = function () { window.focus(); window.location.href = '/conversations/' + encodeURIComponent(item.ref || item.conversation_id); };
        } catch (e) { /* a browser without page notifications */ }
      }
    });
    try { sessionStorage.setItem(announcedKey, JSON.stringify(announced)); } catch (e) { /* private mode */ }
  }

  function newMessage(item) {
    return item.mine && item.last_cardholder_message_id && seenIds[item.conversation_id] !== undefined &&
      item.last_cardholder_message_id > seenIds[item.conversation_id];
  }

  function markSeen(item) {
    if (item.last_cardholder_message_id) { seenIds[item.conversation_id] = item.last_cardholder_message_id; }
    try { sessionStorage.setItem(seenKey, JSON.stringify(seenIds)); } catch (e) { /* private mode */ }
  }

  function timerText(item) {
    var elapsed = (Date.now() - receivedAt) / 1000;
    var waiting = item.waiting_seconds + elapsed;
    var left = item.sla_seconds_left - elapsed;
    // Each row's own deadline: after hours ordinary rows are due when the
    // desk opens, a crisis counts from the cardholder's message.
    var due = '时限 ' + C.dateTime(item.sla_deadline).slice(5) + (item.sla_from === 'message' ? '（自消息起）' : '');
    return { text: '已等待 ' + C.duration(waiting) + ' · ' + due + ' · ' + (left >= 0 ? '剩余 ' + C.duration(left) : '已超时 ' + C.duration(-left)), late: left < 0 };
  }

  function openLink(item) {
    var open = C.el('td');
    var link = C.el('a', 'button', '打开');
    // Trainers get a reference instead of the (masked) conversation id.
    link.href = '/conversations/' + encodeURIComponent(item.ref || item.conversation_id);
    link.addEventListener('click', function () { markSeen(item); });
    open.appendChild(link);
    return open;
  }

  function renderHandedBack(rows) {
    C.clear(backBody);
    backSection.hidden = !rows.length;
    rows.forEach(function (item) {
      var row = C.el('tr', 'item handed-back' + (item.mine ? ' mine' : ''));
      row.dataset.conversationId = item.conversation_id;
      row.appendChild(C.el('td', 'reasons', item.reason_labels.join('、')));
      row.appendChild(C.el('td', 'summary', item.summary));
      row.appendChild(C.el('td', null, item.channel_label));
      row.appendChild(C.el('td', 'mono', item.account_id || '未关联'));
      row.appendChild(C.el('td', null, item.claim ? item.claim.display_name : ''));
      row.appendChild(openLink(item));
      backBody.appendChild(row);
    });
  }

  function render() {
    C.clear(body);
    empty.hidden = items.length > 0;
    items.forEach(function (item) {
      var fresh = newMessage(item);
      var row = C.el('tr', 'item' + (item.crisis ? ' crisis' : '') + (item.mine ? ' mine' : '') + (fresh ? ' new-message' : ''));
      if (item.crisis) { row.title = '危机转接：请立即处理'; }
      row.dataset.conversationId = item.conversation_id;
      var p = C.el('td', 'priority');
      p.appendChild(C.el('span', 'badge p' + item.priority, PRIORITY[item.priority] || ('P' + item.priority)));
      row.appendChild(p);
      var reasons = C.el('td', 'reasons');
      item.reason_labels.forEach(function (label, i) {
        reasons.appendChild(C.el('span', 'badge' + (item.reasons[i] === 'crisis' ? ' crisis' : ''), label));
      });
      row.appendChild(reasons);
      row.appendChild(C.el('td', 'summary', item.summary));
      row.appendChild(C.el('td', null, item.channel_label));
      row.appendChild(C.el('td', 'mono', item.account_id || '未关联'));
      var t = timerText(item);
      var timer = C.el('td', 'timer' + (t.late ? ' late' : ''), t.text);
      timer.dataset.index = String(items.indexOf(item));
      row.appendChild(timer);
      var status = C.el('td', 'status', item.claim ? '处理中：' + item.claim.display_name : '待领取');
      if (fresh) { status.appendChild(C.el('span', 'badge new', '新消息')); }
      if (item.oncall_page) {
        status.appendChild(C.el('span', 'badge paged', '已短信呼叫值班主管 ' + C.dateTime(item.oncall_page.at).slice(11)));
      }
      row.appendChild(status);
      row.appendChild(openLink(item));
      body.appendChild(row);
    });
  }

  function tick() {
    Array.prototype.forEach.call(body.querySelectorAll('td.timer'), function (cell) {
      var item = items[Number(cell.dataset.index)];
      if (!item) { return; }
      var t = timerText(item);
      cell.textContent = t.text;
      cell.classList.toggle('late', t.late);
    });
  }

  function update(data) {
    if (!data || !Array.isArray(data.items) || (data.view && data.view !== view)) { return; }
    items = data.items;
    receivedAt = Date.now();
    var warning = document.getElementById('oncall-warning');
    if (warning) { warning.hidden = !data.oncall_warning; warning.textContent = data.oncall_warning || ''; }
    announce(Array.isArray(data.alerts) ? data.alerts : items);
    // What is on screen when the page opens counts as seen; later messages
    // in the agent's own chats are new (a badge on the row and in the title).
    items.forEach(function (item) {
      if (item.mine && seenIds[item.conversation_id] === undefined) {
        seenIds[item.conversation_id] = firstLoad ? (item.last_cardholder_message_id || 0) : 0;
      }
    });
    firstLoad = false;
    var fresh = items.filter(newMessage).length;
    document.title = (fresh ? '(' + fresh + ') ' : '') + baseTitle;
    render();
    renderHandedBack(data.handed_back || []);
    var counts = data.counts || {};
    ['mine', 'unassigned', 'all'].forEach(function (v) {
      document.getElementById('count-' + v).textContent = counts[v] === undefined ? '' : '（' + counts[v] + '）';
    });
  }

  function choose(next) {
    view = next;
    try { sessionStorage.setItem('queue-view', view); } catch (e) { /* private mode */ }
    Array.prototype.forEach.call(document.querySelectorAll('#views button'), function (b) {
      var active = b.dataset.view === view;
      b.classList.toggle('active', active);
      b.setAttribute('aria-selected', active ? 'true' : 'false');
    });
    empty.textContent = { mine: '您目前没有处理中的会话。', unassigned: '目前没有待领取的会话。', all: '目前没有待处理的会话。' }[view];
    if (stream) { stream.close(); }
    C.api('GET', '/api/queue?view=' + view).then(update).catch(function () {});
    stream = C.live('/api/queue/stream?view=' + view, update);
  }

  Array.prototype.forEach.call(document.querySelectorAll('#views button'), function (b) {
    b.addEventListener('click', function () { choose(b.dataset.view); });
  });

  // The agent's own status: 在线 agents are given new hand-overs automatically.
  var statusSelect = document.getElementById('my-status');
  if (statusSelect && C.role !== 'trainer') {
    var statusHint = document.getElementById('my-status-hint');
    C.api('GET', '/api/me/status').then(function (data) { statusSelect.value = data.status; }).catch(function () {});
    statusSelect.addEventListener('change', function () {
      C.api('POST', '/api/me/status', { status: statusSelect.value }).then(function (data) {
        statusHint.textContent = '已切换为' + data.label;
      }).catch(function (e) { statusHint.textContent = e.message; });
    });
  }

  // Search: phone (whole, last digits, masked), account, the cardholder's words.
  var searchForm = document.getElementById('search-form');
  if (searchForm) {
    searchForm.addEventListener('submit', function (event) {
      event.preventDefault();
      var q = document.getElementById('search-q').value.trim();
      var table = document.getElementById('search-results');
      var hint = document.getElementById('search-hint');
      var tbody = document.getElementById('search-body');
      if (q.length < 2) { table.hidden = true; hint.textContent = '请至少输入2个字符'; return; }
      C.api('GET', '/api/search?q=' + encodeURIComponent(q)).then(function (data) {
        C.clear(tbody);
        var rows = data.items || [];
        hint.textContent = rows.length ? '找到 ' + rows.length + ' 个会话' : '没有找到匹配的会话';
        table.hidden = !rows.length;
        rows.forEach(function (r) {
          var tr = C.el('tr', 'item' + (r.open ? ' open' : ''));
          tr.appendChild(C.el('td', 'mono', r.label + (r.open ? '（处理中）' : '')));
          tr.appendChild(C.el('td', 'mono', r.account_id || '未关联'));
          tr.appendChild(C.el('td', null, r.channel_label));
          tr.appendChild(C.el('td', null, C.dateTime(r.last_at)));
          tr.appendChild(C.el('td', 'summary', r.snippet || ''));
          var open = C.el('td');
          var link = C.el('a', 'button', '打开');
          link.href = '/conversations/' + encodeURIComponent(r.conversation_id);
          open.appendChild(link);
          tr.appendChild(open);
          tbody.appendChild(tr);
        });
      }).catch(function (e) { hint.textContent = e.message; });
    });
  }
  choose(['mine', 'unassigned', 'all'].indexOf(view) >= 0 ? view : 'all');
  window.setInterval(tick, 1000);
}());
