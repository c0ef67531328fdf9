use std::collections::VecDeque;

use super::*;
use crate::encode::{BodyEncoder, Encode};
use crate::types::{Expiry, MessageNumber, OtherCode, ResponseCode, Text, UniqueId};

fn limits() -> Limits {
    Limits::default()
}

/// Decodes one whole response that uses all of `input`.
fn one(input: &[u8], expect: Expect) -> Reply<'_> {
    let (reply, used) = response(input, expect, &limits())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(used, input.len(), "{:?}", String::from_utf8_lossy(input));
    reply
}

fn single(input: &[u8]) -> Response<'_> {
    match one(input, Expect::Single) {
        Reply::Single(r) => r,
        other => panic!("{other:?}"),
    }
}

fn multi(input: &[u8], expect: Expect) -> (Response<'_>, Body<'_>) {
    match one(input, expect) {
        Reply::Multi(m) => m.into_parts(),
        other => panic!("{other:?}"),
    }
}

fn msg(n: u32) -> MessageNumber {
    MessageNumber::new(n).unwrap()
}

fn text(r: &Response<'_>) -> String {
    String::from_utf8_lossy(r.text().as_bytes()).into_owned()
}

#[test]
fn rfc1939_server_lines() {
    // §4: the greeting; §6: QUIT.
    let g = match one(b"+OK POP3 server ready\r\n", Expect::Greeting) {
        Reply::Greeting(g) => g,
        other => panic!("{other:?}"),
    };
    assert!(g.response().is_ok());
    assert_eq!(g.timestamp(), None);
    for line in [
        &b"+OK dewey POP3 server signing off\r\n"[..],
        b"+OK dewey POP3 server signing off (maildrop empty)\r\n",
        b"+OK dewey POP3 server signing off (2 messages left)\r\n",
        b"+OK message 1 deleted\r\n",
        b"+OK\r\n",
        b"+OK maildrop has 2 messages (320 octets)\r\n",
        b"+OK mrose is a real hoopy frood\r\n",
        b"+OK mrose's maildrop has 2 messages (320 octets)\r\n",
        b"+OK maildrop has 1 message (369 octets)\r\n",
    ] {
        let r = single(line);
        assert!(r.is_ok());
        assert_eq!(r.to_bytes(), line);
    }
    for line in [
        &b"-ERR no such message, only 2 messages in maildrop\r\n"[..],
        b"-ERR message 2 already deleted\r\n",
        b"-ERR no such message\r\n",
        b"-ERR sorry, no mailbox for frated here\r\n",
        b"-ERR maildrop already locked\r\n",
    ] {
        let r = single(line);
        assert_eq!(r.status(), Status::Err);
        assert_eq!(r.code(), None);
        assert_eq!(r.to_bytes(), line);
    }
    // §5 STAT: a drop listing.
    let stat = single(b"+OK 2 320\r\n");
    assert_eq!(
        stat.drop_listing(),
        Some(crate::types::DropListing {
            count: 2,
            size: 320
        })
    );
    // §5 LIST: multi-line, and one line with an argument.
    let (r, body) = multi(
        b"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n",
        Expect::Scan,
    );
    assert_eq!(text(&r), "2 messages (320 octets)");
    assert_eq!(
        body,
        Body::Scan(vec![
            ScanListing {
                msg: msg(1),
                size: 120
            },
            ScanListing {
                msg: msg(2),
                size: 200
            },
        ])
    );
    assert_eq!(
        single(b"+OK 2 200\r\n").scan_listing(),
        Some(ScanListing {
            msg: msg(2),
            size: 200
        })
    );
    // A -ERR to a multi-line command is one line.
    assert!(matches!(
        one(b"-ERR no such message, only 2 messages in maildrop\r\n", Expect::Scan),
        Reply::Single(r) if r.status() == Status::Err
    ));
    // §5 RETR.
    let (r, body) = multi(
        b"+OK 120 octets\r\n<the POP3 server sends the entire message here>\r\n.\r\n",
        Expect::Message,
    );
    assert_eq!(text(&r), "120 octets");
    assert_eq!(
        body,
        Body::Message(Bytes::from_static(
            b"<the POP3 server sends the entire message here>\r\n"
        ))
    );
    // §7 UIDL.
    let (_, body) = multi(
        b"+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n",
        Expect::UniqueIds,
    );
    let Body::UniqueIds(ids) = body else {
        panic!("{body:?}")
    };
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[1].msg, msg(2));
    assert_eq!(ids[1].uid.as_str(), "QhdPYR:00WBw1Ph7x7");
    let one_uid = single(b"+OK 2 QhdPYR:00WBw1Ph7x7\r\n");
    assert_eq!(
        one_uid.unique_id_listing().map(|u| u.uid.into_owned()),
        Some(UniqueId::new(&b"QhdPYR:00WBw1Ph7x7"[..]).unwrap())
    );
    // §7 APOP: the greeting's timestamp.
    let Reply::Greeting(g) = one(
        b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n",
        Expect::Greeting,
    ) else {
        panic!()
    };
    assert_eq!(
        g.timestamp(),
        Some(&b"<1896.697170952@dbc.mtview.ca.us>"[..])
    );
}

