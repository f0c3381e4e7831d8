/* Shared helpers of the agent console. Every piece of text from the server
 * is put on the page with textContent (never innerHTML): what a cardholder
 * writes is shown as text, whatever it contains. */
(function () {
  'use strict';

  var csrf = document.body.dataset.csrf || '';
  var role = document.body.dataset.role || '';

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function api(method, url, data) {
    var options = { method: method, credentials: 'same-origin', headers: { 'Accept': 'application/json' } };
    if (method !== 'GET') {
      options.headers['Content-Type'] = 'application/json';
      options.headers['X-CSRF-Token'] = csrf;
      options.body = JSON.stringify(data || {});
    }
    return fetch(url, options).then(function (response) {
      if (response.status === 401) { window.location.href = '/login?next=' + encodeURIComponent(window.location.pathname); }
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          var error = new Error(body.error || ('请求失败（' + response.status + '）'));
          error.status = response.status;
          throw error;
        }
        return body;
      });
    });
  }

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  function duration(seconds) {
    var s = Math.abs(Math.round(seconds));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    return (h ? h + ':' + pad(m) : String(m)) + ':' + pad(s % 60);
  }

  // Times are shown in Beijing time, whatever the agent's computer is set to.
  var SHANGHAI = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hour12: false
  });

  function dateTime(iso) {
    if (!iso) { return ''; }
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return String(iso); }
    var p = {};
    SHANGHAI.formatToParts(d).forEach(function (part) { p[part.type] = part.value; });
    return p.year + '-' + p.month + '-' + p.day + ' ' + (p.hour === '24' ? '00' : p.hour) + ':' + p.minute;
  }

  /* Server-sent events with the browser's own reconnect; shows the state. */
  function live(url, onUpdate) {
    var badge = document.getElementById('live');
    var source = new EventSource(url);
    source.addEventListener('update', function (event) {
      if (badge) { badge.textContent = '实时更新中'; badge.classList.remove('off'); }
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      onUpdate(data);
    });
    source.onerror = function () {
      if (badge) { badge.textContent = '重新连接中…'; badge.classList.add('off'); }
    };
    return source;
  }

  if (role !== 'supervisor') {
    Array.prototype.forEach.call(document.querySelectorAll('.supervisor-only'), function (n) { n.hidden = true; });
  }
  if (role === 'trainer') {
    Array.prototype.forEach.call(document.querySelectorAll('.act-only'), function (n) { n.hidden = true; });
  }

  window.Console = { el: el, clear: clear, api: api, duration: duration, dateTime: dateTime, live: live, role: role };
}());
