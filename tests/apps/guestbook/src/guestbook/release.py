"""Which code this is: the deploy tests ship a copy with another value and read it back.

A value in the code itself (not in the installed metadata, which is read from disk on every
call) answers only from processes that loaded this very code.
"""

RELEASE = "guestbook-1.0.0"