/// Decodes `stream` with a streaming decoder told `expects`, fed in pieces
/// of `chunk` bytes, assembling events into whole replies.
fn streaming(
    stream: &[u8],
    expects: &[Expect],
    limits: Limits,
    chunk: usize,
) -> Vec<Result<Reply<'static>, DecodeError>> {
    let mut d = ResponseDecoder::without_greeting(limits);
    for &e in expects {
        d.expect(e);
    }
    let mut out = Vec::new();
    let mut open: Option<(Response<'static>, Body<'static>, Vec<u8>)> = None;
    for piece in stream.chunks(chunk.max(1)) {
        d.push(piece);
        loop {
            let Some(event) = d.next_event() else { break };
            match event {
                Err(e) => {
                    open = None;
                    out.push(Err(e));
                }
                Ok(Event::Greeting(g)) => out.push(Ok(Reply::Greeting(g))),
                Ok(Event::Response(r)) => out.push(Ok(Reply::Single(r))),
                Ok(Event::Challenge(c)) => out.push(Ok(Reply::Challenge(c))),
                Ok(Event::Begin { response, expect }) => {
                    let body = expect
                        .listing()
                        .map_or(Body::Message(Bytes::new()), Listing::empty);
                    open = Some((response, body, Vec::new()));
                }
                Ok(Event::End) => {
                    let (r, mut body, bytes) = open.take().expect("a body is open");
                    if let Body::Message(b) = &mut body {
                        *b = bytes.into();
                    }
                    out.push(Ok(Reply::Multi(MultiLine::new(r, body).unwrap())));
                }
                Ok(Event::Chunk(c)) => open.as_mut().unwrap().2.extend_from_slice(&c),
                Ok(entry) => {
                    let body = &mut open.as_mut().unwrap().1;
                    match (body, entry) {
                        (Body::Capa(v), Event::Capability(c)) => v.push(c),
                        (Body::Scan(v), Event::Scan(s)) => v.push(s),
                        (Body::UniqueIds(v), Event::UniqueId(u)) => v.push(u),
                        (Body::Languages(v), Event::Language(l)) => v.push(l),
                        (Body::Mechanisms(v), Event::Mechanism(m)) => v.push(m),
                        (b, e) => panic!("{e:?} in {b:?}"),
                    }
                }
            }
        }
    }
    out
}

