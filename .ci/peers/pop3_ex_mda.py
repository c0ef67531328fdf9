"""An MDA for fetchmail: saves the message on stdin as a new file in DIR.

usage: pop3_ex_mda.py DIR
"""
import os
import sys
import time

data = sys.stdin.buffer.read()
name = "%d.%d.eml" % (time.time_ns(), os.getpid())
tmp = os.path.join(sys.argv[1], "." + name)
with open(tmp, "wb") as f:
    f.write(data)
os.rename(tmp, os.path.join(sys.argv[1], name))
