/* One conversation for review: every cardholder message with its prediction
 * (and an annotation editor), every bot action with the policy that chose it. */
(function () {
  'use strict';
  var C = window.Console;
  var W = window.Workbench;
  var ref = document.body.dataset.ref;
  var turns = document.getElementById('turns');
  var facts = document.getElementById('facts');
  var reviewed = document.getElementById('reviewed');
  var sideError = document.getElementById('side-error');
  var detail = null;

  function factBadge(text, cls) { facts.appendChild(C.el('span', 'badge' + (cls ? ' ' + cls : ''), text)); }

  function renderTags() {
    var box = document.getElementById('tags');
    C.clear(box);
    if (!detail.tags.length) { box.appendChild(C.el('span', 'hint', '暂无标签')); }
    detail.tags.forEach(function (tag) {
      var chip = C.el('span', 'chip', tag);
      if (W.canAnnotate) {
        var x = C.el('button', 'chip-x', '×');
        x.type = 'button';
        x.title = '移除标签';
        x.addEventListener('click', function () {
          C.api('POST', '/api/workbench/conversations/' + ref + '/tags', { tag: tag, remove: true })
            .then(function (r) { detail.tags = r.tags; renderTags(); }).catch(function (e) { sideError.textContent = e.message; });
        });
        chip.appendChild(x);
      }
      box.appendChild(chip);
    });
  }

  function renderNotes() {
    var box = document.getElementById('notes');
    C.clear(box);
    detail.notes.forEach(function (n) { box.appendChild(C.el('li', null, C.dateTime(n.created_at) + '：' + n.text)); });
  }

  function renderTurn(turn) {
    if (turn.kind === 'user') {
      var wrap = C.el('div', 'msg cardholder wb-user');
      wrap.dataset.eventId = String(turn.event_id);
      wrap.appendChild(C.el('div', 'meta', '客户 · ' + C.dateTime(turn.ts)));
      var box = C.el('div', 'panel editor');
      wrap.appendChild(box);
      new W.Editor(box, turn, { compact: true });
      return wrap;
    }
    if (turn.kind === 'action') {
      var line = C.el('div', 'wb-action');
      line.appendChild(C.el('span', 'mono', turn.name));
      line.appendChild(C.el('span', 'hint', ' ← ' + (turn.policy || '（无策略）') + (turn.confidence !== null && turn.confidence !== undefined ? ' · ' + W.pct(turn.confidence) : '')));
      return line;
    }
    var msg = C.el('div', 'msg ' + turn.kind);
    msg.appendChild(C.el('div', 'meta', ({ bot: '智能助手', agent: '人工专员', system: '' })[turn.kind] + (turn.ts ? ' · ' + C.dateTime(turn.ts) : '')));
    msg.appendChild(C.el('div', 'bubble', turn.text));
    return msg;
  }

  function render() {
    document.getElementById('ref').textContent = String(detail.ref);
    document.getElementById('conversation').textContent = detail.conversation;
    C.clear(facts);
    detail.channel_labels.forEach(function (c) { factBadge(c); });
    if (detail.escalated) { factBadge('已转人工' + (detail.escalation_reasons.length ? '：' + detail.escalation_reasons.join('、') : ''), 'paused'); }
    detail.outcomes.forEach(function (o) { factBadge(o, 'running'); });
    reviewed.checked = detail.reviewed;
    reviewed.disabled = !W.canAnnotate;
    renderTags();
    renderNotes();
    C.clear(turns);
    detail.turns.forEach(function (t) { turns.appendChild(renderTurn(t)); });
  }

  function load() {
    return C.api('GET', '/api/workbench/conversations/' + ref).then(function (d) { detail = d; render(); })
      .catch(function (err) { document.getElementById('conv-error').textContent = err.message; });
  }

  reviewed.addEventListener('change', function () {
    sideError.textContent = '';
    C.api('POST', '/api/workbench/conversations/' + ref + '/reviewed', { reviewed: reviewed.checked, version: detail.review_version })
      .then(function (r) {
        detail.reviewed = r.reviewed;
        detail.review_version = r.version;
        document.getElementById('review-status').textContent = r.reviewed ? '已标记为已评审' : '已取消评审标记';
      })
      .catch(function (err) { sideError.textContent = err.message; reviewed.checked = detail.reviewed; });
  });
  document.getElementById('tag-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var input = document.getElementById('tag-input');
    C.api('POST', '/api/workbench/conversations/' + ref + '/tags', { tag: input.value })
      .then(function (r) { detail.tags = r.tags; input.value = ''; renderTags(); })
      .catch(function (err) { sideError.textContent = err.message; });
  });
  document.getElementById('note-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = document.getElementById('note-text');
    C.api('POST', '/api/workbench/conversations/' + ref + '/notes', { text: text.value })
      .then(function (n) { detail.notes.push({ id: n.id, text: n.text, created_at: new Date().toISOString() }); text.value = ''; renderNotes(); })
      .catch(function (err) { sideError.textContent = err.message; });
  });
  document.getElementById('story-btn').addEventListener('click', function () {
    sideError.textContent = '';
    C.api('POST', '/api/workbench/conversations/' + ref + '/story').then(function (r) {
      var out = document.getElementById('story-out');
      out.hidden = false;
      out.textContent = '已写入 ' + r.file + '\n\n' + r.content;
    }).catch(function (err) { sideError.textContent = err.message; });
  });

  W.meta().then(function (m) {
    W.canAnnotate = m.can.annotate;
    W.fillSelect(document.getElementById('tag-suggestions'), m.tags);
    return load();
  });
}());