/// The stateless function over the whole stream, resynchronising as the
/// errors say.
fn stateless(
    stream: &[u8],
    expects: &[Expect],
    limits: Limits,
) -> Vec<Result<Reply<'static>, DecodeError>> {
    let mut queue: VecDeque<Expect> = expects.iter().copied().collect();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < stream.len() {
        let rest = &stream[pos..];
        let Some(&expect) = queue.front() else {
            // Nothing expected: the streaming decoder frames a line and
            // refuses it.
            match response(rest, Expect::Single, &limits) {
                Ok(Decoded::Incomplete) => break,
                Err(mut e) if e.until_line_end => {
                    e.offset += pos;
                    pos += e.discard;
                    pos = stream[pos.min(stream.len())..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(stream.len(), |i| pos + i + 1);
                    out.push(Err(e));
                }
                _ => {
                    let len = rest.iter().position(|&b| b == b'\n').unwrap() + 1;
                    out.push(Err(DecodeError::new(
                        pos,
                        DecodeErrorKind::Unsolicited,
                        len,
                    )));
                    pos += len;
                }
            }
            continue;
        };
        match response(rest, expect, &limits) {
            Ok(Decoded::Incomplete) => break,
            Ok(Decoded::Complete { value, consumed }) => {
                if !matches!(value, Reply::Challenge(_)) {
                    queue.pop_front();
                }
                out.push(Ok(value.into_owned()));
                pos += consumed;
            }
            Err(mut e) => {
                let challenge = rest.starts_with(b"+ ")
                    || rest.starts_with(b"+\r\n")
                    || rest.starts_with(b"+\n");
                if !(expect == Expect::Auth && challenge) {
                    queue.pop_front();
                }
                e.offset += pos;
                pos += e.discard;
                if e.until_line_end {
                    pos = stream[pos.min(stream.len())..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(stream.len(), |i| pos + i + 1);
                }
                if e.until_body_end && pos <= stream.len() {
                    let after_lf = pos > 0 && stream[pos - 1] == b'\n';
                    pos = body_end(&stream[pos..], after_lf).map_or(stream.len(), |n| pos + n);
                }
                out.push(Err(e));
            }
        }
    }
    out
}

fn assert_split_invariant(stream: &[u8], expects: &[Expect], limits: Limits) {
    let reference = stateless(stream, expects, limits);
    for chunk in 1..=stream.len().max(1) {
        assert_eq!(
            streaming(stream, expects, limits, chunk),
            reference,
            "chunk {chunk}"
        );
    }
}

const SESSION: &[u8] = b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n\
+OK mrose's maildrop has 2 messages (320 octets)\r\n\
+OK 2 320\r\n\
+OK 2 messages (320 octets)\r\n\
1 120\r\n\
2 200\r\n\
.\r\n\
+OK 120 octets\r\n\
<the POP3 server sends message 1>\r\n\
.\r\n\
+OK message 1 deleted\r\n\
+OK 200 octets\r\n\
<the POP3 server sends message 2>\r\n\
.\r\n\
+OK message 2 deleted\r\n\
+OK dewey POP3 server signing off (maildrop empty)\r\n";

const SESSION_EXPECTS: &[Expect] = &[
    Expect::Greeting,
    Expect::Single,  // APOP
    Expect::Single,  // STAT
    Expect::Scan,    // LIST
    Expect::Message, // RETR 1
    Expect::Single,  // DELE 1
    Expect::Message, // RETR 2
    Expect::Single,  // DELE 2
    Expect::Single,  // QUIT
];

#[test]
fn rfc1939_section10_session_in_context() {
    let replies = streaming(SESSION, SESSION_EXPECTS, limits(), SESSION.len());
    assert_eq!(replies.len(), 9);
    let replies: Vec<Reply<'_>> = replies.into_iter().map(Result::unwrap).collect();
    assert!(matches!(&replies[0], Reply::Greeting(g) if g.timestamp().is_some()));
    assert!(
        matches!(&replies[3], Reply::Multi(m) if m.body() == &Body::Scan(vec![
            ScanListing { msg: msg(1), size: 120 },
            ScanListing { msg: msg(2), size: 200 },
        ]))
    );
    assert!(matches!(&replies[6], Reply::Multi(m)
        if m.body() == &Body::Message(Bytes::from_static(b"<the POP3 server sends message 2>\r\n"))));
    // The whole session encodes back to the same bytes.
    let again: Vec<u8> = replies.iter().flat_map(Encode::to_bytes).collect();
    assert_eq!(again, SESSION);
    assert_split_invariant(SESSION, SESSION_EXPECTS, limits());
}

#[test]
fn commands_give_the_context() {
    let mut d = ResponseDecoder::new(limits());
    for cmd in [
        Command::User(crate::types::Argument::try_from("mrose").unwrap()),
        Command::List(None),
        Command::List(Some(msg(2))),
        Command::Top {
            msg: msg(1),
            lines: 0,
        },
    ] {
        d.sent(&cmd);
    }
    assert_eq!(d.pending().len(), 5);
    d.push(b"+OK hi\r\n+OK\r\n+OK\r\n1 10\r\n.\r\n+OK 2 200\r\n+OK\r\nSubject: x\r\n\r\n.\r\n");
    let mut events = Vec::new();
    while let Some(e) = d.next_event() {
        events.push(e.unwrap());
    }
    assert!(matches!(events[0], Event::Greeting(_)));
    assert!(matches!(events[1], Event::Response(_)));
    assert!(matches!(events[2], Event::Begin { .. }));
    assert!(matches!(events[3], Event::Scan(s) if s.size == 10));
    assert_eq!(events[4], Event::End);
    assert!(matches!(&events[5], Event::Response(r) if r.scan_listing().is_some()));
    assert!(matches!(events[6], Event::Begin { .. }));
    // TOP n 0: the headers and the blank line only.
    assert_eq!(
        events[7],
        Event::Chunk(Bytes::from_static(b"Subject: x\r\n\r\n"))
    );
    assert_eq!(events[8], Event::End);
    assert_eq!(events.len(), 9);
    assert_eq!(d.pending().len(), 0);
    // Nothing is expected any more.
    d.push(b"+OK late\r\n");
    let err = d.next_event().unwrap().unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::Unsolicited);
    assert_eq!(d.offset(), d.buffered().len() + err.offset + err.discard);
}

