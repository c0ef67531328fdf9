//! Known-answer tests: examples from RFC 9051 and RFC 3501, and greeting
//! lines seen from real servers (`/work/shared/vectors` quirks).

use mailwire_imap::Limits;
use mailwire_imap::decode::{self, DecodeError, DecodeErrorKind, Decoded, GreetingDecoder};
use mailwire_imap::encode::{self, Encode, StringForm};
use mailwire_imap::session::State;
use mailwire_imap::types::{
    Atom, Capability, Code, Greeting, GreetingKind, Mailbox, SeqItem, SeqNumber, SequenceSet, utf7,
};

fn greeting(line: &[u8]) -> Greeting<'_> {
    let (g, used) = decode::greeting(line, &Limits::default())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(used, line.len(), "{:?}", String::from_utf8_lossy(line));
    g
}

fn greeting_err(line: &[u8]) -> DecodeError {
    decode::greeting(line, &Limits::default()).unwrap_err()
}

#[test]
fn rfc9051_greetings() {
    // RFC 9051 §7.1.1.
    let g = greeting(b"* OK IMAP4rev2 server ready\r\n");
    assert_eq!((g.kind(), g.code()), (GreetingKind::Ok, None));
    assert_eq!(g.text().as_bytes(), b"IMAP4rev2 server ready");
    // RFC 9051 §7.1.1 (an ALERT, here on the greeting line).
    let g = greeting(b"* OK [ALERT] System shutdown in 10 minutes\r\n");
    assert_eq!(g.code(), Some(&Code::Alert));
    assert_eq!(g.text().as_bytes(), b"System shutdown in 10 minutes");
    // RFC 9051 §7.1.4.
    let g = greeting(b"* PREAUTH IMAP4rev2 server logged in as Smith\r\n");
    assert_eq!(g.kind(), GreetingKind::PreAuth);
    // RFC 9051 §7.1.5.
    let g = greeting(b"* BYE Autologout; idle for too long\r\n");
    assert_eq!(g.kind(), GreetingKind::Bye);
    assert_eq!(State::after_greeting(&g), State::Logout);
    // RFC 9051 §6.2.2.
    let g = greeting(
        b"* OK [CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED] Server ready\r\n",
    );
    assert_eq!(
        g.capabilities().unwrap(),
        [
            Capability::Imap4Rev2,
            Capability::StartTls,
            Capability::Auth(Atom::new("GSSAPI").unwrap()),
            Capability::LoginDisabled,
        ]
    );
    assert_eq!(g.text().as_bytes(), b"Server ready");
    assert_eq!(
        g.to_bytes(),
        b"* OK [CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED] Server ready\r\n"
    );
}

#[test]
fn rfc3501_greetings() {
    // RFC 3501 §7.1.1 and §7.1.5.
    let g = greeting(b"* OK IMAP4rev1 Server\r\n");
    assert_eq!(State::after_greeting(&g), State::NotAuthenticated);
    let g = greeting(b"* BYE IMAP4rev1 Server logging out\r\n");
    assert_eq!(g.text().as_bytes(), b"IMAP4rev1 Server logging out");
}

#[test]
fn capabilities_are_typed() {
    let g = greeting(
        b"* OK [CAPABILITY IMAP4rev1 imap4REV2 LITERAL+ LITERAL- auth=PLAIN AUTH=XOAUTH2 SASL-IR ID] x\r\n",
    );
    let caps = g.capabilities().unwrap();
    assert_eq!(caps[0], Capability::Imap4Rev1);
    assert_eq!(caps[1], Capability::Imap4Rev2);
    assert_eq!(caps[2], Capability::LiteralPlus);
    assert_eq!(caps[3], Capability::LiteralMinus);
    assert_eq!(caps[4], Capability::Auth(Atom::new("PLAIN").unwrap()));
    assert_eq!(caps[5], Capability::Auth(Atom::new("XOAUTH2").unwrap()));
    assert_eq!(caps[6], Capability::Other(Atom::new("SASL-IR").unwrap()));
    assert_eq!(caps.len(), 8);
}

