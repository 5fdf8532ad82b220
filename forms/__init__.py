"""WTForms forms with GOV.UK widgets. Messages live in ``forms.messages``."""
