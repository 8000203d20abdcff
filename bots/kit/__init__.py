"""The front-end kit: what every chat surface shares, so each platform package holds only
its own API calls.

- ``order``: one chat's events one after another, chats side by side;
- ``turns``: a turn run off the event loop, progress shown, the reply sent, an apology
  and an admin notice when something fails;
- ``progress``: when to show what (indicator, progress message, edits) behind a small
  ``ProgressView`` each platform implements;
- ``outbox``: the lead outbox run at start, periodically and whenever a lead is stored;
- ``bridge``: platform sends called from engine threads, run on the front-end's loop;
- ``sends``: recent sends by idempotency key, so a retried delivery is not sent twice;
- ``layout``: the neutral text layout of a Reply the terminal and text surfaces share.
"""