#[test]
fn other_codes_never_fail_the_line() {
    let g = greeting(b"* OK [UIDNEXT 4392] Predicted next UID\r\n");
    assert_eq!(g.code(), Some(&Code::UidNext(4392)));
    // A known code whose arguments break its grammar is kept as sent.
    let g = greeting(b"* OK [UIDNEXT soon] Predicted next UID\r\n");
    let Some(Code::Other(o)) = g.code() else {
        panic!("{g:?}")
    };
    assert_eq!(o.name().as_str(), "UIDNEXT");
    assert_eq!(o.text().unwrap().as_bytes(), b"soon");
    // An argument list the crate does not model is kept.
    let g = greeting(b"* OK [X-FLAGS (\\Deleted \\Seen \\*)] Limited\r\n");
    let Some(Code::Other(o)) = g.code() else {
        panic!("{g:?}")
    };
    assert_eq!(o.text().unwrap().as_bytes(), b"(\\Deleted \\Seen \\*)");
    // Vendor codes with quoted strings (Exchange Online, net-imap#597).
    let line = b"* OK [Error=\"Microsoft.Exchange.Data.Storage.WrongServerException:Cross Server access is not allowed\" AuthResultFromPopImapEnd=0 Service=Imap4] AUTHENTICATE completed.\r\n";
    let g = greeting(line);
    let Some(Code::Other(o)) = g.code() else {
        panic!("{g:?}")
    };
    assert_eq!(o.name().as_str(), "Error=");
    assert!(o.text().unwrap().as_bytes().starts_with(b"\"Microsoft"));
    assert_eq!(g.text().as_bytes(), b"AUTHENTICATE completed.");
    // ALERT with arguments, and CAPABILITY with a non-atom, stay Other.
    assert!(matches!(
        greeting(b"* OK [ALERT now] x\r\n").code(),
        Some(Code::Other(_))
    ));
    assert!(matches!(
        greeting(b"* OK [CAPABILITY IMAP4rev1 (X)] x\r\n").code(),
        Some(Code::Other(_))
    ));
    // A '[' that opens no code is text.
    for line in [
        &b"* OK [no close\r\n"[..],
        b"* OK [] x\r\n",
        b"* OK [ x] y\r\n",
    ] {
        let g = greeting(line);
        assert_eq!(g.code(), None);
        assert_eq!(g.text().as_bytes()[0], b'[');
        assert_eq!(g.to_bytes(), line);
    }
}

#[test]
fn real_server_quirks() {
    // Gmail / iCloud: no SP and no text after the code (vectors X1, X2).
    let g = greeting(b"* OK [HIGHESTMODSEQ 13632]\r\n");
    assert_eq!(g.code(), Some(&Code::HighestModSeq(13632)));
    assert_eq!(g.text().as_bytes(), b"");
    let g = greeting(b"* OK [UIDVALIDITY 1]\r\n");
    assert_eq!(g.text().as_bytes(), b"");
    // Telekom Hungary: double SP inside the capability list (vector X3).
    let g = greeting(
        b"* OK [CAPABILITY IMAP4rev1  SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+] ready\r\n",
    );
    assert_eq!(g.capabilities().unwrap().len(), 7);
    // Empty capability list, trailing spaces, extra SP, lowercase words, no text.
    assert_eq!(
        greeting(b"* OK [CAPABILITY]\r\n").capabilities().unwrap(),
        []
    );
    assert_eq!(
        greeting(b"* OK [CAPABILITY IMAP4rev1 ] hi\r\n")
            .capabilities()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        greeting(b"* OK ready   \r\n").text().as_bytes(),
        b"ready   "
    );
    assert_eq!(greeting(b"*  ok  hi\r\n").text().as_bytes(), b"hi");
    assert_eq!(greeting(b"* OK\r\n").text().as_bytes(), b"");
    assert_eq!(greeting(b"* OK \r\n").text().as_bytes(), b"");
    assert_eq!(greeting(b"* OK [ALERT]go\r\n").text().as_bytes(), b"go");
    assert_eq!(greeting(b"* OK ready\n").text().as_bytes(), b"ready");
    // 8-bit text is kept.
    assert_eq!(
        greeting("* OK Привет\r\n".as_bytes()).text().as_str(),
        Some("Привет")
    );
}

