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
      var row = C.el('tr', 'item' + (item.crisis ? ' crisis' : '') + (item.mine ? ' mine' : ''));
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
      var status = item.claim ? '处理中：' + item.claim.display_name : '待领取';
      row.appendChild(C.el('td', 'status', status));
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
    if (!data || !Array.isArray(data.items)) { return; }
    items = data.items;
    receivedAt = Date.now();
    render();
    renderHandedBack(data.handed_back || []);
  }

  C.api('GET', '/api/queue').then(update).catch(function () {});
  C.live('/api/queue/stream', update);
  window.setInterval(tick, 1000);
}());
