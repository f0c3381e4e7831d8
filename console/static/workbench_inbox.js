/* The inbox: least confident cardholder messages, labelled one after the other;
 * identical texts come as one item that can be labelled all at once.
 * Keys: j/k next/previous (asking first when an entity is not saved), a accept
 * prediction, 1-9 pick the numbered intent, x ignore, s save, e mark the
 * selected text as the chosen entity type, Shift+1-9 as the numbered entity
 * type, t add the saved label to the test set. */
(function () {
  'use strict';
  var C = window.Console;
  var W = window.Workbench;
  var list = document.getElementById('inbox-list');
  var panel = document.getElementById('editor');
  var empty = document.getElementById('inbox-empty');
  var includeDone = document.getElementById('include-done');
  var items = [];
  var index = 0;
  var editor = null;

  function renderList() {
    C.clear(list);
    empty.hidden = items.length > 0;
    panel.hidden = items.length === 0;
    items.forEach(function (item, i) {
      var li = C.el('li', 'inbox-item' + (i === index ? ' current' : '') + (item.annotation ? ' done' : ''));
      li.dataset.eventId = String(item.event_id);
      li.appendChild(C.el('span', 'conf', W.pct(item.confidence)));
      li.appendChild(C.el('span', 'text', item.text));
      if (item.group && item.group.length > 1) { li.appendChild(C.el('span', 'badge group-count', '×' + item.group.length)); }
      li.appendChild(C.el('span', 'badge', item.annotation ? (item.annotation.status === 'ignored' ? '已忽略' : '已标注：' + item.annotation.intent) : (item.intent || '无')));
      li.addEventListener('click', function () { move(i); });
      list.appendChild(li);
    });
  }

  function select(i) {
    if (!items.length) { return; }
    index = Math.max(0, Math.min(items.length - 1, i));
    renderList();
    editor = new W.Editor(panel, items[index], {
      hotkeys: true,
      onSaved: function () {
        renderList();
        if (index < items.length - 1) { setTimeout(function () { select(index + 1); }, 250); }
      }
    });
    var current = list.querySelector('li.current');
    if (current && current.scrollIntoView) { current.scrollIntoView({ block: 'nearest' }); }
  }

  /* Go to another message unless the trainer keeps an unsaved entity. */
  function move(i) {
    if (editor && i !== index && !editor.mayLeave()) { return; }
    select(i);
  }

  window.addEventListener('beforeunload', function (ev) {
    if (editor && editor.dirty()) { ev.preventDefault(); ev.returnValue = ''; }
  });

  function load() {
    return C.api('GET', '/api/workbench/inbox' + (includeDone.checked ? '?include_done=1' : '')).then(function (data) {
      items = data.items;
      index = 0;
      renderList();
      if (items.length) { select(0); }
    });
  }

  document.addEventListener('keydown', function (ev) {
    var tag = (ev.target && ev.target.tagName) || '';
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    if (!editor || !W.Editor) { return; }
    var key = ev.key;
    var digit = /^Digit([1-9])$/.exec(ev.code || '');
    if (ev.shiftKey && digit) { editor.markEntityNumber(Number(digit[1])); } else if (key === 'j') { move(index + 1); } else if (key === 'k') { move(index - 1); } else if (key === 't') { editor.addToTestSet(); } else if (key === 'a') { editor.accept(); } else if (key === 's') { editor.save('labelled'); } else if (key === 'x') { editor.save('ignored'); } else if (key === 'e') { editor.markEntity(document.getElementById('entity-type') && document.getElementById('entity-type').value); } else if (/^[1-9]$/.test(key)) { editor.pick(Number(key)); } else { return; }
    ev.preventDefault();
  });
  includeDone.addEventListener('change', load);

  W.meta().then(load).catch(function (err) { empty.hidden = false; empty.textContent = err.message; });
}());