#[test]
fn a_literal_announcement_at_the_end_of_text_is_text() {
    // Vector X12: `{12}` ends the text; the next line is not swallowed.
    let input = b"* OK [TRYCREATE] Mailbox does not exist: Foo{12}\r\n* 1 EXISTS\r\n";
    let (g, used) = decode::greeting(input, &Limits::default())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(used, 50);
    assert_eq!(g.text().as_bytes(), b"Mailbox does not exist: Foo{12}");
    let mut d = GreetingDecoder::new(Limits::default());
    d.push(input);
    assert!(d.next_greeting().unwrap().is_ok());
    assert_eq!(d.buffered(), b"* 1 EXISTS\r\n");
}

/// Unescapes a vector line: `\r \n \t \\ \"` and `\xNN`.
fn unescape(line: &str) -> Vec<u8> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            i += 1;
            match b[i] {
                b'r' => out.push(b'\r'),
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'x' => {
                    let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 2;
                }
                other => out.push(other),
            }
        } else {
            out.push(b[i]);
        }
        i += 1;
    }
    out
}

#[test]
fn vector_file_status_lines_decode_as_greetings() {
    let Ok(file) = std::fs::read_to_string("/work/shared/vectors/imap-server-responses.txt") else {
        return; // the shared vectors are not part of the published crate
    };
    let mut seen = 0;
    for line in file.lines() {
        let upper = line.to_ascii_uppercase();
        if !(upper.starts_with("* OK")
            || upper.starts_with("* PREAUTH")
            || upper.starts_with("* BYE"))
        {
            continue;
        }
        let bytes = unescape(line);
        let g = greeting(&bytes);
        let again = g.to_bytes();
        assert_eq!(greeting(&again), g);
        seen += 1;
    }
    assert!(seen >= 2);
}

#[test]
fn greeting_errors_say_where() {
    let e = greeting_err(b"+ OK\r\n");
    assert_eq!(
        (e.offset, e.kind, e.discard),
        (0, DecodeErrorKind::Expected { what: "'*'" }, 6)
    );
    let e = greeting_err(b"* NO go away\r\n");
    assert_eq!((e.offset, e.kind), (2, DecodeErrorKind::NotAGreeting));
    let e = greeting_err(b"* 3 EXISTS\r\n");
    assert_eq!((e.offset, e.kind), (2, DecodeErrorKind::NotAGreeting));
    let e = greeting_err(b"*OK\r\n");
    assert_eq!(
        (e.offset, e.kind),
        (1, DecodeErrorKind::Expected { what: "SP" })
    );
    let e = greeting_err(b"* OK\thi\r\n");
    assert_eq!(
        (e.offset, e.kind),
        (4, DecodeErrorKind::Expected { what: "SP" })
    );
    let e = greeting_err(b"* OK a\rb\r\n");
    assert_eq!((e.offset, e.kind), (6, DecodeErrorKind::BareCr));
    let e = greeting_err(b"* OK a\0b\r\n");
    assert_eq!((e.offset, e.kind), (6, DecodeErrorKind::Nul));
    let mut limits = Limits::default();
    limits.line_length = 10;
    let e = decode::greeting(b"* OK 0123456789", &limits).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::LineTooLong { limit: 10 });
    assert!(e.until_line_end);
    assert!(decode::greeting(b"* OK 012\r\n", &limits).is_ok());
    assert!(decode::greeting(b"* OK 0123\r\n", &limits).is_err());
    assert_eq!(
        decode::greeting(b"* OK 01", &limits),
        Ok(Decoded::Incomplete)
    );
    assert_eq!(decode::greeting(b"", &limits), Ok(Decoded::Incomplete));
}

