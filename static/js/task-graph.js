// Progressive enhancement of the related-task pickers and the open-subtask warning.
// Without this file the pickers are a plain search form and the warning is always shown.
(function () {
  'use strict';

  // Typeahead: suggestions while typing in a picker's search box; choosing one ticks it in the form.
  Array.prototype.forEach.call(document.querySelectorAll('input[data-typeahead]'), function (input) {
    var form = document.getElementById('related-form');
    var results = form && form.querySelector('[data-picker-results]');
    if (!results) return;
    var multiple = input.getAttribute('data-multiple') === 'true';
    var list = document.createElement('ul');
    list.className = 'typeahead-list';
    list.id = 'typeahead-list';
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

    function show(items) {
      close();
      found = items;
      if (!items.length) return;
      items.forEach(function (item, i) {
        var li = document.createElement('li');
        li.id = 'typeahead-option-' + i;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        if (item.closed) li.className = 'closed';
        li.textContent = item.monogram + ': ' + item.title;
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

    function choose(item) {
      var empty = results.querySelector('[data-picker-empty]');
      if (empty) empty.remove();
      var box = results.querySelector('input[name="add"][value="' + item.id + '"]');
      if (!box) {
        var li = document.createElement('li');
        var label = document.createElement('label');
        label.className = 'check';
        box = document.createElement('input');
        box.type = multiple ? 'checkbox' : 'radio';
        box.name = 'add';
        box.value = String(item.id);
        var name = document.createElement('span');
        name.className = item.closed ? 'task-ref closed' : 'task-ref';
        name.textContent = item.monogram + ': ' + item.title;
        label.appendChild(box);
        label.appendChild(document.createTextNode(' '));
        label.appendChild(name);
        li.appendChild(label);
        var state = document.createElement('span');
        state.className = 'state';
        state.textContent = ' ' + item.stateText;
        li.appendChild(state);
        results.insertBefore(li, results.firstChild);
      }
      box.checked = true;
      input.value = '';
      close();
      input.focus();
    }

    function ask() {
      var q = input.value.trim();
      var mine = ++asked;
      if (!q) {
        close();
        return;
      }
      fetch(input.getAttribute('data-typeahead') + '&q=' + encodeURIComponent(q), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) {
          return r.ok ? r.json() : null;
        })
        .catch(function () {
          return null;
        })
        .then(function (body) {
          // An answer to an older question is dropped; without an answer the plain Search button still works.
          if (mine !== asked || !body) return;
          show(body.results);
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
        close();
      }
    });
    input.addEventListener('blur', close);
  });

  // The open-subtask warning shows only while a closing status is chosen.
  Array.prototype.forEach.call(document.querySelectorAll('.subtask-warning[data-closed-statuses]'), function (warning) {
    var form = warning.closest('form');
    var select = form && form.querySelector('select[name="status"]');
    if (!select) return;
    var closing = warning.getAttribute('data-closed-statuses').split(' ');
    function update() {
      warning.hidden = closing.indexOf(select.value) < 0;
    }
    select.addEventListener('change', update);
    update();
  });
})();
