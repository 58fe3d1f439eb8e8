// Progressive enhancement of the related-task pickers and the open-subtask warning.
// Without this file the pickers are a plain search form and the warning is always shown.
(function () {
  'use strict';

  // Typeahead (the shared one of typeahead.js): choosing a suggestion ticks it in the form.
  Array.prototype.forEach.call(document.querySelectorAll('input[data-typeahead]'), function (input) {
    var form = document.getElementById('related-form');
    var results = form && form.querySelector('[data-picker-results]');
    if (!results || !window.TrellisTypeahead) return;
    var multiple = input.getAttribute('data-multiple') === 'true';

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
        name.textContent = item.label;
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
    }

    window.TrellisTypeahead.attach(input, {
      source: function (q) {
        return window.TrellisTypeahead.results(input.getAttribute('data-typeahead') + '&q=' + encodeURIComponent(q)).then(function (found) {
          return found.map(function (t) {
            return { id: t.id, label: t.monogram + ': ' + t.title, closed: t.closed, stateText: t.stateText };
          });
        });
      },
      choose: choose,
    });
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
