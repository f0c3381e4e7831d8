/* Supervisors' approvals of personalised plans (console/approvals.py).
 * Every decision is confirmed first; a rejection needs a reason, which the
 * cardholder is told. Text from the server goes in with textContent. */
(function () {
  'use strict';
  var C = window.Console;
  var tbody = document.getElementById('approvals-body');
  var empty = document.getElementById('approvals-empty');
  var status = document.getElementById('approvals-status');

  function yuan(value) {
    if (value === null || value === undefined || value === '') { return '—'; }
    var n = Number(value);
    return n.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + '元';
  }

  function planText(p) {
    var text = '分' + p.months + '期，每期' + yuan(p.monthly_payment);
    if (p.last_payment && p.last_payment !== p.monthly_payment) { text += '（末期' + yuan(p.last_payment) + '）'; }
    text += '，手续费' + yuan(p.total_fee) + '，合计' + yuan(p.total_repayment);
    return text;
  }

  function outcome(answer, verb) {
    var text = '已' + verb + '方案 #' + answer.id + '。';
    text += answer.delivered ? '结果已发送给客户。' : '结果未能发送给客户。';
    if (answer.handed_back) { text += '会话已交还智能助手。'; }
    if (answer.warning) { text += answer.warning; }
    status.textContent = text;
  }

  function fail(error) { status.textContent = error.message; }

  function row(p) {
    var tr = C.el('tr');
    tr.dataset.id = p.id;
    tr.appendChild(C.el('td', null, C.dateTime(p.created_at)));
    tr.appendChild(C.el('td', null, p.cardholder || ''));
    tr.appendChild(C.el('td', 'mono', p.account_id));
    tr.appendChild(C.el('td', null, yuan(p.balance)));
    tr.appendChild(C.el('td', null, yuan(p.monthly_budget)));
    tr.appendChild(C.el('td', null, planText(p)));
    tr.appendChild(C.el('td', null, p.within_policy === false ? '否（特批）' : '是'));
    var actions = C.el('td', 'actions');
    var approve = C.el('button', 'approve', '批准');
    var reason = C.el('input', 'reason');
    reason.placeholder = '驳回原因（会告知客户）';
    reason.maxLength = 500;
    var reject = C.el('button', 'reject', '驳回');
    approve.addEventListener('click', function () {
      if (!window.confirm('确认批准该方案？\n' + planText(p) + '\n结果将发送给客户。')) { return; }
      approve.disabled = reject.disabled = true;
      C.api('POST', '/api/arrangements/' + p.id + '/approve', {})
        .then(function (answer) { outcome(answer, '批准'); load(); })
        .catch(function (error) { approve.disabled = reject.disabled = false; fail(error); });
    });
    reject.addEventListener('click', function () {
      var why = reason.value.trim();
      if (!why) { status.textContent = '驳回时请填写原因，该原因会告知客户。'; reason.focus(); return; }
      if (!window.confirm('确认驳回该方案？\n原因：' + why + '\n结果将发送给客户。')) { return; }
      approve.disabled = reject.disabled = true;
      C.api('POST', '/api/arrangements/' + p.id + '/reject', { reason: why })
        .then(function (answer) { outcome(answer, '驳回'); load(); })
        .catch(function (error) { approve.disabled = reject.disabled = false; fail(error); });
    });
    actions.appendChild(approve);
    actions.appendChild(reason);
    actions.appendChild(reject);
    tr.appendChild(actions);
    return tr;
  }

  function load() {
    C.api('GET', '/api/approvals').then(function (data) {
      C.clear(tbody);
      data.items.forEach(function (p) { tbody.appendChild(row(p)); });
      empty.hidden = data.items.length > 0;
    }).catch(fail);
  }

  load();
}());

/* The campaign's final notices held for approval (console/approvals.py):
 * approve (sent by the next campaign run) or reject with a reason. */
(function () {
  'use strict';
  var C = window.Console;
  var tbody = document.getElementById('notices-body');
  var empty = document.getElementById('notices-empty');
  var status = document.getElementById('notices-status');
  if (!tbody) { return; }

  function yuan(value) {
    if (value === null || value === undefined || value === '') { return '—'; }
    return Number(value).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + '元';
  }

  function fail(error) { status.textContent = error.message; }

  function row(n) {
    var tr = C.el('tr');
    tr.dataset.accountId = n.account_id;
    tr.appendChild(C.el('td', null, C.dateTime(n.since)));
    tr.appendChild(C.el('td', null, n.cardholder || ''));
    tr.appendChild(C.el('td', 'mono', n.account_id));
    tr.appendChild(C.el('td', null, n.cycle));
    tr.appendChild(C.el('td', null, n.days_past_due === null ? '—' : n.days_past_due + '天（' + (n.stage || '') + '）'));
    tr.appendChild(C.el('td', null, yuan(n.balance)));
    tr.appendChild(C.el('td', null, n.open_dispute ? '是' : '否'));
    var actions = C.el('td', 'actions');
    var approve = C.el('button', 'approve', '批准发送');
    var reason = C.el('input', 'reason');
    reason.placeholder = '驳回原因（内部记录）';
    reason.maxLength = 500;
    var reject = C.el('button', 'reject', '驳回');
    approve.addEventListener('click', function () {
      if (!window.confirm('确认批准向账户 ' + n.account_id + ' 发送正式通知？\n下一次外呼运行时发送。')) { return; }
      approve.disabled = reject.disabled = true;
      C.api('POST', '/api/final-notices/approve', { account_id: n.account_id })
        .then(function () { status.textContent = '已批准账户 ' + n.account_id + ' 的正式通知，下一次外呼运行时发送。'; load(); })
        .catch(function (error) { approve.disabled = reject.disabled = false; fail(error); });
    });
    reject.addEventListener('click', function () {
      var why = reason.value.trim();
      if (!why) { status.textContent = '驳回时请填写原因。'; reason.focus(); return; }
      if (!window.confirm('确认驳回账户 ' + n.account_id + ' 的正式通知？\n原因：' + why + '\n本期不再发送正式通知。')) { return; }
      approve.disabled = reject.disabled = true;
      C.api('POST', '/api/final-notices/reject', { account_id: n.account_id, reason: why })
        .then(function () { status.textContent = '已驳回账户 ' + n.account_id + ' 的正式通知。'; load(); })
        .catch(function (error) { approve.disabled = reject.disabled = false; fail(error); });
    });
    actions.appendChild(approve);
    actions.appendChild(reason);
    actions.appendChild(reject);
    tr.appendChild(actions);
    return tr;
  }

  function load() {
    C.api('GET', '/api/approvals/final-notices').then(function (data) {
      C.clear(tbody);
      data.items.forEach(function (n) { tbody.appendChild(row(n)); });
      empty.hidden = data.items.length > 0;
    }).catch(fail);
  }

  load();
}());