#[test]
fn top_with_zero_lines() {
    let (_, body) = multi(
        b"+OK\r\nReceived: x\r\nSubject: test\r\n\r\n.\r\n",
        Expect::Message,
    );
    assert_eq!(
        body,
        Body::Message(Bytes::from_static(b"Received: x\r\nSubject: test\r\n\r\n"))
    );
}

#[test]
fn empty_message_and_stuffing() {
    let (r, body) = multi(b"+OK\r\n.\r\n", Expect::Message);
    assert_eq!(r.text().as_bytes(), b"");
    assert_eq!(body, Body::Message(Bytes::new()));
    let cases: &[(&[u8], &[u8])] = &[
        // A stuffed first line.
        (b"..a\r\nb\r\n.\r\n", b".a\r\nb\r\n"),
        // CRLF "." CRLF inside a body, stuffed.
        (b"a\r\n..\r\nb\r\n.\r\n", b"a\r\n.\r\nb\r\n"),
        (b"a\r\n...\r\n.\r\n", b"a\r\n..\r\n"),
        // RFC 1939 §3: the first octet of any other line that starts with
        // "." is stripped too.
        (b".x\r\n.\r\n", b"x\r\n"),
        // Bare LF line ends are kept as they are, and end the body.
        (b"a\n..b\n.\n", b"a\n.b\n"),
        // A lone CR is content.
        (b"a\rb\r\n.\rc\r\n.\r\n", b"a\rb\r\n\rc\r\n"),
        // Octets that are not UTF-8 are kept.
        (b"\xff\xfe\x00\r\n.\r\n", b"\xff\xfe\x00\r\n"),
    ];
    for (wire, content) in cases {
        let mut input = b"+OK\r\n".to_vec();
        input.extend_from_slice(wire);
        let (_, body) = multi(&input, Expect::Message);
        assert_eq!(
            body,
            Body::Message(Bytes::copy_from_slice(content)),
            "{wire:?}"
        );
        assert_split_invariant(&input, &[Expect::Message], limits());
    }
}

#[test]
fn incomplete_until_the_terminating_line() {
    let full = b"+OK\r\na\r\n..\r\n.\r\n";
    for end in 0..full.len() {
        assert_eq!(
            response(&full[..end], Expect::Message, &limits()),
            Ok(Decoded::Incomplete),
            "{end}"
        );
    }
    let listing = b"+OK\r\n1 2\r\n.\r\n";
    for end in 0..listing.len() {
        assert_eq!(
            response(&listing[..end], Expect::Scan, &limits()),
            Ok(Decoded::Incomplete)
        );
    }
}

#[test]
fn rfc2449_capa_and_response_codes() {
    let wire = b"+OK Capability list follows\r\n\
TOP\r\n\
USER\r\n\
SASL CRAM-MD5 KERBEROS_V4\r\n\
RESP-CODES\r\n\
LOGIN-DELAY 900\r\n\
PIPELINING\r\n\
EXPIRE 60\r\n\
UIDL\r\n\
IMPLEMENTATION Shlemazle-Plotz-v302\r\n\
.\r\n";
    let (r, body) = multi(wire, Expect::Capa);
    assert_eq!(text(&r), "Capability list follows");
    let mech = |s| Mechanism::try_from(s).unwrap();
    assert_eq!(
        body,
        Body::Capa(vec![
            Capability::Top,
            Capability::User,
            Capability::Sasl(vec![mech("CRAM-MD5"), mech("KERBEROS_V4")]),
            Capability::RespCodes,
            Capability::LoginDelay {
                seconds: 900,
                per_user: false
            },
            Capability::Pipelining,
            Capability::Expire {
                expiry: Expiry::Days(60),
                per_user: false
            },
            Capability::Uidl,
            Capability::Implementation(Text::try_from("Shlemazle-Plotz-v302").unwrap()),
        ])
    );
    assert_eq!(one(wire, Expect::Capa).to_bytes(), wire);
    // §6.5, §6.7 forms, RFC 2595 and RFC 6856 tags, and unknown tags.
    for (line, cap) in [
        (
            &b"LOGIN-DELAY 900 USER"[..],
            Capability::LoginDelay {
                seconds: 900,
                per_user: true,
            },
        ),
        (
            b"EXPIRE NEVER",
            Capability::Expire {
                expiry: Expiry::Never,
                per_user: false,
            },
        ),
        (
            b"EXPIRE 5 USER",
            Capability::Expire {
                expiry: Expiry::Days(5),
                per_user: true,
            },
        ),
        (b"STLS", Capability::Stls),
        (b"UTF8", Capability::Utf8 { user: false }),
        (b"utf8 user", Capability::Utf8 { user: true }),
        (b"LANG", Capability::Lang),
    ] {
        assert_eq!(Capability::parse(line).unwrap(), cap);
    }
    for line in [
        &b"X-FOO bar baz"[..],
        b"TOP now",
        b"LOGIN-DELAY soon",
        b"EXPIRE 5 NEVER",
        b"SASL PL.AIN",
    ] {
        assert!(
            matches!(Capability::parse(line).unwrap(), Capability::Other(_)),
            "{line:?}"
        );
    }
    // §8: a response code.
    let r = single(b"-ERR [IN-USE] Do you have another POP session running?\r\n");
    assert_eq!(r.code(), Some(&ResponseCode::InUse));
    assert_eq!(text(&r), "Do you have another POP session running?");
}

