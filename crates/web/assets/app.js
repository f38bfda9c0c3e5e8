// Small progressive enhancements; every page works without this file.
document.addEventListener('submit', function (e) {
  var msg = e.target.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) { e.preventDefault(); }
});
document.addEventListener('change', function (e) {
  if (e.target.matches('select[data-autosubmit]')) { e.target.form.submit(); }
});
