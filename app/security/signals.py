"""What the security layer tells the layers above it: sign-ins and sign-outs.

The audit log records them (``app.audit.events``), but ``security`` sits
below ``audit`` and must not import it: the security manager sends these
signals (blinker, as Flask's own signals) and the audit package, when it is
registered on an app, connects to them for that app only.

Each signal is sent with the app as sender and these keywords:

* ``signed_in``: ``user``;
* ``sign_in_refused``: ``user`` (None for an unknown username) and ``username``;
* ``signed_out``: ``user``.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

signed_in = _signals.signal("portal-signed-in")
sign_in_refused = _signals.signal("portal-sign-in-refused")
signed_out = _signals.signal("portal-signed-out")
