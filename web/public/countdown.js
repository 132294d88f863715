// 重新获取 countdown: a code button rendered with data-countdown="N" (seconds until another code
// may be sent) is disabled and counts down, then enabled again. Without script the button stays
// usable and the server refuses a code asked for too soon, with the wait in words.
(function () {
  var buttons = document.querySelectorAll('button[data-countdown]');
  Array.prototype.forEach.call(buttons, function (button) {
    var left = parseInt(button.getAttribute('data-countdown'), 10);
    if (!(left > 0)) return;
    var label = button.textContent;
    button.disabled = true;
    var tick = function () {
      if (left <= 0) {
        button.disabled = false;
        button.textContent = label;
        return;
      }
      button.textContent = label + '（' + left + ' 秒）';
      left -= 1;
      setTimeout(tick, 1000);
    };
    tick();
  });
})();
