/* Supervisors' approvals (console/approvals.py): personalised hardship plans
 * and the campaign's final notices held for approval. Both lists work the
 * same way, so one function draws either: every decision is confirmed
 * first, a rejection needs a reason. Text from the server goes in with
 * textContent. */
(function () {
  'use strict';
  var C = window.Console;

  function yuan(value) {
    if (value === null || value === undefined || value === '') { return '—'; }
    return Number(value).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + '元';
  }

  /* One approvals list: the elements `<prefix>-body`, `-empty`, `-status`;
   * `spec` says what a row shows and what approving or rejecting asks,
   * posts and reports. */
  function approvalList(prefix, spec) {
    var tbody = document.getElementById(prefix + '-body');
    var empty = document.getElementById(prefix + '-empty');
    var status = document.getElementById(prefix + '-status');
    if (!tbody) { return; }

    function fail(error) { status.textContent = error.message; }

    function decide(item, buttons, question, path, body, done) {
      if (!window.confirm(question)) { return; }
      buttons.forEach(function (b) { b.disabled = true; });
      C.api('POST', path, body)
        .then(function (answer) { status.textContent = done(item, answer); load(); })
        .catch(function (error) { buttons.forEach(function (b) { b.disabled = false; }); fail(error); });
    }

    function row(item) {
      var tr = C.el('tr');
      spec.mark(tr, item);
      spec.cells(item).forEach(function (cell) { tr.appendChild(C.el('td', cell[0], cell[1])); });
      var actions = C.el('td', 'actions');
      var approve = C.el('button', 'approve', spec.approveLabel);
      var reason = C.el('input', 'reason');
      reason.placeholder = spec.reasonPlaceholder;
      reason.maxLength = 500;
      var reject = C.el('button', 'reject', '驳回');
      var buttons = [approve, reject];
      approve.addEventListener('click', function () {
        var a = spec.approve;
        decide(item, buttons, a.confirm(item), a.path(item), a.body(item), a.done);
      });
      reject.addEventListener('click', function () {
        var r = spec.reject;
        var why = reason.value.trim();
        if (!why) { status.textContent = r.missingReason; reason.focus(); return; }
        decide(item, buttons, r.confirm(item, why), r.path(item), r.body(item, why), r.done);
      });
      actions.appendChild(approve);
      actions.appendChild(reason);
      actions.appendChild(reject);
      tr.appendChild(actions);
      return tr;
    }

    function load() {
      C.api('GET', spec.url).then(function (data) {
        C.clear(tbody);
        data.items.forEach(function (item) { tbody.appendChild(row(item)); });
        empty.hidden = data.items.length > 0;
      }).catch(fail);
    }

    load();
  }

  function planText(p) {
    var text = '分' + p.months + '期，每期' + yuan(p.monthly_payment);
    if (p.last_payment && p.last_payment !== p.monthly_payment) { text += '（末期' + yuan(p.last_payment) + '）'; }
    text += '，手续费' + yuan(p.total_fee) + '，合计' + yuan(p.total_repayment);
    return text;
  }

  /* The plan's outcome is sent to the cardholder; say whether it reached them. */
  function planOutcome(verb) {
    return function (p, answer) {
      var text = '已' + verb + '方案 #' + answer.id + '。';
      text += answer.delivered ? '结果已发送给客户。' : '结果未能发送给客户。';
      if (answer.handed_back) { text += '会话已交还智能助手。'; }
      if (answer.warning) { text += answer.warning; }
      return text;
    };
  }

  approvalList('approvals', {
    url: '/api/approvals',
    mark: function (tr, p) { tr.dataset.id = p.id; },
    cells: function (p) {
      return [
        [null, C.dateTime(p.created_at)],
        [null, p.cardholder || ''],
        ['mono', p.account_id],
        [null, yuan(p.balance)],
        [null, yuan(p.monthly_budget)],
        [null, planText(p)],
        [null, p.within_policy === false ? '否（特批）' : '是'],
      ];
    },
    approveLabel: '批准',
    reasonPlaceholder: '驳回原因（会告知客户）',
    approve: {
      confirm: function (p) { return '确认批准该方案？\n' + planText(p) + '\n结果将发送给客户。'; },
      path: function (p) { return '/api/arrangements/' + p.id + '/approve'; },
      body: function () { return {}; },
      done: planOutcome('批准'),
    },
    reject: {
      missingReason: '驳回时请填写原因，该原因会告知客户。',
      confirm: function (p, why) { return '确认驳回该方案？\n原因：' + why + '\n结果将发送给客户。'; },
      path: function (p) { return '/api/arrangements/' + p.id + '/reject'; },
      body: function (p, why) { return { reason: why }; },
      done: planOutcome('驳回'),
    },
  });

  /* Final notices: approved ones are sent by the next campaign run; a
   * rejection's reason is kept internally. */
  approvalList('notices', {
    url: '/api/approvals/final-notices',
    mark: function (tr, n) { tr.dataset.accountId = n.account_id; },
    cells: function (n) {
      return [
        [null, C.dateTime(n.since)],
        [null, n.cardholder || ''],
        ['mono', n.account_id],
        [null, n.cycle],
        [null, n.days_past_due === null ? '—' : n.days_past_due + '天（' + (n.stage || '') + '）'],
        [null, yuan(n.balance)],
        [null, n.open_dispute ? '是' : '否'],
      ];
    },
    approveLabel: '批准发送',
    reasonPlaceholder: '驳回原因（内部记录）',
    approve: {
      confirm: function (n) { return '确认批准向账户 ' + n.account_id + ' 发送正式通知？\n下一次外呼运行时发送。'; },
      path: function () { return '/api/final-notices/approve'; },
      body: function (n) { return { account_id: n.account_id }; },
      done: function (n) { return '已批准账户 ' + n.account_id + ' 的正式通知，下一次外呼运行时发送。'; },
    },
    reject: {
      missingReason: '驳回时请填写原因。',
      confirm: function (n, why) {
        return '确认驳回账户 ' + n.account_id + ' 的正式通知？\n原因：' + why + '\n本期不再发送正式通知。';
      },
      path: function () { return '/api/final-notices/reject'; },
      body: function (n, why) { return { account_id: n.account_id, reason: why }; },
      done: function (n) { return '已驳回账户 ' + n.account_id + ' 的正式通知。'; },
    },
  });
}());
