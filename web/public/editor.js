/*
 * A small rich-text editor for articles (no CDN, no inline script: CSP allows only our files).
 * It upgrades every <textarea data-rich-editor>: a toolbar and a contenteditable area take its
 * place, and on submit the area's HTML is written back into the (hidden) textarea. Without
 * JavaScript the textarea stays and takes HTML directly. The server sanitises either way.
 */
(function () {
  'use strict';

  var buttons = [
    { label: '粗体', title: '粗体', run: function () { document.execCommand('bold'); } },
    { label: '斜体', title: '斜体', run: function () { document.execCommand('italic'); } },
    { label: 'H2', title: '二级标题', run: function () { document.execCommand('formatBlock', false, '<h2>'); } },
    { label: 'H3', title: '三级标题', run: function () { document.execCommand('formatBlock', false, '<h3>'); } },
    { label: '正文', title: '普通段落', run: function () { document.execCommand('formatBlock', false, '<p>'); } },
    { label: '• 列表', title: '无序列表', run: function () { document.execCommand('insertUnorderedList'); } },
    { label: '1. 列表', title: '有序列表', run: function () { document.execCommand('insertOrderedList'); } },
    { label: '引用', title: '引用', run: function () { document.execCommand('formatBlock', false, '<blockquote>'); } },
    {
      label: '链接',
      title: '插入链接（站内路径或 https:// 地址）',
      run: function () {
        var url = window.prompt('链接地址（如 /guides/xxx 或 https://…）', '');
        if (!url) return;
        url = url.trim();
        if (!/^(https?:\/\/|\/(?!\/)|mailto:)/i.test(url)) {
          window.alert('只支持站内路径、http(s) 或 mailto 链接');
          return;
        }
        document.execCommand('createLink', false, url);
      },
    },
    { label: '图片', title: '上传图片（JPG/PNG/WebP/GIF，≤ 5 MB）', run: function (ctx) { ctx.pickImage(); } },
    { label: '清除格式', title: '清除格式', run: function () { document.execCommand('removeFormat'); } },
  ];

  /** Uploads one image to /admin/content/media with the page's CSRF token; resolves to its URL. */
  function uploadImage(form, file) {
    var token = form.querySelector('input[name=_csrf]');
    var data = new FormData();
    data.append('file', file);
    return fetch('/admin/content/media', {
      method: 'POST',
      body: data,
      credentials: 'same-origin',
      headers: { 'X-CSRF-Token': token ? token.value : '', Accept: 'application/json' },
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (!res.ok || !body.url) throw new Error((body.error && (Object.values(body.error.fields || {})[0] || body.error.message)) || '图片上传失败');
        return body.url;
      });
    });
  }

  function upgrade(textarea) {
    var form = textarea.form;
    if (!form || typeof document.execCommand !== 'function') return;

    var wrapper = document.createElement('div');
    wrapper.className = 'rich-editor';

    var toolbar = document.createElement('div');
    toolbar.className = 'rich-editor-toolbar';
    toolbar.setAttribute('role', 'toolbar');
    toolbar.setAttribute('aria-label', '格式');

    var area = document.createElement('div');
    area.className = 'rich-editor-area';
    area.contentEditable = 'true';
    area.setAttribute('role', 'textbox');
    area.setAttribute('aria-multiline', 'true');
    area.setAttribute('aria-label', '正文');
    area.dataset.editorFor = textarea.name;
    // the textarea's value is HTML the server already sanitised
    area.innerHTML = textarea.value || '<p><br></p>';

    var picker = document.createElement('input');
    picker.type = 'file';
    picker.accept = 'image/jpeg,image/png,image/webp,image/gif';
    picker.hidden = true;
    var savedRange = null;
    picker.addEventListener('change', function () {
      var file = picker.files && picker.files[0];
      picker.value = '';
      if (!file) return;
      uploadImage(form, file).then(function (url) {
        // inserted with the Range API: execCommand('insertImage') may add inline styles, which CSP refuses
        var img = document.createElement('img');
        img.src = url;
        img.alt = '';
        var range = savedRange && area.contains(savedRange.commonAncestorContainer) ? savedRange : null;
        if (range) {
          range.deleteContents();
          range.insertNode(img);
          range.setStartAfter(img);
          range.collapse(true);
          var selection = window.getSelection();
          if (selection) {
            selection.removeAllRanges();
            selection.addRange(range);
          }
        } else {
          area.appendChild(img);
        }
        area.focus();
        sync();
      }, function (err) {
        window.alert(err.message);
      });
    });
    var context = {
      pickImage: function () {
        var selection = window.getSelection();
        savedRange = selection && selection.rangeCount ? selection.getRangeAt(0).cloneRange() : null;
        picker.click();
      },
    };

    buttons.forEach(function (b) {
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = b.label;
      button.title = b.title;
      button.dataset.command = b.title;
      // keep the selection in the editing area while clicking the toolbar
      button.addEventListener('mousedown', function (e) { e.preventDefault(); });
      button.addEventListener('click', function () {
        area.focus();
        b.run(context);
        sync();
      });
      toolbar.appendChild(button);
    });

    function sync() {
      textarea.value = area.innerHTML;
    }
    area.addEventListener('input', sync);
    form.addEventListener('submit', sync);
    // Enter makes paragraphs rather than <div>s
    try { document.execCommand('defaultParagraphSeparator', false, 'p'); } catch { /* older browsers */ }

    wrapper.appendChild(toolbar);
    wrapper.appendChild(area);
    wrapper.appendChild(picker);
    textarea.parentNode.insertBefore(wrapper, textarea);
    textarea.hidden = true;
    var hint = form.querySelector('.editor-hint');
    if (hint) hint.hidden = true;
  }

  function start() {
    var list = document.querySelectorAll('textarea[data-rich-editor]');
    for (var i = 0; i < list.length; i++) upgrade(list[i]);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