fn collect(
    stream: &[u8],
    chunk: usize,
    limits: Limits,
) -> (Vec<Result<Greeting<'static>, DecodeError>>, Vec<u8>) {
    let mut d = GreetingDecoder::new(limits);
    let mut out = Vec::new();
    for c in stream.chunks(chunk) {
        d.push(c);
        while let Some(r) = d.next_greeting() {
            out.push(r);
        }
    }
    (out, d.buffered().to_vec())
}

#[test]
fn streaming_matches_stateless_for_every_split() {
    let stream: &[u8] = b"garbage\r\n* NO busy\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready {12}\r\n* 1 EXISTS\r\nA1 OK done\r\n";
    let whole = collect(stream, stream.len(), Limits::default());
    assert_eq!(whole.0.len(), 3);
    assert_eq!(whole.0[0].as_ref().unwrap_err().offset, 0);
    assert_eq!(whole.0[1].as_ref().unwrap_err().offset, 11);
    // The stateless decoder agrees, line by line.
    let (g, _) = decode::greeting(&stream[20..], &Limits::default())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(whole.0[2].as_ref().unwrap(), &g.into_owned());
    assert_eq!(whole.1, b"* 1 EXISTS\r\nA1 OK done\r\n");
    for chunk in 1..stream.len() {
        assert_eq!(
            collect(stream, chunk, Limits::default()),
            whole,
            "chunk size {chunk}"
        );
    }
}

#[test]
fn streaming_skips_an_overlong_line_without_buffering_it() {
    let mut limits = Limits::default();
    limits.line_length = 16;
    let mut d = GreetingDecoder::new(limits);
    d.push(b"* OK ");
    assert!(d.next_greeting().is_none());
    d.push(&[b'x'; 100]);
    let e = d.next_greeting().unwrap().unwrap_err();
    assert_eq!(
        (e.offset, e.kind),
        (0, DecodeErrorKind::LineTooLong { limit: 16 })
    );
    for _ in 0..100 {
        d.push(&[b'y'; 1000]);
        assert!(d.buffered().is_empty());
    }
    d.push(b"yyy\r\n* BYE\r\n");
    let g = d.next_greeting().unwrap().unwrap();
    assert_eq!(g.kind(), GreetingKind::Bye);
    assert_eq!(d.offset(), 5 + 100 + 100_000 + 5 + 7);
    assert!(d.is_done());
    let stream = [&b"* OK "[..], &[b'x'; 40], b"\r\n* OK hi\r\n"].concat();
    let whole = collect(&stream, stream.len(), limits);
    for chunk in 1..stream.len() {
        assert_eq!(collect(&stream, chunk, limits), whole, "chunk size {chunk}");
    }
}

#[test]
fn rfc9051_sequence_set_examples() {
    // RFC 9051 §9, the sequence-set comments.
    let set: SequenceSet = "2,4:7,9,12:*".parse().unwrap();
    assert_eq!(
        set.numbers(15).collect::<Vec<_>>(),
        [2, 4, 5, 6, 7, 9, 12, 13, 14, 15]
    );
    let set: SequenceSet = "*:4,5:7".parse().unwrap();
    assert_eq!(
        set.numbers(10).collect::<Vec<_>>(),
        [10, 9, 8, 7, 6, 5, 4, 5, 6, 7]
    );
    assert_eq!(set.normalized(10), [4..=10]);
    // 2:4 and 4:2 are equivalent.
    let a: SequenceSet = "2:4".parse().unwrap();
    let b: SequenceSet = "4:2".parse().unwrap();
    assert_eq!(a.normalized(100), b.normalized(100));
    assert!((1..=5).all(|n| a.contains(n, 9) == b.contains(n, 9)));
    // 3291:* includes the last UID even when it is below 3291.
    let set: SequenceSet = "3291:*".parse().unwrap();
    assert!(set.contains(100, 100));
    assert!(!set.contains(99, 100));
    // `1:*` as in RFC 9051 §6.4.8's UID COPY example.
    let set: SequenceSet = "1:*".parse().unwrap();
    assert_eq!(set.count(15), 15);
    // `*` in an empty mailbox stands for nothing.
    assert!(!set.contains(1, 0));
    assert_eq!(set.count(0), 0);
    // `$` (RFC 9051 §6.4.4.1).
    let set: SequenceSet = "$".parse().unwrap();
    assert!(set.is_last_command());
    assert!(set.items().is_empty());
    assert_eq!(set.to_bytes(), b"$");
}

