(function () {
  'use strict';
  var C = window.Console;
  var tbody = document.getElementById('audit-body');
  var form = document.getElementById('audit-filter');

  function load() {
    var params = new URLSearchParams();
    var conv = document.getElementById('f-conversation').value.trim();
    var acc = document.getElementById('f-account').value.trim();
    if (conv) { params.set('conversation_id', conv); }
    if (acc) { params.set('account_id', acc); }
    C.api('GET', '/api/audit?' + params.toString()).then(function (data) {
      C.clear(tbody);
      data.entries.forEach(function (e) {
        var row = C.el('tr');
        row.appendChild(C.el('td', null, C.dateTime(e.created_at)));
        row.appendChild(C.el('td', null, e.username));
        row.appendChild(C.el('td', 'action', e.action_label || e.action));
        row.appendChild(C.el('td', 'mono', e.conversation_id || ''));
        row.appendChild(C.el('td', 'mono', e.account_id || ''));
        row.appendChild(C.el('td', 'detail', e.detail_text || ''));
        tbody.appendChild(row);
      });
    });
  }
  form.addEventListener('submit', function (event) { event.preventDefault(); load(); });
  load();
}());
