"""Outgoing e-mail: one transport chosen by MAIL_URL (SMTP, SMTP with STARTTLS, SMTPS), or
`.eml` files in the instance folder's outbox when none is configured."""
