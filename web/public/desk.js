// 在线客服: keeps a conversation's thread live (server-sent events), refreshes an agent's queue
// when it changes, and suggests guides while a borrower types a question. Without script the
// pages work as they are: forms post, and a refresh link shows new messages.
(function () {
  function messageItem(m) {
    var li = document.createElement('li');
    li.className = 'msg desk-' + m.kind + (m.mine ? ' mine' : '');
    li.setAttribute('data-id', String(m.id));
    var who = document.createElement('span');
    who.className = 'small muted';
    who.textContent = m.authorLabel + ' · ' + m.at;
    var body = document.createElement('div');
    body.className = 'pre';
    body.textContent = m.body;
    li.appendChild(who);
    li.appendChild(body);
    return li;
  }

  var thread = document.querySelector('[data-desk-stream]');
  if (thread && window.EventSource) {
    var items = thread.querySelectorAll('li[data-id]');
    var after = items.length ? items[items.length - 1].getAttribute('data-id') : '0';
    var shown = thread.getAttribute('data-desk-status');
    var source = new EventSource(thread.getAttribute('data-desk-stream') + '?after=' + encodeURIComponent(after));
    thread.setAttribute('data-live', 'connecting');
    source.onopen = function () {
      thread.setAttribute('data-live', 'open');
    };
    source.addEventListener('message', function (event) {
      var m = JSON.parse(event.data);
      if (thread.querySelector('li[data-id="' + m.id + '"]')) return;
      thread.appendChild(messageItem(m));
      thread.lastChild.scrollIntoView({ block: 'nearest' });
    });
    source.addEventListener('status', function (event) {
      var status = JSON.parse(event.data).status;
      // closed (the rating form appears) or reopened elsewhere: show the page as it now is
      if (status !== shown && (status === 'closed' || shown === 'closed')) {
        source.close();
        window.location.reload();
      }
    });
  }

  var queue = document.querySelector('[data-desk-queue]');
  if (queue && window.EventSource && window.fetch && window.DOMParser) {
    var reloading = false;
    var reload = function () {
      if (reloading) return;
      reloading = true;
      fetch(window.location.href, { credentials: 'same-origin' })
        .then(function (res) {
          return res.text();
        })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, 'text/html').querySelector('[data-desk-queue]');
          if (fresh) queue.innerHTML = fresh.innerHTML;
        })
        .catch(function () {})
        .then(function () {
          reloading = false;
        });
    };
    (queue.getAttribute('data-desk-groups') || '').split(',').forEach(function (groupId) {
      if (!groupId) return;
      new EventSource('/admin/desk/groups/' + encodeURIComponent(groupId) + '/events').addEventListener('queue', reload);
    });
  }

  var question = document.querySelector('textarea[data-desk-suggest]');
  var list = document.querySelector('[data-desk-suggestions]');
  if (question && list && window.fetch) {
    var timer = null;
    var last = '';
    question.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = question.value.trim();
        if (q.length < 2 || q === last) return;
        last = q;
        fetch('/api/v1/desk/suggestions?q=' + encodeURIComponent(q.slice(0, 100)), { credentials: 'same-origin' })
          .then(function (res) {
            return res.ok ? res.json() : { items: [] };
          })
          .then(function (data) {
            list.innerHTML = '';
            data.items.forEach(function (a) {
              var li = document.createElement('li');
              var link = document.createElement('a');
              link.href = '/guides/' + encodeURIComponent(a.slug);
              link.textContent = a.title;
              var summary = document.createElement('span');
              summary.className = 'small muted';
              summary.textContent = a.summary;
              li.appendChild(link);
              li.appendChild(summary);
              list.appendChild(li);
            });
            list.parentNode.hidden = data.items.length === 0;
          })
          .catch(function () {});
      }, 400);
    });
  }
})();
