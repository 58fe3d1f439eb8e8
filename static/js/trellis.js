// Progressive enhancement only: every link and form works without this file.
(function () {
  'use strict';

  // Hovercards: a small card for task links, on hover and on keyboard focus.
  var cards = new Map();
  var card = null;
  var timer = null;
  // The link whose card is wanted now; a card that loads after the pointer or focus left is dropped.
  var active = null;

  function hideCard() {
    clearTimeout(timer);
    if (active) active.removeAttribute('aria-describedby');
    active = null;
    if (card) {
      card.remove();
      card = null;
    }
  }

  function load(url) {
    if (!cards.has(url)) {
      cards.set(url, fetch(url, { credentials: 'same-origin' }).then(function (r) {
        return r.ok ? r.text() : null;
      }).catch(function () {
        cards.delete(url);
        return null;
      }));
    }
    return cards.get(url);
  }

  function showCard(link) {
    load(link.getAttribute('data-hovercard')).then(function (html) {
      if (!html || link !== active || !link.isConnected) return;
      if (card) card.remove();
      card = document.createElement('div');
      card.className = 'hovercard';
      card.id = 'hovercard';
      card.setAttribute('role', 'tooltip');
      // The endpoint renders through the server's escaping templates.
      card.innerHTML = html;
      document.body.appendChild(card);
      link.setAttribute('aria-describedby', 'hovercard');
      var box = link.getBoundingClientRect();
      card.style.top = window.scrollY + box.bottom + 6 + 'px';
      card.style.left = Math.max(8, Math.min(window.scrollX + box.left, window.scrollX + document.documentElement.clientWidth - card.offsetWidth - 8)) + 'px';
    });
  }

  function hovercardLink(event) {
    return event.target.closest ? event.target.closest('a[data-hovercard]') : null;
  }

  function enter(event) {
    var link = hovercardLink(event);
    if (!link || link === active) return;
    hideCard();
    active = link;
    timer = setTimeout(function () { showCard(link); }, event.type === 'focusin' ? 0 : 300);
  }

  function leave(event) {
    var link = hovercardLink(event);
    // Moving between the parts of one link is not leaving it.
    if (!link || link !== active || link.contains(event.relatedTarget)) return;
    hideCard();
  }

  document.addEventListener('mouseover', enter);
  document.addEventListener('focusin', enter);
  document.addEventListener('mouseout', leave);
  document.addEventListener('focusout', leave);
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') hideCard();
  });

  // Quote: add the comment as a "> " quote to the comment box, keeping what is already typed.
  document.addEventListener('click', function (event) {
    var link = event.target.closest ? event.target.closest('a.quote[data-quote]') : null;
    var box = document.getElementById('comment-text');
    if (!link || !box) return;
    event.preventDefault();
    fetch(link.getAttribute('data-quote'), { credentials: 'same-origin' }).then(function (r) {
      return r.ok ? r.text() : null;
    }).catch(function () {
      return null;
    }).then(function (text) {
      // If the quote could not be fetched, the plain link still quotes through a page
      // load, unless that would throw away what is already typed.
      if (text === null) {
        if (!box.value.trim()) window.location.href = link.href;
        return;
      }
      box.value = box.value && !/\n\n$/.test(box.value) ? box.value.replace(/\n*$/, '\n\n') + text : box.value + text;
      box.focus();
      box.scrollIntoView({ block: 'center' });
    });
  });

  // Preview: render the text through the same server renderer as saved text.
  Array.prototype.forEach.call(document.querySelectorAll('textarea[data-preview]'), function (box) {
    var form = box.form;
    var token = form && form.querySelector('input[name="__csrf__"]');
    if (!token) return;
    var button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Preview';
    button.className = 'preview-button';
    var out = document.createElement('div');
    out.className = 'preview markup';
    out.hidden = true;
    // Beside the form's buttons, with the preview below them, so Submit stays where it was.
    var buttons = form.querySelector('.form-buttons');
    if (buttons) {
      buttons.insertBefore(button, buttons.firstChild);
      buttons.insertAdjacentElement('afterend', out);
    } else {
      box.insertAdjacentElement('afterend', out);
      out.insertAdjacentElement('beforebegin', button);
    }
    button.addEventListener('click', function () {
      var body = new URLSearchParams();
      body.set('__csrf__', token.value);
      body.set('text', box.value);
      fetch('/markup/preview', { method: 'POST', credentials: 'same-origin', body: body }).then(function (r) {
        return r.ok ? r.text() : null;
      }).catch(function () {
        return null;
      }).then(function (html) {
        if (html === null) out.textContent = 'The preview could not be loaded. The text is unchanged.';
        else out.innerHTML = html;
        out.hidden = false;
      });
    });
  });

  // Bulk edit: a "select all on this page" box; without JavaScript each task is ticked by hand.
  var bulk = document.getElementById('bulk-edit');
  if (bulk) {
    var boxes = document.querySelectorAll('input.select-task[form="bulk-edit"]');
    var label = document.createElement('label');
    label.className = 'check select-all';
    var all = document.createElement('input');
    all.type = 'checkbox';
    label.appendChild(all);
    label.appendChild(document.createTextNode(' Select all on this page'));
    // Above the list it ticks, where a person looks for it.
    var first = document.querySelector('.task-list .group-header, .task-list ul.tasks');
    if (first) first.insertAdjacentElement('beforebegin', label);
    else bulk.insertBefore(label, bulk.querySelector('.form-buttons'));
    all.addEventListener('change', function () {
      Array.prototype.forEach.call(boxes, function (box) { box.checked = all.checked; });
    });
  }
})();
