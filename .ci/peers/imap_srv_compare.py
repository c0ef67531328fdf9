"""The ENVELOPE and BODYSTRUCTURE two IMAP servers compute for the same
messages, compared.

usage:
  imap_srv_compare.py fetch PORT USER PASS OUT   FETCH 1:* (BODY.PEEK[] ENVELOPE
                                                 BODYSTRUCTURE) into OUT (the server's
                                                 bytes, as sent)
  imap_srv_compare.py compare OURS THEIRS CORPUS compares the two captures message by
                                                 message (matched by content with the
                                                 files of CORPUS)

The values are read from the raw responses with a small IMAP parser (atoms,
quoted strings, literals, lists). Differences the test accepts, each with its
reason, are in ACCEPTED below; anything else fails the test.
"""

import hashlib
import os
import socket
import sys


def fetch(port, user, password, out):
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=30)
    data = b""

    def until(tag):
        nonlocal data
        while not any(line.startswith(tag + b" ") for line in data.split(b"\r\n")):
            chunk = s.recv(1 << 16)
            if not chunk:
                raise SystemExit("connection closed")
            data += chunk

    s.sendall(b"a LOGIN " + user.encode() + b" " + password.encode() + b"\r\n")
    until(b"a")
    s.sendall(b"b EXAMINE INBOX\r\n")
    until(b"b")
    s.sendall(b"c FETCH 1:* (BODY.PEEK[] ENVELOPE BODYSTRUCTURE)\r\n")
    until(b"c")
    s.sendall(b"d LOGOUT\r\n")
    until(b"d")
    s.close()
    with open(out, "wb") as f:
        f.write(data)


class Parser:
    def __init__(self, data):
        self.d = data
        self.i = 0

    def skip_sp(self):
        while self.i < len(self.d) and self.d[self.i : self.i + 1] == b" ":
            self.i += 1

    def value(self):
        self.skip_sp()
        c = self.d[self.i : self.i + 1]
        if c == b"(":
            self.i += 1
            items = []
            while True:
                self.skip_sp()
                if self.d[self.i : self.i + 1] == b")":
                    self.i += 1
                    return items
                items.append(self.value())
        if c == b'"':
            self.i += 1
            out = bytearray()
            while True:
                b = self.d[self.i]
                self.i += 1
                if b == 0x5C:
                    out.append(self.d[self.i])
                    self.i += 1
                elif b == 0x22:
                    return bytes(out)
                else:
                    out.append(b)
        if c in (b"{", b"~"):
            if c == b"~":
                self.i += 1
            end = self.d.index(b"}", self.i)
            n = int(self.d[self.i + 1 : end].rstrip(b"+"))
            start = end + 3
            self.i = start + n
            return bytes(self.d[start : start + n])
        start = self.i
        depth = 0
        while self.i < len(self.d):
            b = self.d[self.i : self.i + 1]
            if b == b"[":
                depth += 1
            elif b == b"]":
                depth -= 1
            elif depth == 0 and b in (b" ", b")", b"(", b"\r"):
                break
            self.i += 1
        atom = self.d[start : self.i]
        if atom.upper() == b"NIL":
            return None
        if atom.isdigit():
            return int(atom)
        return ("atom", atom)


def messages(path):
    data = open(path, "rb").read()
    out = []
    i = 0
    while True:
        at = data.find(b" FETCH (", i)
        if at < 0:
            break
        p = Parser(data)
        p.i = at + len(b" FETCH ")
        items = p.value()
        i = p.i
        d = {}
        for k in range(0, len(items), 2):
            name = items[k][1].upper()
            d[name] = items[k + 1]
        out.append(d)
    return out


def lower(v):
    return v.lower() if isinstance(v, bytes) else v


def norm_params(params):
    # Parameter names are case-insensitive (RFC 2045 §5.1).
    if params is None:
        return None
    return [lower(x) if k % 2 == 0 else x for k, x in enumerate(params)]


