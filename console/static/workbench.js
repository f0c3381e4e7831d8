/* Trainer workbench: shared helpers and the message annotation editor.
 * Texts from the server go on the page with textContent only (console.js). */
(function () {
  'use strict';
  var C = window.Console;
  var state = { meta: null };

  function pct(value) {
    return (value === null || value === undefined) ? '—' : (Math.round(value * 1000) / 10).toFixed(1) + '%';
  }

  function num(value) {
    return (value === null || value === undefined) ? '—' : Number(value).toFixed(3);
  }

  function meta() {
    if (state.meta) { return Promise.resolve(state.meta); }
    return C.api('GET', '/api/workbench/meta').then(function (m) {
      state.meta = m;
      document.getElementById('masked-note').hidden = !m.masked;
      [['annotate', '.annotate-only'], ['train', '.train-only']].forEach(function (pair) {
        if (!m.can[pair[0]]) {
          Array.prototype.forEach.call(document.querySelectorAll(pair[1]), function (n) { n.hidden = true; });
        }
      });
      return m;
    });
  }

  function fillSelect(select, values, labels) {
    values.forEach(function (value) {
      var option = C.el('option', null, labels ? (labels[value] || value) : value);
      option.value = value;
      select.appendChild(option);
    });
  }

  /* Offsets of the current selection inside `node`, which holds one text node. */
  function selectionIn(node) {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return null; }
    var range = sel.getRangeAt(0);
    var text = node.firstChild;
    if (!text || range.startContainer !== text || range.endContainer !== text) { return null; }
    var start = Math.min(range.startOffset, range.endOffset);
    var end = Math.max(range.startOffset, range.endOffset);
    var value = text.textContent;
    while (start < end && /\s/.test(value.charAt(start))) { start += 1; }
    while (end > start && /\s/.test(value.charAt(end - 1))) { end -= 1; }
    return end > start ? { start: start, end: end } : null;
  }

  /* The annotation editor of one cardholder message.
   * msg: {event_id, text, intent, confidence, ranking, entities, annotation}
   * options.onSaved(result) after a successful save. */
  function Editor(container, msg, options) {
    this.container = container;
    this.msg = msg;
    this.options = options || {};
    var a = msg.annotation;
    this.version = a ? a.version : 0;
    this.intent = a && a.intent ? a.intent : msg.intent;
    this.entities = (a ? a.entities : msg.entities || []).filter(function (e) {
      return typeof e.start === 'number' && typeof e.end === 'number';
    }).map(function (e) { return { start: e.start, end: e.end, entity: e.entity }; });
    this.savedEntities = entityKey(this.entities);
    // "Label all identical": the inbox's group of messages with this text.
    this.group = (msg.group && msg.group.length > 1) ? msg.group : null;
    this.labelAll = !!this.group;
    this.render();
  }

  function entityKey(entities) {
    return JSON.stringify(entities.map(function (e) { return [e.start, e.end, e.entity]; }));
  }

  /* An entity marked (or removed) but not saved: leaving would lose it. */
  Editor.prototype.dirty = function () {
    return entityKey(this.entities) !== this.savedEntities;
  };

  /* True when the trainer may leave this message (nothing unsaved, or they confirmed). */
  Editor.prototype.mayLeave = function () {
    if (!this.dirty()) { return true; }
    return window.confirm('这条消息的实体标注还没有保存，离开后会丢失。确定离开吗？');
  };

  Editor.prototype.score = function (name) {
    var found = (this.msg.ranking || []).filter(function (r) { return r.name === name; })[0];
    return found ? found.confidence : null;
  };

  Editor.prototype.choices = function () {
    var seen = {};
    var list = [];
    (this.msg.ranking || []).forEach(function (r) {
      if (r.name && state.meta.intents.indexOf(r.name) >= 0 && !seen[r.name]) { seen[r.name] = true; list.push(r.name); }
    });
    state.meta.intents.forEach(function (name) { if (!seen[name]) { seen[name] = true; list.push(name); } });
    return list;
  };

  Editor.prototype.render = function () {
    var self = this;
    var msg = this.msg;
    var box = this.container;
    var canEdit = state.meta.can.annotate;
    C.clear(box);
    var head = C.el('div', 'editor-head');
    head.appendChild(C.el('span', 'badge', '识别：' + (msg.intent || '无')));
    head.appendChild(C.el('span', 'badge' + (msg.confidence !== null && msg.confidence < 0.5 ? ' warn' : ''), '置信度 ' + pct(msg.confidence)));
    if (msg.annotation) {
      head.appendChild(C.el('span', 'badge running', msg.annotation.status === 'ignored' ? '已忽略' : '已标注：' + msg.annotation.intent));
      head.appendChild(C.el('span', 'hint', '版本 ' + msg.annotation.version));
    }
    if (msg.group && msg.group.length > 1) {
      head.appendChild(C.el('span', 'badge group-count', '相同消息 ×' + msg.group.length));
    }
    if (msg.ref) {
      var link = C.el('a', null, '查看会话 #' + msg.ref);
      link.href = '/workbench/conversations/' + msg.ref;
      head.appendChild(link);
    }
    box.appendChild(head);
    var text = C.el('div', 'wb-text', msg.text);
    text.id = 'editor-text';
    box.appendChild(text);
    this.textNode = text;

    var ents = C.el('div', 'entities');
    ents.appendChild(C.el('span', 'hint', '实体：'));
    if (!this.entities.length) { ents.appendChild(C.el('span', 'hint', '无')); }
    this.entities.forEach(function (e, i) {
      var chip = C.el('span', 'chip entity', msg.text.slice(e.start, e.end) + ' → ' + e.entity);
      if (canEdit) {
        var x = C.el('button', 'chip-x', '×');
        x.type = 'button';
        x.title = '删除该实体';
        x.addEventListener('click', function () { self.entities.splice(i, 1); self.render(); });
        chip.appendChild(x);
      }
      ents.appendChild(chip);
    });
    box.appendChild(ents);
    if (!canEdit) { return; }
    if (this.options.compact && !this.expanded) {
      var open = C.el('button', 'secondary annotate-btn', msg.annotation ? '修改标注' : '标注');
      open.type = 'button';
      open.addEventListener('click', function () { self.expanded = true; self.render(); });
      box.appendChild(open);
      return;
    }

    var entRow = C.el('div', 'entity-row');
    var entSelect = C.el('select');
    entSelect.id = 'entity-type';
    var entDescriptions = state.meta.entity_descriptions || {};
    state.meta.entities.forEach(function (name, i) {
      var option = C.el('option', null, (i < 9 ? '⇧' + (i + 1) + ' ' : '') + name + (entDescriptions[name] ? ' · ' + entDescriptions[name] : ''));
      option.value = name;
      entSelect.appendChild(option);
    });
    var mark = C.el('button', 'secondary', '把选中的文字标为实体 (e)');
    mark.type = 'button';
    mark.id = 'mark-entity';
    mark.addEventListener('mousedown', function (ev) { ev.preventDefault(); });
    mark.addEventListener('click', function () { self.markEntity(entSelect.value); });
    entRow.appendChild(entSelect);
    entRow.appendChild(mark);
    box.appendChild(entRow);
    if (this.options.hotkeys) {
      box.appendChild(C.el('p', 'hint entity-keys', '选中文字后按 Shift+数字直接标为对应实体：' + state.meta.entities.slice(0, 9).map(function (name, i) {
        return '⇧' + (i + 1) + ' ' + name;
      }).join('　')));
    }
    if (this.dirty()) { box.appendChild(C.el('p', 'warn unsaved', '实体标注尚未保存')); }
    if (this.group) {
      var all = C.el('label', 'label-all');
      var check = C.el('input');
      check.type = 'checkbox';
      check.id = 'label-all';
      check.checked = this.labelAll;
      check.addEventListener('change', function () { self.labelAll = check.checked; check.blur(); });
      all.appendChild(check);
      all.appendChild(document.createTextNode(' 同时标注全部 ' + this.group.length + ' 条相同消息'));
      box.appendChild(all);
    }

    var list = C.el('ol', 'intent-choices');
    var descriptions = state.meta.intent_descriptions || {};
    this.choices().forEach(function (name, i) {
      var li = C.el('li', name === self.intent ? 'chosen' : '');
      var b = C.el('button', 'intent-choice' + (name === self.intent ? '' : ' secondary'), (i < 9 ? (i + 1) + ' · ' : '') + name);
      b.type = 'button';
      b.dataset.intent = name;
      var score = self.score(name);
      if (score !== null) { b.appendChild(C.el('span', 'score', ' ' + pct(score))); }
      if (descriptions[name]) {
        b.appendChild(C.el('span', 'desc', descriptions[name]));
        b.title = descriptions[name];
      }
      b.addEventListener('click', function () { self.intent = name; self.save('labelled'); });
      li.appendChild(b);
      list.appendChild(li);
    });
    box.appendChild(list);

    var actions = C.el('div', 'editor-actions');
    var accept = C.el('button', null, '接受预测 (a)');
    accept.type = 'button';
    accept.id = 'accept-btn';
    accept.addEventListener('click', function () { self.accept(); });
    var save = C.el('button', 'secondary', '保存 (s)');
    save.type = 'button';
    save.id = 'save-btn';
    save.addEventListener('click', function () { self.save('labelled'); });
    var ignore = C.el('button', 'secondary', '忽略此消息 (x)');
    ignore.type = 'button';
    ignore.id = 'ignore-btn';
    ignore.addEventListener('click', function () { self.save('ignored'); });
    var testSet = C.el('button', 'secondary', this.options.hotkeys ? '加入测试集 (t)' : '加入测试集');
    testSet.type = 'button';
    testSet.id = 'test-set-btn';
    testSet.title = '把这条消息（保存后的意图和实体）加入开发测试集：训练时不会用到它，只用来评估模型';
    testSet.addEventListener('click', function () { self.addToTestSet(); });
    actions.appendChild(accept);
    actions.appendChild(save);
    actions.appendChild(ignore);
    actions.appendChild(testSet);
    box.appendChild(actions);
    this.status = C.el('p', 'error editor-status');
    this.status.setAttribute('role', 'alert');
    box.appendChild(this.status);
  };

  Editor.prototype.markEntity = function (entity) {
    var span = selectionIn(this.textNode);
    if (!span) { this.say('请先在消息文字中选中实体的文字。', true); return; }
    var overlaps = this.entities.some(function (e) { return span.start < e.end && e.start < span.end; });
    if (overlaps) { this.say('实体不能互相重叠：请先删除原有实体。', true); return; }
    this.entities.push({ start: span.start, end: span.end, entity: entity || state.meta.entities[0] });
    this.entities.sort(function (a, b) { return a.start - b.start; });
    this.render();
  };

  /* Shift+N: mark the selected text as the N-th entity type. */
  Editor.prototype.markEntityNumber = function (n) {
    var name = state.meta.entities[n - 1];
    if (name) { this.markEntity(name); }
  };

  Editor.prototype.addToTestSet = function () {
    var self = this;
    if (!this.msg.annotation || this.msg.annotation.status !== 'labelled' || this.dirty()) {
      this.say('请先保存这条消息的意图标注，再加入测试集。', true);
      return Promise.resolve();
    }
    return C.api('POST', '/api/workbench/messages/' + this.msg.event_id + '/test-set', {}).then(function (r) {
      self.say('已加入测试集（' + r.intent + '）：' + r.file, false);
    }).catch(function (err) { self.say(err.message, true); });
  };

  Editor.prototype.pick = function (n) {
    var name = this.choices()[n - 1];
    if (name) { this.intent = name; this.save('labelled'); }
  };

  Editor.prototype.accept = function () {
    if (!this.msg.intent || state.meta.intents.indexOf(this.msg.intent) < 0) {
      this.say('预测的意图（' + (this.msg.intent || '无') + '）不在意图列表中，请选择正确的意图。', true);
      return;
    }
    this.intent = this.msg.intent;
    this.save('labelled');
  };

  Editor.prototype.say = function (text, isError) {
    if (!this.status) { return; }
    this.status.className = (isError ? 'error' : 'ok') + ' editor-status';
    this.status.textContent = text;
  };

  Editor.prototype.save = function (status) {
    var self = this;
    var data = { status: status, version: this.version };
    if (status === 'labelled') { data.intent = this.intent; data.entities = this.entities; }
    var request;
    if (this.group && this.labelAll) {
      data.members = this.group;
      request = C.api('POST', '/api/workbench/messages/group-annotation', data).then(function (answer) {
        answer.items.forEach(function (item) {
          self.group.forEach(function (m) { if (m.event_id === item.event_id) { m.version = item.version; } });
        });
        var mine = answer.items.filter(function (item) { return item.event_id === self.msg.event_id; })[0] || answer.items[0];
        mine.groupSaved = answer.saved;
        return mine;
      });
    } else {
      request = C.api('POST', '/api/workbench/messages/' + this.msg.event_id + '/annotation', data);
    }
    return request.then(function (result) {
      self.version = result.version;
      self.entities = (result.entities || []).map(function (e) { return { start: e.start, end: e.end, entity: e.entity }; });
      self.savedEntities = entityKey(self.entities);
      self.msg.annotation = { status: result.status, intent: result.intent, entities: result.entities, version: result.version };
      self.render();
      self.say((status === 'ignored' ? '已标记为忽略。' : '已保存：' + result.intent) + (result.groupSaved ? '（共 ' + result.groupSaved + ' 条相同消息）' : ''), false);
      if (self.options.onSaved) { self.options.onSaved(result); }
    }).catch(function (err) {
      self.say(err.message, true);
      if (err.status === 409 && self.options.onConflict) { self.options.onConflict(err); }
    });
  };

  window.Workbench = { meta: meta, pct: pct, num: num, fillSelect: fillSelect, Editor: Editor };
}());
