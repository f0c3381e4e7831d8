/* Export, candidate training with live progress (polling), side-by-side
 * evaluation, activation by a supervisor and one step back. */
(function () {
  'use strict';
  var C = window.Console;
  var W = window.Workbench;
  var selected = null;
  var timer = null;

  function showExport(r, written) {
    var box = document.getElementById('export-report');
    C.clear(box);
    document.getElementById('export-file').textContent = r.file;
    var summary = (written ? '已导出到 ' + r.file + '：' : '预览：') + '共 ' + r.annotations + ' 条标注，导出 ' + r.exported +
      ' 条；与现有样本重复 ' + r.duplicates.length + ' 条；冲突 ' + r.conflicts.length + ' 条；属于留出测试集 ' + r.held_out.length + ' 条。';
    box.appendChild(C.el('p', written ? 'ok' : 'hint', summary));
    if (r.conflicts.length) {
      var ul = C.el('ul', 'conflicts');
      r.conflicts.forEach(function (c) {
        ul.appendChild(C.el('li', null, '标签冲突：“' + c.text + '” → ' + c.intents.join(' / ') + (c.source === 'training_data' ? '（与现有训练数据冲突）' : '（标注之间冲突）')));
      });
      box.appendChild(ul);
    }
    if (r.held_out.length) {
      var ul2 = C.el('ul');
      r.held_out.forEach(function (h) { ul2.appendChild(C.el('li', null, '未导出（在留出测试集中）：“' + h.text + '”')); });
      box.appendChild(ul2);
    }
    var pre = document.getElementById('export-yaml');
    pre.hidden = false;
    pre.textContent = r.content;
  }

  function pair(summary, key) {
    if (!summary) { return '—'; }
    var s = summary[key];
    var d = s.delta;
    return W.num(s.current) + ' → ' + W.num(s.candidate) + ' (' + (d >= 0 ? '+' : '') + d.toFixed(3) + ')';
  }

  /* The run's progress bar (a <progress> element: no inline style under the CSP). */
  function bar(run) {
    var p = C.el('progress', 'run-progress' + (run.status === 'failed' ? ' failed' : ''));
    p.max = 100;
    p.value = run.percent || 0;
    p.setAttribute('aria-label', '训练进度 ' + (run.percent || 0) + '%');
    p.title = (run.percent || 0) + '%';
    var wrap = C.el('span', 'run-bar');
    wrap.appendChild(p);
    wrap.appendChild(C.el('span', 'pct', ' ' + (run.percent || 0) + '% '));
    return wrap;
  }

  function renderRuns(data) {
    var body = document.getElementById('runs-body');
    C.clear(body);
    document.getElementById('current-model').textContent = data.models.current || '（无）';
    document.getElementById('rollback-btn').hidden = !(data.models.can_roll_back && C.role === 'supervisor');
    var busy = false;
    data.runs.forEach(function (run) {
      if (['queued', 'training', 'evaluating'].indexOf(run.status) >= 0) { busy = true; }
      var row = C.el('tr', 'run' + (run.id === selected ? ' mine' : ''));
      row.dataset.runId = String(run.id);
      row.appendChild(C.el('td', null, '#' + run.id));
      row.appendChild(C.el('td', 'status', run.status_label + (run.not_worse === false ? '（比当前差）' : '')));
      var cellProgress = C.el('td', 'progress');
      cellProgress.appendChild(bar(run));
      cellProgress.appendChild(C.el('span', null, run.error ? run.progress + '：' + run.error.slice(0, 200) : run.progress));
      row.appendChild(cellProgress);
      row.appendChild(C.el('td', null, run.user || ''));
      row.appendChild(C.el('td', null, C.dateTime(run.created_at)));
      row.appendChild(C.el('td', null, pair(run.summary, 'intent_macro_f1')));
      row.appendChild(C.el('td', null, pair(run.summary, 'entity_f1')));
      var cell = C.el('td');
      var b = C.el('button', 'secondary', '查看报告');
      b.type = 'button';
      b.addEventListener('click', function () { selected = run.id; loadRun(); });
      cell.appendChild(b);
      row.appendChild(cell);
      body.appendChild(row);
    });
    document.getElementById('train-btn').disabled = busy;
    clearTimeout(timer);
    if (busy) { timer = setTimeout(refresh, 2000); }
  }

  function refresh() {
    return C.api('GET', '/api/workbench/runs').then(function (data) {
      renderRuns(data);
      if (selected) { loadRun(); }
    }).catch(function (err) { document.getElementById('train-error').textContent = err.message; });
  }

  function loadRun() {
    C.api('GET', '/api/workbench/runs/' + selected).then(function (run) {
      var section = document.getElementById('report');
      section.hidden = false;
      document.getElementById('report-id').textContent = String(run.id);
      document.getElementById('log-tail').textContent = run.log_tail || '';
      var summary = document.getElementById('report-summary');
      C.clear(summary);
      var worse = document.getElementById('worse-body');
      var intents = document.getElementById('intent-body');
      C.clear(worse);
      C.clear(intents);
      var activate = document.getElementById('activate-btn');
      activate.hidden = true;
      if (!run.report) {
        var line = C.el('p', 'hint');
        line.appendChild(bar(run));
        // The worker's progress usually names the phase already ("训练中：…").
        line.appendChild(document.createTextNode(run.progress.indexOf(run.status_label) === 0 ? run.progress : run.status_label + '：' + run.progress));
        summary.appendChild(line);
        return;
      }
      var cmp = run.report.comparison;
      summary.appendChild(C.el('p', null, '意图宏平均F1：' + pair(cmp, 'intent_macro_f1') + '；实体F1：' + pair(cmp, 'entity_f1') +
        '；准确率：' + W.pct(cmp.accuracy.current) + ' → ' + W.pct(cmp.accuracy.candidate)));
      summary.appendChild(C.el('p', cmp.not_worse ? 'ok' : 'error', cmp.not_worse ? '候选模型不比当前模型差，可以上线。' : '候选模型比当前模型差，不能上线：' + cmp.worse_reasons.join('；')));
      activate.hidden = !(cmp.not_worse && C.role === 'supervisor');
      if (!cmp.worse_confusions.length) {
        var tr = C.el('tr');
        tr.appendChild(C.el('td', 'hint', '没有变差的混淆对'));
        worse.appendChild(tr);
      }
      cmp.worse_confusions.forEach(function (c) {
        var tr = C.el('tr');
        [c.expected, c.predicted, String(c.current), String(c.candidate)].forEach(function (v) { tr.appendChild(C.el('td', null, v)); });
        worse.appendChild(tr);
      });
      cmp.per_intent.forEach(function (r) {
        var tr = C.el('tr', Math.abs(r.delta_f1) > 1e-9 ? 'changed' : '');
        tr.dataset.intent = r.intent;
        tr.appendChild(C.el('td', null, r.intent));
        tr.appendChild(C.el('td', null, String(r.support)));
        tr.appendChild(C.el('td', null, [r.current.precision, r.current.recall, r.current.f1].map(W.num).join(' / ')));
        tr.appendChild(C.el('td', null, [r.candidate.precision, r.candidate.recall, r.candidate.f1].map(W.num).join(' / ')));
        tr.appendChild(C.el('td', r.delta_f1 < 0 ? 'error' : (r.delta_f1 > 0 ? 'ok' : ''), (r.delta_f1 >= 0 ? '+' : '') + r.delta_f1.toFixed(3)));
        intents.appendChild(tr);
      });
    }).catch(function (err) { document.getElementById('train-error').textContent = err.message; });
  }

  document.getElementById('export-btn').addEventListener('click', function () {
    C.api('POST', '/api/workbench/export').then(function (r) { showExport(r, true); })
      .catch(function (err) { document.getElementById('export-report').textContent = err.message; });
  });
  document.getElementById('preview-btn').addEventListener('click', function () {
    C.api('GET', '/api/workbench/export').then(function (r) { showExport(r, false); })
      .catch(function (err) { document.getElementById('export-report').textContent = err.message; });
  });
  document.getElementById('train-btn').addEventListener('click', function () {
    document.getElementById('train-error').textContent = '';
    C.api('POST', '/api/workbench/runs').then(function (run) { selected = run.id; refresh(); })
      .catch(function (err) { document.getElementById('train-error').textContent = err.message; });
  });
  document.getElementById('activate-btn').addEventListener('click', function () {
    document.getElementById('activate-error').textContent = '';
    C.api('POST', '/api/workbench/runs/' + selected + '/activate').then(refresh)
      .catch(function (err) { document.getElementById('activate-error').textContent = err.message; });
  });
  document.getElementById('rollback-btn').addEventListener('click', function () {
    C.api('POST', '/api/workbench/models/rollback').then(refresh)
      .catch(function (err) { document.getElementById('train-error').textContent = err.message; });
  });

  W.meta().then(refresh);
}());
