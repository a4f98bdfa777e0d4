"""Email capture (SPEC §6): the capture mailbox over IMAP, parsing, linking, and outgoing mail over SMTP."""
