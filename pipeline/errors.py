"""The error vocabulary.

Stages catch exactly two kinds of failure:

* :class:`TransientError` - the world is temporarily unwell (Elasticsearch busy or down, a broker
  election). Retry with backoff; never dead-letter.
* :class:`PermanentError` - this input can never succeed (invalid JSON, a body over the size cap, a
  document Elasticsearch rejects). Dead-letter it with the reason and move on.

Anything else is a bug and stops the worker loudly.
"""

from __future__ import annotations


class WirestreamError(Exception):
    """Base of every error Wirestream raises on purpose."""


class TransientError(WirestreamError):
    """Retry later; the input is fine."""


class PermanentError(WirestreamError):
    """The input cannot be processed; dead-letter it with this reason."""


class UserError(WirestreamError):
    """A problem the person running a command can fix; the message says how."""


class CredentialsRefused(UserError):
    """Kafka or Elasticsearch refused the configured credentials (exit code 4): no retry helps."""

    exit_code = 4


class NotAllowed(UserError):
    """Kafka's ACLs or Elasticsearch's roles refuse what was asked (exit code 4): these credentials
    are for another component."""

    exit_code = 4


class UntrustedCertificate(UserError):
    """A TLS handshake failed: the server's certificate is not trusted, or TLS is not spoken there
    (exit code 5): no retry helps."""

    exit_code = 5
