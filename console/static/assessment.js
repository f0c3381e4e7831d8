/* Willing and able (console/assessment_view.py): the account panel and the
 * supervisors' overview. Text from the server goes in with textContent. */
(function () {
  'use strict';
  var C = window.Console;
  var COLORS = { willing_able: '#1a7f37', willing_unable: '#0969da', unwilling_able: '#cf222e',
                 unwilling_unable: '#8250df', unknown: '#8c959f' };

  function pct(x) { return x === null || x === undefined ? '—' : Math.round(x * 100) + '%'; }

  function score(id, band, bandLabel, value) {
    var box = document.getElementById(id);
    var b = box.querySelector('.band');
    b.textContent = bandLabel;
    b.className = 'band band-' + band;
    box.querySelector('.value').textContent = value;
  }

  function panel(account) {
    var status = document.getElementById('assessment-status');
    document.getElementById('assessment-account').textContent = account;
    C.api('GET', '/api/accounts/' + encodeURIComponent(account) + '/assessment').then(function (a) {
      document.getElementById('assessment-account').textContent = a.account_id;
      score('score-willingness', a.willingness.band, a.willingness.band_label, '得分 ' + a.willingness.score.toFixed(2));
      score('score-ability', a.ability.band, a.ability.band_label, '得分 ' + a.ability.score.toFixed(2));
      score('score-segment', a.segment === 'unknown' ? 'unknown' : 'medium', a.segment_label,
            '下次承诺履约可能性 ' + pct(a.keep_probability) + '（' + (a.scorer === 'model' ? '模型' : '规则') + '）');
      document.getElementById('assessment-treatment').textContent =
        (a.treatment ? '建议处置：' + a.treatment + '。' : '') + (a.stored ? '评估日期：' + a.as_of : '尚未保存评估，以上为按当前证据的即时评估。');
      var reasons = document.getElementById('assessment-reasons');
      C.clear(reasons);
      if (!a.reasons.length) { reasons.appendChild(C.el('li', 'empty', '暂无证据')); }
      a.reasons.forEach(function (r) {
        reasons.appendChild(C.el('li', r.direction === '+' ? 'up' : 'down',
          '[' + (r.dimension === 'willingness' ? '意愿' : '能力') + '] ' + r.text));
      });
      document.getElementById('assessment-notice').textContent = a.not_a_decision;
      var signals = document.getElementById('assessment-signals');
      C.clear(signals);
      if (!a.signals.length) { signals.appendChild(C.el('li', 'empty', '无')); }
      a.signals.forEach(function (s) {
        var li = C.el('li', 'signal');
        li.dataset.code = s.code;
        li.appendChild(C.el('span', 'date', s.on));
        li.appendChild(C.el('span', 'label', s.label));
        li.appendChild(C.el('span', 'reason', s.reason));
        signals.appendChild(li);
      });
      var history = document.getElementById('assessment-history');
      C.clear(history);
      a.history.forEach(function (h) {
        var tr = C.el('tr');
        tr.appendChild(C.el('td', null, C.dateTime(h.created_at)));
        tr.appendChild(C.el('td', null, h.willingness_band_label + '（' + h.willingness.toFixed(2) + '）'));
        tr.appendChild(C.el('td', null, h.ability_band_label + '（' + h.ability.toFixed(2) + '）'));
        tr.appendChild(C.el('td', null, h.segment_label));
        tr.appendChild(C.el('td', null, h.signals));
        tr.appendChild(C.el('td', null, h.trigger_label || h.trigger || '—'));
        history.appendChild(tr);
      });
      document.getElementById('assessment-panel').hidden = false;
    }).catch(function (error) { status.textContent = error.message; });
  }

  function svg(tag, attrs) {
    var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function chart(data) {
    var box = document.getElementById('overview-chart');
    C.clear(box);
    var width = 640, height = 220, pad = 24;
    var root = svg('svg', { width: width, height: height, role: 'img', 'aria-label': '分群构成' });
    var n = data.mix.length || 1;
    var bar = Math.max(4, (width - 2 * pad) / n - 4);
    data.mix.forEach(function (point, i) {
      var total = 0;
      data.segments.forEach(function (s) { total += point.counts[s.code] || 0; });
      var y = height - pad;
      data.segments.forEach(function (s) {
        var count = point.counts[s.code] || 0;
        if (!total || !count) { return; }
        var h = (height - 2 * pad) * count / total;
        y -= h;
        var rect = svg('rect', { x: pad + i * (bar + 4), y: y, width: bar, height: h, fill: COLORS[s.code] });
        var title = svg('title', {});
        title.textContent = point.day + ' ' + s.label + '：' + count;
        rect.appendChild(title);
        root.appendChild(rect);
      });
      var label = svg('text', { x: pad + i * (bar + 4), y: height - 6, 'font-size': 10 });
      label.textContent = point.day.slice(5);
      root.appendChild(label);
    });
    box.appendChild(root);
    var legend = document.getElementById('overview-legend');
    C.clear(legend);
    data.segments.forEach(function (s) {
      var li = C.el('li');
      var sw = C.el('span', 'swatch');
      sw.style.background = COLORS[s.code];
      li.appendChild(sw);
      li.appendChild(document.createTextNode(s.label));
      legend.appendChild(li);
    });
  }

  function overview() {
    var status = document.getElementById('overview-status');
    C.api('GET', '/api/assessment/overview?days=56').then(function (data) {
      chart(data);
      var kept = document.getElementById('overview-kept');
      C.clear(kept);
      data.kept_by_segment.forEach(function (k) {
        var tr = C.el('tr');
        tr.appendChild(C.el('td', null, k.label));
        tr.appendChild(C.el('td', null, k.treatment || '—'));
        tr.appendChild(C.el('td', null, k.kept + ' / ' + k.resolved));
        tr.appendChild(C.el('td', null, k.resolved ? pct(k.kept / k.resolved) : '—'));
        kept.appendChild(tr);
      });
      document.getElementById('overview-notice').textContent = data.not_a_decision;
      var signals = document.getElementById('overview-signals');
      C.clear(signals);
      data.signals.forEach(function (s) {
        var tr = C.el('tr');
        tr.appendChild(C.el('td', null, s.label));
        tr.appendChild(C.el('td', null, s.accounts));
        signals.appendChild(tr);
      });
    }).catch(function (error) { status.textContent = error.message; });
  }

  var account = document.body.dataset.account;
  if (account !== undefined && document.getElementById('assessment-panel')) { panel(account); }
  if (document.getElementById('overview-chart')) { overview(); }
})();
