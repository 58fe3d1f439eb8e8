// Drag and drop on workboards. Progressive enhancement only: without this file every card has a
// "Move to column" form that posts the same fields.
(function () {
  'use strict';

  var board = document.querySelector('.board[data-move-url]');
  if (!board) return;
  board.classList.add('enhanced');
  var natural = board.getAttribute('data-order') === 'natural';
  var dragged = null;
  var origin = null;

  function cardsOf(list) {
    return Array.prototype.filter.call(list.children, function (el) { return el.classList.contains('card'); });
  }

  // The card the pointer is above, among those of the list other than the one being dragged.
  function cardBelow(list, y) {
    var rest = cardsOf(list).filter(function (c) { return c !== dragged; });
    for (var i = 0; i < rest.length; i++) {
      var box = rest[i].getBoundingClientRect();
      if (y < box.top + box.height / 2) return rest[i];
    }
    return null;
  }

  function post(fields) {
    var body = new URLSearchParams();
    Object.keys(fields).forEach(function (k) { if (fields[k] !== undefined && fields[k] !== null) body.append(k, fields[k]); });
    return fetch(board.getAttribute('data-move-url'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Accept': 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    }).then(function (r) {
      return r.json().catch(function () { return { ok: false, error: 'The move failed (HTTP ' + r.status + ').' }; });
    });
  }

  function move(fields) {
    return post(fields).then(function (answer) {
      if (answer.ok) return true;
      if (answer.confirm && window.confirm(answer.error)) {
        fields.overLimit = '1';
        return move(fields);
      }
      if (!answer.confirm) window.alert(answer.error);
      return false;
    });
  }

  function drop(list) {
    var column = list.closest('.board-column');
    var card = dragged;
    var before = card.nextElementSibling && card.nextElementSibling.classList.contains('card') ? card.nextElementSibling : null;
    var after = card.previousElementSibling && card.previousElementSibling.classList.contains('card') ? card.previousElementSibling : null;
    var fields = {
      __csrf__: board.getAttribute('data-csrf'),
      task: card.getAttribute('data-task'),
      column: column.getAttribute('data-column'),
    };
    if (natural) {
      if (after) fields.after = after.getAttribute('data-task');
      if (before) fields.before = before.getAttribute('data-task');
    }
    var priority = list.getAttribute('data-priority');
    if (priority) fields.priority = priority;
    board.classList.add('busy');
    // The page is read again either way: counts, limits and statuses may all have changed.
    move(fields).then(function () { window.location.reload(); }, function () { window.location.reload(); });
  }

  board.querySelectorAll('.card').forEach(function (card) {
    card.setAttribute('draggable', 'true');
    card.addEventListener('dragstart', function (e) {
      dragged = card;
      origin = { list: card.parentNode, next: card.nextSibling };
      card.classList.add('dragging');
      e.dataTransfer.effectAllowed = 'move';
      e.dataTransfer.setData('text/plain', card.getAttribute('data-task'));
    });
    card.addEventListener('dragend', function () {
      card.classList.remove('dragging');
      board.querySelectorAll('.drop-target').forEach(function (el) { el.classList.remove('drop-target'); });
      // A drag that ended anywhere but on a list puts the card back.
      if (dragged && origin) origin.list.insertBefore(dragged, origin.next);
      dragged = null;
    });
  });

  board.querySelectorAll('.cards').forEach(function (list) {
    list.addEventListener('dragover', function (e) {
      if (!dragged) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
      list.classList.add('drop-target');
      var below = cardBelow(list, e.clientY);
      if (below) list.insertBefore(dragged, below);
      else list.appendChild(dragged);
    });
    list.addEventListener('dragleave', function (e) {
      if (!list.contains(e.relatedTarget)) list.classList.remove('drop-target');
    });
    list.addEventListener('drop', function (e) {
      if (!dragged) return;
      e.preventDefault();
      origin = null;
      drop(list);
    });
  });
})();