#[test]
fn response_codes() {
    let cases = [
        (
            &b"-ERR [LOGIN-DELAY] wait\r\n"[..],
            ResponseCode::LoginDelay,
        ),
        (b"-ERR [SYS/TEMP] try later\r\n", ResponseCode::SysTemp),
        (b"-ERR [SYS/PERM] gone\r\n", ResponseCode::SysPerm),
        (b"-ERR [AUTH] bad password\r\n", ResponseCode::Auth),
        (b"-ERR [UTF8] needs UTF-8 mode\r\n", ResponseCode::Utf8),
        (b"-ERR [in-use] lower case\r\n", ResponseCode::InUse),
    ];
    for (line, code) in cases {
        assert_eq!(single(line).code(), Some(&code), "{line:?}");
    }
    // Unknown hierarchical detail is kept, and can be dropped.
    let r = single(b"-ERR [SYS/TEMP/DISK-FULL] later\r\n");
    let code = r.code().unwrap();
    assert_eq!(
        code,
        &ResponseCode::Other(OtherCode::new(&b"SYS/TEMP/DISK-FULL"[..]).unwrap())
    );
    assert_eq!(code.without_detail(), Some(ResponseCode::SysTemp));
    assert_eq!(
        code.levels().collect::<Vec<_>>(),
        [&b"SYS"[..], b"TEMP", b"DISK-FULL"]
    );
    assert_eq!(
        ResponseCode::parse(b"SYS/X").unwrap().without_detail(),
        None
    );
    assert_eq!(
        ResponseCode::parse(b"X-NEW").unwrap().without_detail(),
        None
    );
    // A code with no text, and text right after the bracket.
    let r = single(b"+OK [AUTH]\r\n");
    assert_eq!(
        (r.code(), text(&r).as_str()),
        (Some(&ResponseCode::Auth), "")
    );
    assert_eq!(r.to_bytes(), b"+OK [AUTH]\r\n");
    assert_eq!(text(&single(b"+OK [AUTH]x\r\n")), "x");
    // Brackets that are not a code are text.
    for line in [
        &b"-ERR [] empty\r\n"[..],
        b"-ERR [A//B] x\r\n",
        b"-ERR [open\r\n",
        b"-ERR [A B] x\r\n",
        b"-ERR x [AUTH]\r\n",
    ] {
        let r = single(line);
        assert_eq!(r.code(), None, "{line:?}");
        assert_eq!(r.to_bytes(), line);
    }
}

#[test]
fn status_lines() {
    assert!(single(b"+ok lower\r\n").is_ok());
    assert_eq!(single(b"-err\n").status(), Status::Err);
    assert_eq!(text(&single(b"+OK  two\r\n")), " two");
    for (line, offset) in [
        (&b"OK\r\n"[..], 0),
        (b"+OKAY\r\n", 3),
        (b"-ERROR\r\n", 4),
        (b"\r\n", 0),
        (b"+ abc\r\n", 0),
    ] {
        let e = response(line, Expect::Single, &limits()).unwrap_err();
        assert_eq!(
            (e.kind, e.offset, e.discard),
            (DecodeErrorKind::InvalidStatus, offset, line.len()),
            "{line:?}"
        );
        assert!(!e.until_body_end);
    }
    let e = response(b"+OK a\rb\r\n", Expect::Single, &limits()).unwrap_err();
    assert_eq!((e.kind, e.offset), (DecodeErrorKind::BareCr, 5));
    // A bad +OK line to RETR: the body that follows is skipped too.
    let e = response(b"+OK \0\r\nbody\r\n.\r\n", Expect::Message, &limits()).unwrap_err();
    assert_eq!(
        (e.kind, e.discard, e.until_body_end),
        (DecodeErrorKind::Nul, 7, true)
    );
    let stream = b"+OK \0\r\nbody\r\n.\r\n-ERR \0\r\n+OK fine\r\n";
    assert_split_invariant(
        stream,
        &[Expect::Message, Expect::Message, Expect::Single],
        limits(),
    );
}