def norm_body(b):
    """Case-insensitive tokens (types, subtypes, encodings, parameter and
    disposition names) folded to lower case."""
    if isinstance(b, list) and b and isinstance(b[0], list):
        parts = []
        k = 0
        while k < len(b) and isinstance(b[k], list):
            parts.append(norm_body(b[k]))
            k += 1
        rest = b[k:]
        out = parts + [lower(rest[0])]
        if len(rest) > 1:
            out.append(norm_params(rest[1]))
            out.extend(norm_ext(rest[2:]))
        return out
    if not isinstance(b, list) or len(b) < 7:
        return b
    out = [lower(b[0]), lower(b[1]), norm_params(b[2]), b[3], b[4], lower(b[5]), b[6]]
    rest = b[7:]
    if out[0] == b"message" and out[1] in (b"rfc822", b"global") and len(rest) >= 3 and isinstance(rest[1], list):
        out += [rest[0], norm_body(rest[1]), rest[2]]
        rest = rest[3:]
    elif out[0] == b"text" and rest:
        out.append(rest[0])
        rest = rest[1:]
    if rest:
        out.append(rest[0])  # md5
        out.extend(norm_ext(rest[1:]))
    return out


def norm_ext(ext):
    out = []
    for k, x in enumerate(ext):
        if k == 0 and isinstance(x, list):  # disposition
            out.append([lower(x[0]), norm_params(x[1])])
        elif k == 1 and isinstance(x, bytes):  # one language is a list of one
            out.append([x])
        else:
            out.append(x)
    return out


# Differences between imap-server and Dovecot, by corpus file and item, with
# the reason they are accepted.
ACCEPTED = {
    # Dovecot reads an address list only up to the end of its first group;
    # RFC 5322 §3.4 allows groups and mailboxes after it, which we list.
    ("issues-98-adjacent-groups.eml", "ENVELOPE"): "Dovecot stops after the first group",
    ("issues-98-group-first.eml", "ENVELOPE"): "Dovecot stops after the first group",
    ("regressions-readme-example.eml", "ENVELOPE"): "Dovecot stops after the first group",
    # Two Date fields: we take the first (as Python's email does), Dovecot
    # the last; RFC 5322 §3.6 allows one.
    ("malformed-019.eml", "ENVELOPE"): "duplicate Date: first field kept",
    # "Fr\0om:" is not a From field to us (a field name cannot hold NUL);
    # Dovecot turns NUL into 0x80 and still adds the address.
    ("regressions-header-name-blanks-before-colon.eml", "ENVELOPE"): "field name with NUL ignored",
    # Broken multipart structure (missing, repeated or prefixed boundaries,
    # delimiter lines with suffixes, boundaries over 70 characters): the
    # part tree is mailwire-mime's reading, which differs from Dovecot's
    # on these adversarial messages.
    ("issues-156-suffix.eml", "BODYSTRUCTURE"): "delimiter line with a suffix: mailwire-mime's tree",
    ("malformed-004.eml", "BODYSTRUCTURE"): "nested multipart with the same boundary: mailwire-mime's tree",
    ("malformed-007.eml", "BODYSTRUCTURE"): "boundary prefix of the enclosing one: mailwire-mime's tree",
    ("malformed-016.eml", "BODYSTRUCTURE"): "boundaries over 70 characters: mailwire-mime's tree",
    ("malformed-019.eml", "BODYSTRUCTURE"): "unterminated nested multiparts: mailwire-mime's tree",
    ("regressions-delimiter-rule.eml", "BODYSTRUCTURE"): "delimiter lines with suffixes: mailwire-mime's tree",
    # A header section broken by garbage lines: Dovecot ends it there and
    # reads no Content-Type (an empty type), mailwire-mime reads on.
    ("malformed-017.eml", "BODYSTRUCTURE"): "header section with garbage: mailwire-mime reads on",
    ("malformed-023.eml", "BODYSTRUCTURE"): "header section with garbage: mailwire-mime reads on",
    ("regressions-garbage-line-before-fold.eml", "BODYSTRUCTURE"): "garbage line ends Dovecot's header section",
    ("regressions-header-block-edge-cases.eml", "BODYSTRUCTURE"): "header edge cases end Dovecot's header section",
    # A message with neither MIME-Version nor Content-Type is not MIME to
    # Dovecot, which then drops all its Content-* fields; RFC 2045 §4
    # leaves such a message to local convention, and we read them.
    ("regressions-unstructured-fields.eml", "BODYSTRUCTURE"):
        "no MIME-Version nor Content-Type: Dovecot drops Content-Description (NIL), we give it (RFC 2045 §4: local convention)",
    # message/rfc822 in base64, or whose content has no header section:
    # Dovecot reads the content as a message whatever its encoding, and
    # the line break before the delimiter, which RFC 2046 §5.1.1 gives to
    # the delimiter, ends up in the part's size, line count and BODY[n]
    # (2 octets and 1 line more than ours).
    ("regressions-nested-encoded-message.eml", "BODYSTRUCTURE"):
        "base64 message part: Dovecot takes the delimiter's line break as the blank line ending the base64 'header' (40 octets, 2 lines), we end the part before it (38, 1; RFC 2046 §5.1.1)",
    ("rfc-008.eml", "BODYSTRUCTURE"):
        "base64 message part: Dovecot moves the delimiter's line break from the base64 'header' into the part (1196 octets, 16 lines), we end the part before it (1194, 15; RFC 2046 §5.1.1)",
    ("regressions-nested-headers-cut-by-delimiter.eml", "BODYSTRUCTURE"):
        "nested header section cut by the delimiter: Dovecot counts the delimiter's line break in the message part (17 octets, 1 line), we end the part before it (15, 0; RFC 2046 §5.1.1)",
    ("malformed-022.eml", "BODYSTRUCTURE"):
        "message part starting with a non-field line: Dovecot reads it as the nested header and counts the delimiter's line break in the part (44/1, nested body 0/0), we read it as the nested body and end before the line break (42/0; RFC 2046 §5.1.1)",
    # RFC 2231 continuations mixing plain and extended pieces joined into
    # one extended value: a space is no attribute-char (RFC 2231 §7).
    ("regressions-readme-example.eml", "BODYSTRUCTURE"):
        "RFC 2231 plain pieces joined into name*: Dovecot escapes only '%' and leaves the spaces ('Book about'), we %-encode them ('Book%20about'; RFC 2231 §7 attribute-char excludes SPACE)",
    # Unfolded continuation lines in a nested header section: RFC 5322
    # §2.1 and §3.5 allow neither a non-field line in the header nor a
    # body without the blank line.
    ("thirdparty-015.eml", "BODYSTRUCTURE"):
        "nested header with a non-field line ('(using TLSv1.3 ...' after Received:): mailwire-mime starts the body there (text/plain 2415/56), Dovecot reads on to the blank line (692/13)",
}


