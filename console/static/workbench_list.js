/* Conversation list with filters (the filters live in the URL, so a view can be shared). */
(function () {
  'use strict';
  var C = window.Console;
  var W = window.Workbench;
  var form = document.getElementById('filters');
  var body = document.getElementById('conv-body');
  var empty = document.getElementById('conv-empty');
  var error = document.getElementById('list-error');

  function query() {
    var params = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && field.value) { params.set(field.name, field.value); }
    });
    return params.toString();
  }

  function render(items) {
    C.clear(body);
    empty.hidden = items.length > 0;
    items.forEach(function (item) {
      var row = C.el('tr', 'item');
      row.dataset.ref = String(item.ref);
      row.appendChild(C.el('td', 'mono', '#' + item.ref + ' ' + item.conversation));
      row.appendChild(C.el('td', null, C.dateTime(item.last_at)));
      row.appendChild(C.el('td', null, item.channel_labels.join('、')));
      row.appendChild(C.el('td', null, String(item.user_messages)));
      row.appendChild(C.el('td', 'conf' + (item.min_confidence !== null && item.min_confidence < 0.5 ? ' low' : ''), W.pct(item.min_confidence)));
      var intents = C.el('td', 'intents');
      item.intents.forEach(function (name) { intents.appendChild(C.el('span', 'badge' + (name === 'nlu_fallback' ? ' warn' : ''), name)); });
      row.appendChild(intents);
      var esc = [];
      if (item.escalated) { esc.push('已转人工' + (item.escalation_reasons.length ? '（' + item.escalation_reasons.join('、') + '）' : '')); }
      if (item.fallback) { esc.push('含兜底回复'); }
      esc = esc.concat(item.outcomes);
      row.appendChild(C.el('td', 'outcome', esc.join('；') || '—'));
      row.appendChild(C.el('td', null, item.reviewed ? '已评审' : '未评审'));
      var tags = C.el('td');
      item.tags.forEach(function (t) { tags.appendChild(C.el('span', 'chip', t)); });
      row.appendChild(tags);
      row.appendChild(C.el('td', 'summary', item.first_text));
      var open = C.el('td');
      var link = C.el('a', 'button', '查看');
      link.href = '/workbench/conversations/' + item.ref;
      open.appendChild(link);
      row.appendChild(open);
      body.appendChild(row);
    });
  }

  function load() {
    error.textContent = '';
    var q = query();
    history.replaceState(null, '', '/workbench' + (q ? '?' + q : ''));
    return C.api('GET', '/api/workbench/conversations' + (q ? '?' + q : '')).then(function (data) { render(data.items); })
      .catch(function (err) { error.textContent = err.message; });
  }

  W.meta().then(function (m) {
    W.fillSelect(document.getElementById('f-channel'), Object.keys(m.channels), m.channels);
    W.fillSelect(document.getElementById('f-outcome'), Object.keys(m.outcomes), m.outcomes);
    W.fillSelect(document.getElementById('f-intent'), m.intents.concat(['nlu_fallback']));
    W.fillSelect(document.getElementById('f-tag'), m.tags);
    var params = new URLSearchParams(window.location.search);
    params.forEach(function (value, key) { if (form.elements[key]) { form.elements[key].value = value; } });
    return load();
  }).catch(function (err) { error.textContent = err.message; });

  form.addEventListener('submit', function (ev) { ev.preventDefault(); load(); });
  document.getElementById('f-reset').addEventListener('click', function () { form.reset(); load(); });
}());