#[test]
fn rfc5034_examples() {
    let capa = b"+OK List of capabilities follows\r\n\
SASL DIGEST-MD5 GSSAPI ANONYMOUS\r\n\
STLS\r\n\
IMPLEMENTATION BlurdyBlurp POP3 server\r\n\
.\r\n";
    let (_, body) = multi(capa, Expect::Capa);
    let Body::Capa(caps) = &body else { panic!() };
    assert_eq!(caps.len(), 3);
    assert_eq!(caps[1], Capability::Stls);
    assert_eq!(
        caps[2],
        Capability::Implementation(Text::try_from("BlurdyBlurp POP3 server").unwrap())
    );
    assert_eq!(
        text(&single(b"+OK Begin TLS negotiation now\r\n")),
        "Begin TLS negotiation now"
    );
    // The empty challenge, "+" and a space.
    assert_eq!(
        one(b"+ \r\n", Expect::Auth),
        Reply::Challenge(Challenge::new(SaslData::empty()))
    );
    let long = b"+ cmVhbG09ImVsd29vZC5pbm5vc29mdC5jb20iLG5vbmNlPSJPQTZNRzl0RVFHbTJoaCIscW9wPSJhdXRoIixhbGdvcml0aG09bWQ1LXNlc3MsY2hhcnNldD11dGYtOA==\r\n";
    let Reply::Challenge(c) = one(long, Expect::Auth) else {
        panic!()
    };
    assert!(
        c.data()
            .decode()
            .starts_with(b"realm=\"elwood.innosoft.com\"")
    );
    assert_eq!(Reply::Challenge(c).to_bytes(), long);
    let second = b"+ cnNwYXV0aD0wYjk3MTQ2MmNlZjVlOGY5MzBkYjlhMzNiMDJmYzlhMA==\r\n";
    let final_ok = b"+OK Maildrop locked and ready\r\n";
    let mut stream = long.to_vec();
    stream.extend_from_slice(second);
    stream.extend_from_slice(final_ok);
    let replies = streaming(&stream, &[Expect::Auth], limits(), 7);
    assert_eq!(replies.len(), 3);
    assert!(matches!(replies[1], Ok(Reply::Challenge(_))));
    assert!(matches!(&replies[2], Ok(Reply::Single(r)) if r.is_ok()));
    assert_split_invariant(&stream, &[Expect::Auth], limits());
    // A lone "+" is the empty challenge too; bad Base64 is an error that
    // leaves the exchange going on.
    assert!(matches!(one(b"+\r\n", Expect::Auth), Reply::Challenge(_)));
    let e = response(b"+ AB=C\r\n", Expect::Auth, &limits()).unwrap_err();
    assert_eq!((e.kind, e.offset), (DecodeErrorKind::InvalidBase64, 4));
    let stream = b"+ AB=C\r\n-ERR cancelled\r\n";
    let replies = streaming(stream, &[Expect::Auth], limits(), 3);
    assert!(matches!(replies[1], Ok(Reply::Single(_))));
    assert_split_invariant(stream, &[Expect::Auth], limits());
    // Outside AUTH, "+ " is not a response.
    assert!(response(b"+ \r\n", Expect::Single, &limits()).is_err());
}

#[test]
fn rfc6856_lang_and_utf8() {
    let wire = "+OK Language listing follows:\r\n\
en English\r\n\
en-boont English Boontling dialect\r\n\
de Deutsch\r\n\
it Italiano\r\n\
es Español\r\n\
sv Svenska\r\n\
.\r\n"
        .as_bytes();
    let (_, body) = multi(wire, Expect::Languages);
    let Body::Languages(langs) = &body else {
        panic!()
    };
    assert_eq!(langs.len(), 6);
    assert_eq!(langs[4].description.as_str(), Some("Español"));
    assert_eq!(one(wire, Expect::Languages).to_bytes(), wire);
    for line in [
        &b"-ERR invalid language MUL\r\n"[..],
        b"-ERR Server is unable to list languages\r\n",
        b"+OK es Idioma cambiado\r\n",
        b"-ERR es Idioma <<UGA>> no es conocido\r\n",
        "+OK sv Kommandot \"LANG\" lyckades\r\n".as_bytes(),
    ] {
        assert_eq!(one(line, Expect::Single).to_bytes(), line);
    }
    assert_eq!(
        single(b"-ERR [UTF8] message needs UTF-8 mode\r\n").code(),
        Some(&ResponseCode::Utf8)
    );
    let (_, body) = multi(b"+OK\r\nPLAIN\r\nscram-sha-1\r\n.\r\n", Expect::Mechanisms);
    assert_eq!(
        body,
        Body::Mechanisms(vec![
            Mechanism::try_from("PLAIN").unwrap(),
            Mechanism::try_from("SCRAM-SHA-1").unwrap()
        ])
    );
}