def content_key(m):
    # Dovecot serves bare LF line ends as CRLF and NUL as 0x80: match on
    # the rest.
    body = m[b"BODY[]"].replace(b"\r\n", b"\n").replace(b"\x00", b"\x80")
    return hashlib.sha256(body).hexdigest()


def corpus_names(corpus):
    names = {}
    for name in sorted(os.listdir(corpus)):
        if name.endswith(".eml"):
            data = open(os.path.join(corpus, name), "rb").read()
            names.setdefault(content_key({b"BODY[]": data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")}), name)
    return names


def compare(ours_path, theirs_path, corpus):
    names = corpus_names(corpus)
    ours = {content_key(m): m for m in messages(ours_path)}
    theirs = {content_key(m): m for m in messages(theirs_path)}
    if set(ours) != set(theirs) or not ours:
        raise SystemExit(f"not the same messages: {len(ours)} against {len(theirs)}")
    same = {"ENVELOPE": 0, "BODYSTRUCTURE": 0}
    differ = []
    for key, m in sorted(ours.items()):
        t = theirs[key]
        for item in ("ENVELOPE", "BODYSTRUCTURE"):
            a, b = m[item.encode()], t[item.encode()]
            if item == "BODYSTRUCTURE":
                a, b = norm_body(a), norm_body(b)
            if a == b:
                same[item] += 1
            else:
                differ.append((item, names.get(key, "?"), a, b))
    unexpected = 0
    for item, name, a, b in sorted(differ, key=lambda d: d[1]):
        reason = ACCEPTED.get((name, item))
        if reason:
            print(f"  {item} of {name} differs, accepted: {reason}")
        else:
            unexpected += 1
            print(f"{item} of {name} differs:\n  ours   {a!r}\n  theirs {b!r}")
    print(f"{len(ours)} messages: ENVELOPE same for {same['ENVELOPE']}, BODYSTRUCTURE same for {same['BODYSTRUCTURE']}")
    if unexpected:
        raise SystemExit(f"{unexpected} differences not accepted")


def main():
    command, *args = sys.argv[1:]
    if command == "fetch":
        fetch(*args)
    elif command == "compare":
        compare(*args)


if __name__ == "__main__":
    main()
