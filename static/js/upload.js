/*
 * Files into Markdown boxes: dropping or pasting files into a box that has a
 * preview uploads each one and inserts its {F12} where the caret is. The
 * upload carries the page's CSRF token as a header. Without JavaScript the
 * boxes are plain text areas.
 */
(function () {
  'use strict';
  if (!window.fetch || !window.FormData) return;
  var tokenField = document.querySelector('input[name="__csrf__"]');
  if (!tokenField) return;

  function insert(box, text) {
    var start = box.selectionStart;
    var end = box.selectionEnd;
    var before = box.value.slice(0, start);
    var glue = before && !/\s$/.test(before) ? ' ' : '';
    box.value = before + glue + text + box.value.slice(end);
    box.selectionStart = box.selectionEnd = start + glue.length + text.length;
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }

  function note(box, message) {
    var out = box.parentNode.querySelector('.upload-status');
    if (!out) {
      out = document.createElement('p');
      out.className = 'upload-status';
      out.setAttribute('role', 'status');
      box.parentNode.insertBefore(out, box.nextSibling);
    }
    out.textContent = message;
  }

  function upload(box, file) {
    var body = new FormData();
    body.append('file', file, file.name || 'pasted');
    note(box, 'Uploading ' + (file.name || 'file') + '…');
    return fetch('/file/upload', { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': tokenField.value }, body: body })
      .then(function (r) {
        if (r.status === 413) throw new Error((file.name || 'This file') + ' is too large.');
        if (!r.ok) throw new Error((file.name || 'The file') + ' could not be uploaded (' + r.status + ').');
        return r.json();
      })
      .then(function (stored) {
        insert(box, stored.markup);
        note(box, 'Uploaded ' + stored.name + ' as ' + stored.monogram + '.');
      })
      .catch(function (err) { note(box, err.message); });
  }

  function uploadAll(box, files) {
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (file) {
      chain = chain.then(function () { return upload(box, file); });
    });
  }

  document.addEventListener('dragover', function (event) {
    if (event.target.matches && event.target.matches('textarea[data-preview]') && event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, 'Files') >= 0) {
      event.preventDefault();
    }
  });
  document.addEventListener('drop', function (event) {
    var box = event.target;
    if (!box.matches || !box.matches('textarea[data-preview]') || !event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    uploadAll(box, event.dataTransfer.files);
  });
  document.addEventListener('paste', function (event) {
    var box = event.target;
    if (!box.matches || !box.matches('textarea[data-preview]') || !event.clipboardData || !event.clipboardData.files.length) return;
    event.preventDefault();
    uploadAll(box, event.clipboardData.files);
  });
})();
