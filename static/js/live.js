/*
 * Live pages: a task page follows its stream and, told of a change, fetches
 * itself again (rendered for this viewer) and swaps the parts that changed,
 * leaving the comment box and anything typed in it alone. A list shows how
 * many tasks changed since it was loaded. Without EventSource nothing happens:
 * the pages are as they were, and a reload shows the news.
 */
(function () {
  'use strict';
  if (!window.EventSource || !window.fetch || !window.DOMParser) return;

  function followTask(page) {
    var version = Number(page.getAttribute('data-version')) || 0;
    var busy = false;
    var again = false;
    var source = new EventSource(page.getAttribute('data-live-task') + '?since=' + version);

    function swap(doc) {
      var fresh = doc.querySelector('[data-live-task]');
      if (!fresh) return;
      version = Math.max(version, Number(fresh.getAttribute('data-version')) || 0);
      Array.prototype.forEach.call(document.querySelectorAll('[data-live-part]'), function (old) {
        var next = doc.querySelector('[data-live-part="' + old.getAttribute('data-live-part') + '"]');
        if (next) old.parentNode.replaceChild(document.importNode(next, true), old);
      });
      page.setAttribute('data-version', String(version));
    }

    function refresh() {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      fetch(window.location.pathname, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html) swap(new DOMParser().parseFromString(html, 'text/html')); })
        .catch(function () {})
        .then(function () {
          busy = false;
          if (again) {
            again = false;
            refresh();
          }
        });
    }

    source.addEventListener('change', function (event) {
      if (JSON.parse(event.data).version > version) refresh();
    });
    source.addEventListener('gone', function () { source.close(); });
  }

  function followList(list) {
    var source = new EventSource(list.getAttribute('data-live-list'));
    var bar = null;
    source.addEventListener('changed', function (event) {
      var count = JSON.parse(event.data).count;
      if (!bar) {
        bar = document.createElement('p');
        bar.className = 'live-bar';
        bar.setAttribute('role', 'status');
        list.parentNode.insertBefore(bar, list);
      }
      bar.textContent = count + (count === 1 ? ' task changed — ' : ' tasks changed — ');
      var link = document.createElement('a');
      link.href = window.location.href;
      link.textContent = 'refresh';
      bar.appendChild(link);
    });
  }

  var task = document.querySelector('[data-live-task]');
  if (task) followTask(task);
  var list = document.querySelector('[data-live-list]');
  if (list) followList(list);
})();