#[test]
fn hostile_sequence_sets_cost_nothing() {
    let set: SequenceSet = "1:4294967295,4294967295:1".parse().unwrap();
    assert_eq!(set.count(u32::MAX), 2 * 4_294_967_295);
    assert_eq!(set.normalized(u32::MAX), [1..=u32::MAX]);
    assert_eq!(set.numbers(u32::MAX).take(2).collect::<Vec<_>>(), [1, 2]);
    assert!(set.contains(u32::MAX, 5));
    let mut limits = Limits::default();
    limits.list_items = 3;
    let e = decode::sequence_set(b"1,2,3,4 ", &limits).unwrap_err();
    assert_eq!(
        (e.offset, e.kind),
        (6, DecodeErrorKind::TooManyItems { limit: 3 })
    );
    assert!(decode::sequence_set(b"1,2,3 ", &limits).is_ok());
}

#[test]
fn sequence_set_errors_say_where() {
    let l = Limits::default();
    let err = |s: &[u8]| {
        let e = decode::sequence_set(s, &l).unwrap_err();
        (e.offset, e.kind)
    };
    assert_eq!(err(b"1:0 "), (2, DecodeErrorKind::InvalidNumber));
    assert_eq!(err(b"0 "), (0, DecodeErrorKind::InvalidNumber));
    assert_eq!(err(b"01 "), (0, DecodeErrorKind::InvalidNumber));
    assert_eq!(err(b"4294967296 "), (0, DecodeErrorKind::InvalidNumber));
    assert_eq!(
        err(b"1,,2 "),
        (2, DecodeErrorKind::Expected { what: "seq-number" })
    );
    assert_eq!(
        err(b"1,x "),
        (2, DecodeErrorKind::Expected { what: "seq-number" })
    );
    assert_eq!(
        err(b" "),
        (0, DecodeErrorKind::Expected { what: "seq-number" })
    );
    assert_eq!(err(b"1,$ "), (2, DecodeErrorKind::LastCommandNotAlone));
    assert_eq!(err(b"$,1 "), (1, DecodeErrorKind::LastCommandNotAlone));
    let e = decode::sequence_set(b"1:0 x\r\nA2 NOOP\r\n", &l).unwrap_err();
    assert_eq!(e.discard, 7);
    // Incomplete while more bytes could extend the set.
    for s in [&b""[..], b"1", b"1:", b"1,", b"12:*", b"4294967295", b"$"] {
        assert_eq!(
            decode::sequence_set(s, &l),
            Ok(Decoded::Incomplete),
            "{s:?}"
        );
    }
    let (set, used) = decode::sequence_set(b"1:*,7 UID", &l)
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(used, 5);
    let n = |v| SeqNumber::new(v).unwrap();
    assert_eq!(
        set.items(),
        [
            SeqItem::Range(n(1), SeqNumber::Largest),
            SeqItem::Single(n(7))
        ]
    );
    assert!("1:".parse::<SequenceSet>().is_err());
    assert!("1 ".parse::<SequenceSet>().is_err());
}

#[test]
fn tags_and_atoms() {
    let (t, n) = decode::tag(b"a1] x").unwrap().complete().unwrap();
    assert_eq!((t.as_str(), n), ("a1]", 3));
    let e = decode::tag(b"+ go\r\n").unwrap_err();
    assert_eq!(
        (e.offset, e.kind, e.discard),
        (0, DecodeErrorKind::Expected { what: "tag" }, 6)
    );
    let (t, n) = decode::tag(b"A1+ x").unwrap().complete().unwrap();
    assert_eq!((t.as_str(), n), ("A1", 2));
    assert!(decode::atom(b"\\Seen)").is_err());
    assert!(decode::atom(b"(x").is_err());
    let (a, _) = decode::atom(b"IDLE]").unwrap().complete().unwrap();
    assert_eq!(a.as_str(), "IDLE");
    assert_eq!(decode::atom(b"IDLE"), Ok(Decoded::Incomplete));
}

