// Submits a form marked data-autosubmit (the SAML POST binding); its button works without JS.
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) { form.submit(); });
