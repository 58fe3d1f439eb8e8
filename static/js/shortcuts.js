// Keyboard shortcuts. Every one has a plain link, button or field that does the same,
// and none fires while a person is typing in a field or holds Ctrl, Alt or Meta.
(function () {
  'use strict';

  var KEYS = [
    ['?', 'Show these shortcuts'],
    ['c', 'Create a task'],
    ['/', 'Jump to a task, #project, @person, or search'],
    ['j / k', 'Next / previous task in a list, or group in a timeline'],
    ['o or Enter', 'Open the selected task'],
    ['e', 'Edit this task'],
    ['r', 'Reply: write a comment'],
    ['q', 'Quote the selected comment'],
    ['Esc', 'Close this dialog or list'],
  ];

  var help = null;
  var selected = -1;

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function rows() {
    return document.querySelectorAll('.task-row, .timeline .event-group');
  }

  function select(step) {
    var all = rows();
    if (!all.length) return;
    if (all[selected]) all[selected].classList.remove('kbd-selected');
    selected = Math.max(0, Math.min(all.length - 1, selected + step));
    var row = all[selected];
    row.classList.add('kbd-selected');
    // A list row's title link takes the focus (Enter opens it, focus is visible); a timeline group takes it itself.
    var link = row.querySelector('a.task-title');
    if (!link) row.setAttribute('tabindex', '-1');
    (link || row).focus();
    row.scrollIntoView({ block: 'nearest' });
  }

  function follow(selector) {
    var link = document.querySelector(selector);
    if (link) window.location.href = link.href;
    return Boolean(link);
  }

  function showHelp() {
    if (!help) {
      help = document.createElement('dialog');
      help.className = 'shortcut-help';
      help.setAttribute('aria-labelledby', 'shortcut-help-title');
      var title = document.createElement('h2');
      title.id = 'shortcut-help-title';
      title.textContent = 'Keyboard shortcuts';
      var list = document.createElement('dl');
      KEYS.forEach(function (k) {
        var dt = document.createElement('dt');
        var kbd = document.createElement('kbd');
        kbd.textContent = k[0];
        dt.appendChild(kbd);
        var dd = document.createElement('dd');
        dd.textContent = k[1];
        list.appendChild(dt);
        list.appendChild(dd);
      });
      var close = document.createElement('button');
      close.type = 'button';
      close.textContent = 'Close';
      close.addEventListener('click', function () {
        help.close();
      });
      help.appendChild(title);
      help.appendChild(list);
      help.appendChild(close);
      document.body.appendChild(help);
    }
    if (!help.open) help.showModal();
  }

  var ACTIONS = {
    '?': showHelp,
    c: function () {
      return follow('.topnav a[href="/maniphest/task/edit/"]');
    },
    '/': function () {
      var box = document.getElementById('jump-box');
      if (box) box.focus();
      return Boolean(box);
    },
    j: function () {
      select(1);
    },
    k: function () {
      select(-1);
    },
    o: function () {
      var row = rows()[selected];
      var link = row && row.querySelector('a.task-title');
      if (link) window.location.href = link.href;
      return Boolean(link);
    },
    e: function () {
      return follow('.curtain a[href^="/maniphest/task/edit/"]');
    },
    r: function () {
      var box = document.getElementById('comment-text');
      if (box) {
        box.focus();
        box.scrollIntoView({ block: 'center' });
      }
      return Boolean(box);
    },
    q: function () {
      var row = rows()[selected];
      var quote = row && row.querySelector('a.quote');
      if (quote) quote.click();
      return Boolean(quote);
    },
  };

  document.addEventListener('keydown', function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) return;
    if (help && help.open) return;
    var action = ACTIONS[event.key];
    if (!action) return;
    // A shortcut with nothing to act on here lets the key through.
    if (action() === false) return;
    event.preventDefault();
  });
})();