#[test]
fn rfc3501_mailbox_name_example() {
    // RFC 3501 §5.1.3.
    let wire = b"~peter/mail/&U,BTFw-/&ZeVnLIqe-";
    let name = "~peter/mail/\u{53f0}\u{5317}/\u{65e5}\u{672c}\u{8a9e}";
    assert_eq!(utf7::decode(wire).unwrap(), name);
    assert_eq!(utf7::encode(name).as_bytes(), wire);
    let input = [&wire[..], b" (\\HasNoChildren)"].concat();
    let (m, used) = decode::mailbox(&input).unwrap().complete().unwrap();
    assert_eq!(used, wire.len());
    assert_eq!(m.to_name().unwrap(), name);
    assert_eq!(m, Mailbox::from_name(name));
    let mut out = Vec::new();
    assert_eq!(encode::mailbox(&m, &mut out), Ok(StringForm::Atom));
    assert_eq!(out, wire);
    // "&Jjo!" is not a valid name (RFC 3501 §5.1.3).
    assert_eq!(utf7::decode(b"&Jjo!").unwrap_err().offset, 4);
}

#[test]
fn mailboxes() {
    for inbox in [&b"INBOX "[..], b"inbox ", b"\"InBoX\"", b"\"inbox\" "] {
        let (m, _) = decode::mailbox(inbox).unwrap().complete().unwrap();
        assert_eq!(m, Mailbox::Inbox);
    }
    let (m, used) = decode::mailbox(b"\"a\\\\b \\\"c\\\"\"x")
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!((m.as_bytes(), used), (&b"a\\b \"c\""[..], 12));
    let (m, _) = decode::mailbox(b"\"\" ").unwrap().complete().unwrap();
    assert_eq!(m.as_bytes(), b"");
    let (m, _) = decode::mailbox("\"Entwürfe\"".as_bytes())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(m, Mailbox::from_utf8("Entwürfe").unwrap());
    let mut out = Vec::new();
    assert!(encode::mailbox(&m, &mut out).is_err());
    assert!(out.is_empty());
    // Incomplete inside a name; errors with offsets.
    assert_eq!(decode::mailbox(b"\"Sent"), Ok(Decoded::Incomplete));
    assert_eq!(decode::mailbox(b"\"Sent\\"), Ok(Decoded::Incomplete));
    assert_eq!(decode::mailbox(b"Sent"), Ok(Decoded::Incomplete));
    let err = |s: &[u8]| {
        let e = decode::mailbox(s).unwrap_err();
        (e.offset, e.kind)
    };
    assert_eq!(
        err(b"{5}\r\nDraft"),
        (0, DecodeErrorKind::UnsupportedLiteral)
    );
    assert_eq!(err(b"\"a\\nb\""), (3, DecodeErrorKind::InvalidEscape));
    assert_eq!(
        err(b"\"a\r\n"),
        (2, DecodeErrorKind::Expected { what: "'\"'" })
    );
    assert_eq!(err(b"\"a\0\""), (2, DecodeErrorKind::Nul));
    assert_eq!(
        err(b"(x"),
        (0, DecodeErrorKind::Expected { what: "mailbox" })
    );
}

#[test]
fn sessions_start_from_the_greeting() {
    for (line, state) in [
        (&b"* OK hi\r\n"[..], State::NotAuthenticated),
        (b"* PREAUTH hi\r\n", State::Authenticated),
        (b"* BYE hi\r\n", State::Logout),
    ] {
        assert_eq!(State::after_greeting(&greeting(line)), state);
    }
    assert_eq!(
        State::from_greeting_kind(GreetingKind::Ok),
        State::NotAuthenticated
    );
    let _ = State::Selected;
}