#[test]
fn listing_errors_skip_the_rest_of_the_body() {
    let stream = b"+OK\r\n1 10\r\nx 20\r\n3 30\r\n.\r\n+OK next\r\n";
    let e = response(stream, Expect::Scan, &limits()).unwrap_err();
    assert_eq!(
        (e.kind.clone(), e.offset, e.discard, e.until_body_end),
        (DecodeErrorKind::InvalidScanListing, 11, 17, true)
    );
    assert_eq!(body_end(&stream[17..], true), Some(9));
    let replies = stateless(stream, &[Expect::Scan, Expect::Single], limits());
    assert!(matches!(&replies[1], Ok(Reply::Single(r)) if text(r) == "next"));
    assert_split_invariant(stream, &[Expect::Scan, Expect::Single], limits());

    let e = response(b"+OK\r\n1 has space\r\n.\r\n", Expect::UniqueIds, &limits()).unwrap_err();
    assert_eq!(
        (e.kind, e.offset),
        (DecodeErrorKind::InvalidUniqueIdListing, 10)
    );
    let long_uid = format!("+OK\r\n1 {}\r\n.\r\n", "a".repeat(71));
    assert!(response(long_uid.as_bytes(), Expect::UniqueIds, &limits()).is_err());
    // Blank lines are skipped; a stuffed line is unstuffed.
    let (_, body) = multi(b"+OK\r\n\r\n..X-DOT\r\n.\r\n", Expect::Capa);
    let Body::Capa(caps) = body else { panic!() };
    let Capability::Other(other) = &caps[0] else {
        panic!()
    };
    assert_eq!(other.tag().as_bytes(), b".X-DOT");
}

#[test]
fn limits_apply_even_in_one_slice() {
    let mut small = limits();
    small.message_size = 4;
    small.listing_entries = 2;
    small.response_line = 16;
    // The message: four octets and no more.
    let stream = b"+OK\r\nabc\r\ndef\r\n.\r\n+OK after\r\n";
    let e = response(stream, Expect::Message, &small).unwrap_err();
    assert_eq!(
        (e.kind.clone(), e.offset, e.discard, e.until_body_end),
        (DecodeErrorKind::MessageTooLarge { limit: 4 }, 9, 9, true)
    );
    let replies = streaming(stream, &[Expect::Message, Expect::Single], small, 100);
    assert!(matches!(&replies[1], Ok(Reply::Single(r)) if text(r) == "after"));
    assert_split_invariant(stream, &[Expect::Message, Expect::Single], small);
    // Exactly at the limit is fine.
    assert!(response(b"+OK\r\nab\r\n.\r\n", Expect::Message, &small).is_ok());
    // The limit is passed before the end has arrived.
    let e = response(b"+OK\r\nabcdefgh", Expect::Message, &small).unwrap_err();
    assert_eq!(e.offset, 9);
    // The streaming decoder hands out the first four octets, then stops.
    let mut d = ResponseDecoder::without_greeting(small);
    d.expect(Expect::Message);
    d.push(b"+OK\r\nabcdefgh");
    assert!(matches!(d.next_event(), Some(Ok(Event::Begin { .. }))));
    assert_eq!(
        d.next_event(),
        Some(Ok(Event::Chunk(Bytes::from_static(b"abcd"))))
    );
    assert!(matches!(d.next_event(), Some(Err(e)) if e.offset == 9));
    assert_eq!(d.next_event(), None);
    assert!(d.buffered().is_empty());

    // Listing lines.
    let stream = b"+OK\r\n1 1\r\n2 2\r\n3 3\r\n.\r\n+OK\r\n";
    let e = response(stream, Expect::Scan, &small).unwrap_err();
    assert_eq!(
        (e.kind.clone(), e.offset),
        (DecodeErrorKind::TooManyEntries { limit: 2 }, 15)
    );
    assert_split_invariant(stream, &[Expect::Scan, Expect::Single], small);
    // Line length, for a first line and for a listing line.
    let stream = b"+OK 0123456789abcdef\r\nbody\r\n.\r\n+OK\r\n";
    let e = response(stream, Expect::Message, &small).unwrap_err();
    assert_eq!(
        (
            e.kind.clone(),
            e.discard,
            e.until_line_end,
            e.until_body_end
        ),
        (DecodeErrorKind::LineTooLong { limit: 16 }, 16, true, true)
    );
    assert_split_invariant(stream, &[Expect::Message, Expect::Single], small);
    let stream = b"+OK\r\n1 0123456789abcdef\r\n.\r\n-ERR\r\n";
    let e = response(stream, Expect::UniqueIds, &small).unwrap_err();
    assert_eq!((e.offset, e.discard), (5, 21));
    assert_split_invariant(stream, &[Expect::UniqueIds, Expect::Single], small);
    // The default line limit is larger than Python's 2048.
    let long = format!("+OK {}\r\n", "x".repeat(3000));
    assert!(response(long.as_bytes(), Expect::Single, &limits()).is_ok());
}

