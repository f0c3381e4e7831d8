/* Agent tasks under the queue (console/tasks.py): refreshed every 30 s. */
(function () {
  'use strict';
  var C = window.Console;
  var section = document.getElementById('tasks');
  if (!section || C.role === 'trainer') { return; }
  var body = document.getElementById('tasks-body');
  var empty = document.getElementById('tasks-empty');

  function render(items) {
    section.hidden = false;
    C.clear(body);
    empty.hidden = items.length > 0;
    items.forEach(function (task) {
      var row = C.el('tr', 'task');
      row.dataset.taskId = String(task.id);
      row.appendChild(C.el('td', null, task.kind_label));
      row.appendChild(C.el('td', 'mono', task.account_id));
      row.appendChild(C.el('td', 'summary', task.description));
      row.appendChild(C.el('td', null, task.created_at ? C.dateTime(task.created_at) : ''));
      var cell = C.el('td');
      var done = C.el('button', 'button', '标记完成');
      done.addEventListener('click', function () {
        done.disabled = true;
        C.api('POST', '/api/tasks/' + task.id + '/done').then(load, function (error) {
          done.disabled = false;
          window.alert(error.message);
        });
      });
      cell.appendChild(done);
      row.appendChild(cell);
      body.appendChild(row);
    });
  }

  function load() { return C.api('GET', '/api/tasks').then(function (data) { render(data.items || []); }); }

  load();
  window.setInterval(load, 30000);
}());
