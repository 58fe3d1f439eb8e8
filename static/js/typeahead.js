// One typeahead for every field that names people, projects or tasks: a list under the field,
// arrows to move, Enter or a click to choose, Escape to close. Without this file every such
// field still takes plain text (usernames, #hashtags, T123).
(function () {
  'use strict';

  var lists = 0;

  /**
   * Attaches a typeahead to `input`. `options.source(q)` answers a promise of items, each with
   * `label` (and `closed`); `options.choose(item)` is called with the one chosen;
   * `options.term()` is the text to look up (the whole field by default).
   */
  function attach(input, options) {
    var host = input.parentNode;
    if (getComputedStyle(host).position === 'static') host.classList.add('typeahead-host');
    var list = document.createElement('ul');
    list.className = 'typeahead-list';
    list.id = 'typeahead-list-' + ++lists;
    list.setAttribute('role', 'listbox');
    list.hidden = true;
    input.insertAdjacentElement('afterend', list);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-controls', list.id);
    input.setAttribute('aria-expanded', 'false');

    var found = [];
    var active = -1;
    var asked = 0;
    var timer = null;

    function close() {
      list.hidden = true;
      list.textContent = '';
      found = [];
      active = -1;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
    }

    function highlight(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, j) {
        li.setAttribute('aria-selected', j === i ? 'true' : 'false');
      });
      if (i >= 0) input.setAttribute('aria-activedescendant', list.children[i].id);
      else input.removeAttribute('aria-activedescendant');
    }

    function choose(item) {
      close();
      options.choose(item);
      input.focus();
    }

    function show(items) {
      close();
      found = items;
      if (!items.length) return;
      items.forEach(function (item, i) {
        var li = document.createElement('li');
        li.id = list.id + '-' + i;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        if (item.closed) li.className = 'closed';
        li.textContent = item.label;
        li.addEventListener('mousedown', function (event) {
          // Before the input loses focus, so the list is still there to be clicked.
          event.preventDefault();
          choose(item);
        });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    }

    function ask() {
      var q = options.term ? options.term() : input.value.trim();
      var mine = ++asked;
      if (!q) return close();
      options.source(q).then(function (items) {
        // An answer to an older question is dropped.
        if (mine === asked) show(items || []);
      });
    }

    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    input.addEventListener('keydown', function (event) {
      if (list.hidden) return;
      if (event.key === 'ArrowDown') {
        event.preventDefault();
        highlight(Math.min(found.length - 1, active + 1));
      } else if (event.key === 'ArrowUp') {
        event.preventDefault();
        highlight(Math.max(-1, active - 1));
      } else if (event.key === 'Enter' && active >= 0) {
        event.preventDefault();
        choose(found[active]);
      } else if (event.key === 'Escape') {
        // The list closes; the Escape goes no further (a dialog around the field stays open).
        event.stopPropagation();
        close();
      }
    });
    input.addEventListener('blur', close);
  }

  /** The results of a JSON typeahead endpoint; nothing when it can not be reached (the field still takes text). */
  function results(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .catch(function () {
        return null;
      })
      .then(function (body) {
        return body ? body.results : [];
      });
  }

  // A field of several names ("alice, bo") completes the name being typed: the text after the last comma or space.
  var LAST = /[^,\s]*$/;

  Array.prototype.forEach.call(document.querySelectorAll('input[data-suggest]'), function (input) {
    var kind = input.getAttribute('data-suggest');
    var many = input.hasAttribute('data-multiple');
    var jump = input.hasAttribute('data-jump');
    attach(input, {
      term: function () {
        return many ? LAST.exec(input.value)[0] : input.value.trim();
      },
      source: function (q) {
        return results('/typeahead/?kind=' + encodeURIComponent(kind) + '&q=' + encodeURIComponent(q));
      },
      choose: function (item) {
        if (jump) window.location.href = item.url;
        else if (many) input.value = input.value.replace(LAST, item.value) + ', ';
        else input.value = item.value;
      },
    });
  });

  window.TrellisTypeahead = { attach: attach, results: results };
})();