#[test]
fn zero_limits_never_stall() {
    let zero = Limits {
        response_line: 0,
        message_size: 0,
        listing_entries: 0,
        sasl_line: 0,
        ..Limits::default()
    };
    let stream = b"+OK\r\n+OK\r\nx\r\n.\r\n+OK\r\n1 2\r\n.\r\n";
    let expects = [Expect::Single, Expect::Message, Expect::Scan, Expect::Auth];
    assert_split_invariant(stream, &expects, zero);
    let mut d = ResponseDecoder::without_greeting(zero);
    for e in expects {
        d.expect(e);
    }
    d.push(stream);
    let mut n = 0;
    while d.next_event().is_some() {
        n += 1;
        assert!(n < 100);
    }
}

#[test]
fn arbitrary_streams_split_the_same() {
    // A few hand-made streams mixing kinds, errors and odd line ends.
    let streams: &[(&[u8], &[Expect])] = &[
        (
            b"+OK\r\n.\r\n+OK\r\n..\r\n...\r\n.\n-ERR [SYS/TEMP] x\r\n",
            &[Expect::Message, Expect::Message, Expect::Message],
        ),
        (
            b"+OK\r\nTOP\r\n.\r\n+ \r\n+OK\r\n+OK\r\nen\r\n.\r\n",
            &[Expect::Capa, Expect::Auth, Expect::Languages],
        ),
        (
            b"junk\r\n+OK\r\n1 a\r\n.\r\n+OK\r\n.\r",
            &[Expect::Single, Expect::UniqueIds, Expect::Message],
        ),
        // More responses than commands.
        (
            b"+OK\r\n+OK a\rb\r\n-ERR\r\nno status\r\n+OK\r\n.\r\n",
            &[Expect::Single],
        ),
    ];
    for (stream, expects) in streams {
        assert_split_invariant(stream, expects, limits());
    }
}

#[test]
fn take_buffered_after_stls() {
    let mut d = ResponseDecoder::without_greeting(limits());
    d.sent(&Command::Stls);
    d.push(b"+OK Begin TLS negotiation now\r\n\x16\x03\x01");
    assert!(matches!(d.next_event(), Some(Ok(Event::Response(_)))));
    assert_eq!(&d.take_buffered()[..], b"\x16\x03\x01");
    assert_eq!(d.offset(), 34);
}

#[test]
fn encoding_responses() {
    let r = Response::new(
        Status::Ok,
        Some(ResponseCode::Other(OtherCode::new(&b"X/Y"[..]).unwrap())),
        Text::empty(),
    )
    .unwrap();
    assert_eq!(r.to_bytes(), b"+OK [X/Y]\r\n");
    assert_eq!(Response::ok("").unwrap().to_bytes(), b"+OK\r\n");
    assert_eq!(
        Response::err("no such message").unwrap().to_bytes(),
        b"-ERR no such message\r\n"
    );
    // A -ERR line cannot start a multi-line response.
    assert!(MultiLine::new(Response::err("x").unwrap(), Body::Capa(vec![])).is_err());
    let m = MultiLine::new(
        Response::ok("").unwrap(),
        Body::Message(Bytes::from_static(b".\r\nend")),
    )
    .unwrap();
    assert_eq!(m.to_bytes(), b"+OK\r\n..\r\nend\r\n.\r\n");
}

#[test]
fn body_encoder_keeps_state_across_chunks() {
    let body = b"a\r\n.\r\n..b\n.c\r\nlast";
    let mut whole = Vec::new();
    let mut enc = BodyEncoder::new();
    enc.push(body, &mut whole);
    enc.finish(&mut whole);
    assert_eq!(whole, b"a\r\n..\r\n...b\n..c\r\nlast\r\n.\r\n");
    for split in 0..=body.len() {
        let mut out = Vec::new();
        let mut enc = BodyEncoder::new();
        enc.push(&body[..split], &mut out);
        enc.push(&body[split..], &mut out);
        enc.finish(&mut out);
        assert_eq!(out, whole, "split at {split}");
    }
    // A final CR is completed to CRLF.
    let mut out = Vec::new();
    let mut enc = BodyEncoder::new();
    enc.push(b"x\r", &mut out);
    enc.finish(&mut out);
    assert_eq!(out, b"x\r\n.\r\n");
}
