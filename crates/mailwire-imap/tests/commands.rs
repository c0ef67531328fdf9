//! Client commands: known answers from the RFCs' own examples (RFC 9051 §6
//! and §8, RFC 3501 §6, and the extensions), errors with offsets, the
//! literal continuation flow, and the fragment encoder.

use std::num::NonZeroU64;

use mailwire_imap::Limits;
use mailwire_imap::decode::{self, CommandDecoder, CommandEvent, DecodeErrorKind, Decoded};
use mailwire_imap::encode::{self, Encode, Fragment};
use mailwire_imap::types::{
    AppendKind, Capability, ClientMessage, Command, CommandBody, Date, DateTime, EntryType, Expect,
    FetchAttribute, FetchItems, FetchModifier, Flag, ListAttribute, ListReturn, ListSelect,
    LiteralMode, Mailbox, MetadataDepth, MetadataOption, Partial, QResync, SearchKey, SearchReturn,
    Section, SectionText, SelectParam, SequenceSet, SortKey, StatusAttribute, StoreAction,
    StoreTarget, ThreadAlgorithm,
};

fn limits() -> Limits {
    Limits::default()
}

/// Decodes one whole command, checks that it used all of `input`, that
/// its encoding decodes to the same value, and that the streaming decoder
/// (fed a byte at a time) agrees.
fn cmd(input: &[u8]) -> Command<'_> {
    let (c, used) = match decode::command(input, &limits()) {
        Ok(Decoded::Complete { value, consumed }) => (value, consumed),
        other => panic!("{:?}: {other:?}", String::from_utf8_lossy(input)),
    };
    assert_eq!(used, input.len(), "{:?}", String::from_utf8_lossy(input));
    let wire = c.to_bytes();
    let (again, _) = decode::command(&wire, &limits())
        .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(&wire)))
        .complete()
        .unwrap();
    assert_eq!(again, c, "{:?}", String::from_utf8_lossy(&wire));
    let streamed = stream(input, 1, LiteralMode::Plus);
    assert_eq!(streamed.len(), 1);
    assert_eq!(streamed[0], wire_of(&c));
    c
}

fn wire_of(c: &Command<'_>) -> Vec<u8> {
    c.to_bytes()
}

/// Feeds `input` in chunks of `n` through the streaming decoder and gives
/// the re-encoded messages, continuations skipped.
fn stream(input: &[u8], n: usize, mode: LiteralMode) -> Vec<Vec<u8>> {
    let mut d = CommandDecoder::new(limits());
    d.set_literal_mode(mode);
    let mut out = Vec::new();
    for chunk in input.chunks(n) {
        d.push(chunk);
        while let Some(ev) = d.next_frame() {
            match ev.unwrap() {
                CommandEvent::NeedsContinuation { .. } => {}
                CommandEvent::Frame(f) => out.push(f.decode().unwrap().to_bytes()),
                other => panic!("{other:?}"),
            }
        }
    }
    assert!(d.buffered().is_empty());
    out
}

/// Checks that `input` decodes and encodes back to exactly `input`.
fn same(input: &[u8]) -> Command<'_> {
    let c = cmd(input);
    assert_eq!(
        String::from_utf8_lossy(&c.to_bytes()),
        String::from_utf8_lossy(input)
    );
    c
}

fn set(s: &str) -> SequenceSet {
    s.parse().unwrap()
}

fn mbox(name: &str) -> Mailbox<'static> {
    Mailbox::from_bytes(name.as_bytes().to_vec()).unwrap()
}

fn b(s: &str) -> std::borrow::Cow<'static, [u8]> {
    std::borrow::Cow::Owned(s.as_bytes().to_vec())
}

const APPEND_9051: &str = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@Blurdybloop.example>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@owatagu.siam.edu.example\r\n\
Message-Id: <B27397-0100000@Blurdybloop.example>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

const APPEND_7888: &str = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@example.com>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@example.com\r\n\
Message-Id: <B27397-0100000@example.com>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

/// Every client command line of RFC 9051 §6, literals joined to the lines
/// that announce them and lines the RFC wraps joined back; `AUTHENTICATE`
/// data lines and `DONE` are in their own tests.
const RFC9051_SECTION6: &[&str] = &[
    "abcd CAPABILITY\r\n",
    "efgh STARTTLS\r\n",
    "a002 NOOP\r\n",
    "a047 NOOP\r\n",
    "A023 LOGOUT\r\n",
    "a004 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n",
    "A001 AUTHENTICATE GSSAPI\r\n",
    "A01 AUTHENTICATE PLAIN\r\n",
    "A01 AUTHENTICATE EXTERNAL =\r\n",
    "a001 LOGIN SMITH SESAME\r\n",
    "t2 ENABLE CONDSTORE X-GOOD-IDEA\r\n",
    "a1 ENABLE CONDSTORE\r\n",
    "A142 SELECT INBOX\r\n",
    "A143 SELECT Drafts\r\n",
    "A932 EXAMINE blurdybloop\r\n",
    "A003 CREATE owatagusiam/\r\n",
    "A004 CREATE owatagusiam/blurdybloop\r\n",
    "A005 CREATE NonNormalized\r\n",
    "A682 LIST \"\" *\r\n",
    "A683 DELETE blurdybloop\r\n",
    "A685 DELETE foo/bar\r\n",
    "A86 LIST \"\" %\r\n",
    "A683 RENAME blurdybloop sarasoop\r\n",
    "Z433 RENAME INBOX old-mail\r\n",
    "1001 RENAME X Y\r\n",
    "1002 SUBSCRIBE Y\r\n",
    "1003 UNSUBSCRIBE X\r\n",
    "A002 SUBSCRIBE #news.comp.mail.mime\r\n",
    "A002 UNSUBSCRIBE #news.comp.mail.mime\r\n",
    "A101 LIST \"\" \"\"\r\n",
    "A102 LIST #news.comp.mail.misc \"\"\r\n",
    "A103 LIST /usr/staff/jones \"\"\r\n",
    "A202 LIST ~/Mail/ %\r\n",
    "A01 LIST \"\" \"*\"\r\n",
    "A02 LIST (SUBSCRIBED) \"\" \"*\"\r\n",
    "A03 LIST () \"\" \"%\" RETURN (CHILDREN)\r\n",
    "A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)\r\n",
    "A05 LIST (REMOTE SUBSCRIBED) \"\" \"*\"\r\n",
    "A06 LIST (REMOTE) \"\" \"*\" RETURN (SUBSCRIBED)\r\n",
    "CA3 LIST \"\" \"%\" RETURN (CHILDREN)\r\n",
    "C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"\r\n",
    "C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)\r\n",
    "D03 LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*2\"\r\n",
    "a1 LIST \"\" (\"foo\")\r\n",
    "a2 LIST (SUBSCRIBED) \"\" \"foo/*\"\r\n",
    "a3 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" foo RETURN (CHILDREN)\r\n",
    "a1 LIST (REMOTE) \"\" *\r\n",
    "a2 LIST () \"\" %\r\n",
    "a3.1 LIST \"\" (% music/rock)\r\n",
    "A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))\r\n",
    "A02 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (STATUS (MESSAGES))\r\n",
    "A001 NAMESPACE\r\n",
    "A002 CREATE \"INBOX.Sent Mail\"\r\n",
    "A002 LIST (SPECIAL-USE) \"\" \"*\"\r\n",
    "A003 LIST (SPECIAL-USE) \"#mh/\" \"*\"\r\n",
    "A006 CREATE \"#mh/Deleted Items\"\r\n",
    "A002 LIST \"\" \"Other Users/%\"\r\n",
    "A003 LIST \"\" \"#Users/Mike/%\"\r\n",
    "A002 LIST \"\" \"~mark/%\"\r\n",
    "A042 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n",
    "A004 COPY 2:4 meeting\r\n",
    "A005 UID COPY 305:310 meeting\r\n",
    "A006 COPY 2 funny\r\n",
    "A002 IDLE\r\n",
    "A003 FETCH 4 ALL\r\n",
    "A341 CLOSE\r\n",
    "A342 UNSELECT\r\n",
    "A202 EXPUNGE\r\n",
    "A282 SEARCH RETURN (MIN COUNT) FLAGGED\r\n",
    "A283 SEARCH RETURN () FLAGGED\r\n",
    "A284 SEARCH TEXT \"string not in mailbox\"\r\n",
    "A285 SEARCH CHARSET UTF-8 TEXT {12}\r\nотпуск\r\n",
    "A284 SEARCH RETURN (MIN) UNSEEN\r\n",
    "A285 UID SEARCH RETURN (MIN MAX) 1:5000\r\n",
    "A286 SEARCH RETURN (COUNT) DELETED\r\n",
    "A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994\r\n",
    "A283 FETCH $ (UID INTERNALDATE FLAGS BODY.PEEK[HEADER])\r\n",
    "A300 SEARCH RETURN (SAVE) SINCE 1-Jan-2004\r\n",
    "A301 UID SEARCH UID $ SMALLER 4096\r\n",
    "A301 UID SEARCH $ SMALLER 4096\r\n",
    "P283 SEARCH CHARSET UTF-8 (OR $ 1,3000:3021) TEXT {8+}\r\nмать\r\n",
    "B283 SEARCH RETURN (SAVE) CHARSET KOI8-R (OR $ 1,3000:3021) TEXT {4}\r\nXXXX\r\n",
    "E283 COPY $ \"Other Messages\"\r\n",
    "F282 SEARCH RETURN (SAVE) KEYWORD $Junk\r\n",
    "F283 COPY $ \"Junk\"\r\n",
    "F284 STORE $ +FLAGS.Silent (\\Deleted)\r\n",
    "G283 SEARCH RETURN (ALL) SINCE 28-Oct-2006\r\n",
    "C283 SEARCH RETURN (ALL SAVE) SINCE 12-Feb-2006\r\n",
    "C284 SEARCH RETURN (SAVE MIN) SINCE 12-Feb-2006\r\n",
    "C285 SEARCH RETURN (MAX SAVE MIN) SINCE 12-Feb-2006 NOT FROM \"Smith\"\r\n",
    "C286 SEARCH RETURN (MAX SAVE MIN COUNT) SINCE 12-Feb-2006 NOT FROM \"Smith\"\r\n",
    "C286 SEARCH RETURN (ALL SAVE MIN) SINCE 12-Feb-2006 NOT FROM \"Smith\"\r\n",
    "A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n",
    "A003 STORE 2:4 +FLAGS (\\Deleted)\r\n",
    "A003 COPY 2:4 MEETING\r\n",
    "a UID MOVE 42:69 foo\r\n",
    "A003 UID EXPUNGE 3000:3002\r\n",
    "A999 UID FETCH 4827313:4828442 FLAGS\r\n",
    "a441 CAPABILITY\r\n",
];

#[test]
fn rfc9051_section6_examples() {
    for line in RFC9051_SECTION6 {
        cmd(line.as_bytes());
    }
    // The APPEND examples, with their literals.
    let input = format!("A003 APPEND saved-messages (\\Seen) {{326}}\r\n{APPEND_9051}\r\n");
    let c = same(input.as_bytes());
    let CommandBody::Append {
        mailbox,
        flags,
        date,
        message,
    } = c.body
    else {
        panic!()
    };
    assert_eq!(mailbox, mbox("saved-messages"));
    assert_eq!(flags, [Flag::Seen]);
    assert_eq!(date, None);
    assert_eq!(message.kind, AppendKind::Literal);
    assert_eq!(&message.data[..], APPEND_9051.as_bytes());
    let input = format!("A003 APPEND saved-messages (\\Seen) {{297+}}\r\n{APPEND_7888}\r\n");
    cmd(input.as_bytes());
    // A command the crate does not know.
    let err = decode::command(b"A442 XPIG-LATIN\r\n", &limits()).unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::UnknownCommand);
    assert_eq!((err.offset, err.discard), (5, 17));
}

#[test]
fn rfc9051_section6_values() {
    assert_eq!(
        same(b"A142 SELECT INBOX\r\n").body,
        CommandBody::Select {
            mailbox: Mailbox::Inbox,
            params: vec![]
        }
    );
    let c = same(b"a004 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n");
    let CommandBody::Authenticate { mechanism, initial } = c.body else {
        panic!()
    };
    assert_eq!(mechanism.as_str(), "PLAIN");
    assert_eq!(initial.unwrap().as_bytes(), b"dGVzdAB0ZXN0AHRlc3Q=");
    let c = same(b"A01 AUTHENTICATE EXTERNAL =\r\n");
    assert!(matches!(c.body, CommandBody::Authenticate { initial: Some(i), .. } if i.is_empty()));
    let c = same(b"a001 LOGIN SMITH SESAME\r\n");
    let CommandBody::Login { username, password } = c.body else {
        panic!()
    };
    assert_eq!(
        (&username[..], &password.expose()[..]),
        (&b"SMITH"[..], &b"SESAME"[..])
    );
    assert_eq!(
        same(b"t2 ENABLE CONDSTORE X-GOOD-IDEA\r\n").body,
        CommandBody::Enable(vec![
            Capability::new(mailwire_imap::types::Atom::new("CONDSTORE").unwrap()),
            Capability::new(mailwire_imap::types::Atom::new("X-GOOD-IDEA").unwrap()),
        ])
    );
    assert_eq!(
        same(b"A03 LIST () \"\" % RETURN (CHILDREN)\r\n").body,
        CommandBody::List {
            selection: Some(vec![]),
            reference: mbox(""),
            patterns: vec![b("%")],
            return_opts: Some(vec![ListReturn::Children]),
        }
    );
    assert_eq!(
        cmd(b"a3.1 LIST \"\" (% music/rock)\r\n").body,
        CommandBody::List {
            selection: None,
            reference: mbox(""),
            patterns: vec![b("%"), b("music/rock")],
            return_opts: None,
        }
    );
    assert_eq!(
        same(b"A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))\r\n").body,
        CommandBody::List {
            selection: None,
            reference: mbox(""),
            patterns: vec![b("%")],
            return_opts: Some(vec![ListReturn::Status(vec![
                StatusAttribute::Messages,
                StatusAttribute::Unseen
            ])]),
        }
    );
    assert_eq!(
        same(b"A05 LIST (REMOTE SUBSCRIBED) \"\" *\r\n").body,
        CommandBody::List {
            selection: Some(vec![ListSelect::Remote, ListSelect::Subscribed]),
            reference: mbox(""),
            patterns: vec![b("*")],
            return_opts: None,
        }
    );
    assert_eq!(
        same(b"A042 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n").body,
        CommandBody::Status {
            mailbox: mbox("blurdybloop"),
            items: vec![StatusAttribute::UidNext, StatusAttribute::Messages],
        }
    );
    assert_eq!(
        same(b"A005 UID COPY 305:310 meeting\r\n").body,
        CommandBody::Copy {
            uid: true,
            set: set("305:310"),
            mailbox: mbox("meeting")
        }
    );
    assert_eq!(
        same(b"A282 SEARCH RETURN (MIN COUNT) FLAGGED\r\n").body,
        CommandBody::Search {
            uid: false,
            return_opts: Some(vec![SearchReturn::Min, SearchReturn::Count]),
            charset: None,
            criteria: vec![SearchKey::Flagged],
        }
    );
    let c = same("A285 SEARCH CHARSET UTF-8 TEXT {12}\r\nотпуск\r\n".as_bytes());
    let CommandBody::Search {
        charset, criteria, ..
    } = c.body
    else {
        panic!()
    };
    assert_eq!(charset.unwrap().as_str(), "UTF-8");
    assert_eq!(criteria, [SearchKey::Text(b("отпуск"))]);
    let c = cmd("P283 SEARCH CHARSET UTF-8 (OR $ 1,3000:3021) TEXT {8+}\r\nмать\r\n".as_bytes());
    let CommandBody::Search { criteria, .. } = c.body else {
        panic!()
    };
    assert_eq!(
        criteria,
        [
            SearchKey::And(vec![SearchKey::Or(
                Box::new(SearchKey::SequenceSet(SequenceSet::last_command())),
                Box::new(SearchKey::SequenceSet(set("1,3000:3021")))
            )]),
            SearchKey::Text(b("мать")),
        ]
    );
    assert_eq!(
        same(b"C285 SEARCH RETURN (MAX SAVE MIN) SINCE 12-Feb-2006 NOT FROM Smith\r\n").body,
        CommandBody::Search {
            uid: false,
            return_opts: Some(vec![
                SearchReturn::Max,
                SearchReturn::Save,
                SearchReturn::Min
            ]),
            charset: None,
            criteria: vec![
                SearchKey::Since(Date::new(2006, 2, 12).unwrap()),
                SearchKey::Not(Box::new(SearchKey::From(b("Smith")))),
            ],
        }
    );
    assert_eq!(
        same(b"A283 FETCH $ (UID INTERNALDATE FLAGS BODY.PEEK[HEADER])\r\n").body,
        CommandBody::Fetch {
            uid: false,
            set: SequenceSet::last_command(),
            items: FetchItems::List(vec![
                FetchAttribute::Uid,
                FetchAttribute::InternalDate,
                FetchAttribute::Flags,
                FetchAttribute::BodySection {
                    section: Section {
                        part: vec![],
                        text: Some(SectionText::Header)
                    },
                    peek: true,
                    partial: None
                },
            ]),
            modifiers: vec![],
        }
    );
    assert_eq!(
        same(b"A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n").body,
        CommandBody::Fetch {
            uid: false,
            set: set("2:4"),
            items: FetchItems::List(vec![
                FetchAttribute::Flags,
                FetchAttribute::BodySection {
                    section: Section {
                        part: vec![],
                        text: Some(SectionText::HeaderFields {
                            not: false,
                            fields: vec![b("DATE"), b("FROM")]
                        })
                    },
                    peek: false,
                    partial: None
                },
            ]),
            modifiers: vec![],
        }
    );
    assert_eq!(
        cmd(b"F284 STORE $ +FLAGS.Silent (\\Deleted)\r\n").body,
        CommandBody::Store {
            uid: false,
            set: SequenceSet::last_command(),
            unchanged_since: None,
            action: StoreAction::Add,
            silent: true,
            target: StoreTarget::Flags(vec![Flag::Deleted]),
        }
    );
    assert_eq!(
        same(b"A999 UID FETCH 4827313:4828442 FLAGS\r\n").body,
        CommandBody::Fetch {
            uid: true,
            set: set("4827313:4828442"),
            items: FetchItems::List(vec![FetchAttribute::Flags]),
            modifiers: vec![],
        }
    );
    assert_eq!(
        same(b"A003 UID EXPUNGE 3000:3002\r\n").body,
        CommandBody::UidExpunge(set("3000:3002"))
    );
    assert_eq!(
        same(b"a UID MOVE 42:69 foo\r\n").body,
        CommandBody::Move {
            uid: true,
            set: set("42:69"),
            mailbox: mbox("foo")
        }
    );
}

/// RFC 3501 §6: the client lines of IMAP4rev1's command examples.
#[test]
fn rfc3501_section6_examples() {
    for line in [
        "a004 LOGIN joe password\r\n",
        "A002 LSUB \"#news.\" \"comp.mail.*\"\r\n",
        "A003 LSUB \"#news.\" \"comp.%\"\r\n",
        "FXXZ CHECK\r\n",
        "A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
        "A284 SEARCH CHARSET UTF-8 TEXT {6}\r\nXXXXXX\r\n",
        "A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n",
        "A003 STORE 2:4 +FLAGS (\\Deleted)\r\n",
        "A999 UID FETCH 4827313:4828442 FLAGS\r\n",
        "A686 LIST \"\" *\r\n",
        "A004 CREATE owatagusiam/blurdybloop\r\n",
    ] {
        cmd(line.as_bytes());
    }
    assert_eq!(
        cmd(b"A003 LSUB \"#news.\" comp.%\r\n").body,
        CommandBody::Lsub {
            reference: mbox("#news."),
            pattern: b("comp.%")
        }
    );
    assert_eq!(same(b"FXXZ CHECK\r\n").body, CommandBody::Check);
    let msg = APPEND_9051
        .replace("Blurdybloop.example", "Blurdybloop.COM")
        .replace("siam.edu.example", "siam.edu");
    assert_eq!(msg.len(), 310);
    let input = format!("A003 APPEND saved-messages (\\Seen) {{310}}\r\n{msg}\r\n");
    same(input.as_bytes());
}

/// RFC 9051 §8: the sample connection, through the streaming decoder with
/// the session's expectations (SASL lines after AUTHENTICATE, DONE after
/// IDLE).
#[test]
fn rfc9051_section8_sample() {
    let mut d = CommandDecoder::new(limits());
    let next = |d: &mut CommandDecoder, bytes: &[u8]| {
        d.push(bytes);
        let Some(Ok(CommandEvent::Frame(f))) = d.next_frame() else {
            panic!("{:?}", String::from_utf8_lossy(bytes))
        };
        f.decode().unwrap().to_bytes()
    };
    assert_eq!(next(&mut d, b"a000 starttls\r\n"), b"a000 STARTTLS\r\n");
    assert_eq!(
        next(
            &mut d,
            b"A001 AUTHENTICATE SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=\r\n"
        ),
        b"A001 AUTHENTICATE SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=\r\n"
    );
    d.set_expect(Expect::AuthenticateData);
    let line = b"Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhG\r\n";
    assert_eq!(next(&mut d, line), line);
    d.set_expect(Expect::Command);
    assert_eq!(
        next(&mut d, b"babc ENABLE IMAP4rev2\r\n"),
        b"babc ENABLE IMAP4rev2\r\n"
    );
    assert_eq!(
        next(&mut d, b"a002 select inbox\r\n"),
        b"a002 SELECT INBOX\r\n"
    );
    assert_eq!(
        next(&mut d, b"a003 fetch 12 full\r\n"),
        b"a003 FETCH 12 FULL\r\n"
    );
    assert_eq!(
        next(&mut d, b"a004 fetch 12 body[header]\r\n"),
        b"a004 FETCH 12 BODY[HEADER]\r\n"
    );
    assert_eq!(
        next(&mut d, b"a005 store 12 +flags \\deleted\r\n"),
        b"a005 STORE 12 +FLAGS (\\Deleted)\r\n"
    );
    assert_eq!(next(&mut d, b"a006 logout\r\n"), b"a006 LOGOUT\r\n");
}

#[test]
fn authenticate_and_idle_lines() {
    // RFC 9051 §6.2.2: GSSAPI data lines, an empty response, a cancel.
    let mut d = CommandDecoder::new(limits());
    d.push(b"A001 AUTHENTICATE GSSAPI\r\n");
    let Some(Ok(CommandEvent::Frame(f))) = d.next_frame() else {
        panic!()
    };
    assert!(matches!(
        f.decode().unwrap(),
        ClientMessage::Command(Command {
            body: CommandBody::Authenticate { initial: None, .. },
            ..
        })
    ));
    d.set_expect(Expect::AuthenticateData);
    d.push(b"YIIB+wYJKoZIhvcSAQICAQBuggHqMIIB5qADAgEFoQMCAQ6iBw\r\n\r\n*\r\n");
    let mut lines = Vec::new();
    while let Some(Ok(CommandEvent::Frame(f))) = d.next_frame() {
        let ClientMessage::AuthenticateData(a) = f.decode().unwrap() else {
            panic!()
        };
        lines.push(a.to_bytes());
    }
    assert_eq!(
        lines,
        [
            &b"YIIB+wYJKoZIhvcSAQICAQBuggHqMIIB5qADAgEFoQMCAQ6iBw\r\n"[..],
            b"\r\n",
            b"*\r\n"
        ]
    );
    assert!(matches!(
        decode::authenticate_data(b"not base64!\r\n", &limits()),
        Err(e) if e.kind == DecodeErrorKind::NotAuthenticateData && e.offset == 3
    ));
    // RFC 2177: IDLE, then DONE.
    d.set_expect(Expect::Command);
    d.push(b"A002 IDLE\r\n");
    let Some(Ok(CommandEvent::Frame(f))) = d.next_frame() else {
        panic!()
    };
    assert!(
        matches!(f.decode().unwrap(), ClientMessage::Command(c) if c.body == CommandBody::Idle)
    );
    d.set_expect(Expect::IdleDone);
    d.push(b"DONE\r\n");
    let Some(Ok(CommandEvent::Frame(f))) = d.next_frame() else {
        panic!()
    };
    assert_eq!(f.decode().unwrap(), ClientMessage::Done);
    d.push(b"A003 FETCH 4 ALL\r\n");
    let Some(Ok(CommandEvent::Frame(f))) = d.next_frame() else {
        panic!()
    };
    assert_eq!(
        f.decode().unwrap_err().kind,
        DecodeErrorKind::ExpectedDone,
        "the session had not switched back"
    );
    assert!(f.decode_command().is_ok());
}

#[test]
fn literal_plus_rfc7888() {
    let c = cmd(b"A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man\r\n");
    let quoted = cmd(b"A001 LOGIN \"FRED FOOBAR\" \"fat man\"\r\n");
    assert_eq!(c, quoted);
    assert_eq!(c.to_bytes(), b"A001 LOGIN \"FRED FOOBAR\" \"fat man\"\r\n");
}

#[test]
fn idle_rfc2177_enable_rfc5161_namespace_rfc2342() {
    assert_eq!(same(b"A002 IDLE\r\n").body, CommandBody::Idle);
    assert!(decode::idle_done(b"DONE\r\n", &limits()).is_ok());
    assert!(decode::idle_done(b"done\r\n", &limits()).is_ok());
    same(b"a1 ENABLE CONDSTORE\r\n");
    same(b"a1 ENABLE UTF8=ACCEPT\r\n");
    assert_eq!(same(b"A001 NAMESPACE\r\n").body, CommandBody::Namespace);
    same(b"A002 CREATE \"INBOX.Sent Mail\"\r\n");
}

#[test]
fn id_rfc2971() {
    let c = same(
        b"a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")\r\n",
    );
    let CommandBody::Id(Some(params)) = c.body else {
        panic!()
    };
    assert_eq!(params.len(), 3);
    assert_eq!(
        params[2],
        (b("vendor"), Some(b("Pink Floyd Music Limited")))
    );
    assert_eq!(same(b"a042 ID NIL\r\n").body, CommandBody::Id(None));
}

#[test]
fn uidplus_rfc4315_move_rfc6851_unselect() {
    same(b"A003 UID EXPUNGE 3000:3002\r\n");
    same(b"a UID MOVE 42:69 foo\r\n");
    same(b"a MOVE 1:* Archive\r\n");
    assert_eq!(same(b"A342 UNSELECT\r\n").body, CommandBody::Unselect);
}

#[test]
fn condstore_qresync_rfc7162() {
    assert_eq!(
        same(b"A142 SELECT INBOX (CONDSTORE)\r\n").body,
        CommandBody::Select {
            mailbox: Mailbox::Inbox,
            params: vec![SelectParam::CondStore]
        }
    );
    assert_eq!(
        same(b"A142 SELECT INBOX (QRESYNC (3857529045 20010715194032001 1:198))\r\n").body,
        CommandBody::Select {
            mailbox: Mailbox::Inbox,
            params: vec![SelectParam::QResync(QResync {
                uid_validity: 3_857_529_045,
                mod_seq: 20_010_715_194_032_001,
                known_uids: Some(set("1:198")),
                seq_match: None,
            })]
        }
    );
    // RFC 7162 §3.2.5.2, wrapped in the RFC.
    let c = same(b"A03 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))\r\n");
    assert!(matches!(&c.body, CommandBody::Select { params, .. } if params.len() == 1));
    let c = same(b"B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29975:29977,29979:29980,29987,29989:29990,29993:29997)))\r\n");
    let CommandBody::Select { params, .. } = c.body else {
        panic!()
    };
    let SelectParam::QResync(q) = &params[0] else {
        panic!()
    };
    assert_eq!(
        q.seq_match.as_ref().unwrap().0,
        set("5000,7500,9000,9990:9999")
    );
    assert_eq!(
        cmd(b"s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n").body,
        CommandBody::Fetch {
            uid: true,
            set: set("1:*"),
            items: FetchItems::List(vec![FetchAttribute::Flags]),
            modifiers: vec![FetchModifier::ChangedSince(12345), FetchModifier::Vanished],
        }
    );
    assert_eq!(
        cmd(b"A150 STORE 1:2 (UNCHANGEDSINCE 96) +FLAGS.SILENT \\Seen\r\n").body,
        CommandBody::Store {
            uid: false,
            set: set("1:2"),
            unchanged_since: Some(96),
            action: StoreAction::Add,
            silent: true,
            target: StoreTarget::Flags(vec![Flag::Seen]),
        }
    );
    same(b"A042 STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ)\r\n");
    same(b"a FETCH 1:* (FLAGS MODSEQ) (CHANGEDSINCE 12345)\r\n");
    // RFC 7162 §3.1.5.
    assert_eq!(
        same(b"a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\n").body,
        CommandBody::Search {
            uid: false,
            return_opts: None,
            charset: None,
            criteria: vec![SearchKey::ModSeq {
                entry: Some((b("/flags/\\draft"), EntryType::All)),
                mod_seq: 620_162_338
            }],
        }
    );
}

#[test]
fn esearch_rfc4731() {
    let c = same(b"a4 SEARCH RETURN (MIN COUNT) MODSEQ 20\r\n");
    assert!(
        matches!(c.body, CommandBody::Search { return_opts: Some(ref r), .. } if r == &[SearchReturn::Min, SearchReturn::Count])
    );
    same(b"A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM Smith\r\n");
    same(b"A283 SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM Smith\r\n");
    same(b"A285 UID SEARCH RETURN (MIN MAX) 1:5000\r\n");
}

#[test]
fn sort_thread_rfc5256() {
    assert_eq!(
        same(b"A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL\r\n").body,
        CommandBody::Sort {
            uid: false,
            criteria: vec![
                mailwire_imap::types::SortCriterion {
                    reverse: false,
                    key: SortKey::Subject
                },
                mailwire_imap::types::SortCriterion {
                    reverse: true,
                    key: SortKey::Date
                },
            ],
            charset: mailwire_imap::types::Charset::new("UTF-8").unwrap(),
            search: vec![SearchKey::All],
        }
    );
    cmd(b"A284 SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"\r\n");
    let c = cmd(b"A284 THREAD ORDEREDSUBJECT US-ASCII TEXT \"gewp\"\r\n");
    assert!(matches!(
        c.body,
        CommandBody::Thread {
            algorithm: ThreadAlgorithm::OrderedSubject,
            ..
        }
    ));
    let c = cmd(b"A285 THREAD REFERENCES UTF-8 SINCE 5-MAR-2000\r\n");
    let CommandBody::Thread { search, .. } = c.body else {
        panic!()
    };
    assert_eq!(search, [SearchKey::Since(Date::new(2000, 3, 5).unwrap())]);
    same(b"A286 UID SORT (REVERSE ARRIVAL) UTF-8 UNDELETED\r\n");
}

#[test]
fn special_use_rfc6154_list_extended_rfc5258_list_status_rfc5819() {
    assert_eq!(
        same(b"t2 CREATE MySpecial (USE (\\Drafts \\Sent))\r\n").body,
        CommandBody::Create {
            mailbox: mbox("MySpecial"),
            special_use: vec![ListAttribute::Drafts, ListAttribute::Sent],
        }
    );
    same(b"t3 CREATE Everything (USE (\\All))\r\n");
    same(b"t3 LIST (SPECIAL-USE) \"\" *\r\n");
    assert_eq!(
        same(b"t1 LIST \"\" % RETURN (SPECIAL-USE)\r\n").body,
        CommandBody::List {
            selection: None,
            reference: mbox(""),
            patterns: vec![b("%")],
            return_opts: Some(vec![ListReturn::SpecialUse]),
        }
    );
    assert_eq!(
        cmd(b"BBB LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")\r\n").to_bytes(),
        b"BBB LIST \"\" (INBOX Drafts Sent/%)\r\n"
    );
    same(b"C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (CHILDREN)\r\n");
    same(b"A02 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (STATUS (MESSAGES))\r\n");
}

#[test]
fn binary_rfc3516_and_utf8_rfc6855() {
    let c = same(b"a FETCH 1 (BINARY.PEEK[1.2]<0.1024> BINARY.SIZE[1] BINARY[])\r\n");
    assert_eq!(
        c.body,
        CommandBody::Fetch {
            uid: false,
            set: set("1"),
            items: FetchItems::List(vec![
                FetchAttribute::Binary {
                    section: vec![1, 2],
                    peek: true,
                    partial: Some(Partial {
                        offset: 0,
                        count: NonZeroU64::new(1024).unwrap()
                    })
                },
                FetchAttribute::BinarySize { section: vec![1] },
                FetchAttribute::Binary {
                    section: vec![],
                    peek: false,
                    partial: None
                },
            ]),
            modifiers: vec![],
        }
    );
    let c = same(b"a APPEND Drafts (\\Draft) \" 7-Feb-1994 21:52:25 -0800\" ~{5}\r\na\0b\xffc\r\n");
    let CommandBody::Append { date, message, .. } = c.body else {
        panic!()
    };
    assert_eq!(
        date,
        DateTime::new(Date::new(1994, 2, 7).unwrap(), (21, 52, 25), -480)
    );
    assert_eq!(message.kind, AppendKind::Binary);
    assert_eq!(&message.data[..], b"a\0b\xffc");
    let c = same("a APPEND INBOX UTF8 (~{6}\r\nHällo)\r\n".as_bytes());
    let CommandBody::Append { message, .. } = c.body else {
        panic!()
    };
    assert_eq!(message.kind, AppendKind::Utf8);
    same(b"a ENABLE UTF8=ACCEPT\r\n");
}

#[test]
fn sasl_ir_rfc4959() {
    same(b"A01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n");
    same(b"A01 AUTHENTICATE EXTERNAL =\r\n");
    let c = same(b"A01 AUTHENTICATE EXTERNAL\r\n");
    assert!(matches!(
        c.body,
        CommandBody::Authenticate { initial: None, .. }
    ));
    // Debug never shows the secret.
    let c = cmd(b"A01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n");
    assert!(!format!("{c:?}").contains("dGVz"));
    let c = cmd(b"a LOGIN joe hunter2\r\n");
    assert!(!format!("{c:?}").contains("hunter2"));
}

#[test]
fn quota_rfc9208() {
    assert_eq!(
        cmd(b"G0001 GETQUOTA \"!partition/sda4\"\r\n").body,
        CommandBody::GetQuota(b("!partition/sda4"))
    );
    assert_eq!(
        same(b"G0002 GETQUOTAROOT INBOX\r\n").body,
        CommandBody::GetQuotaRoot(Mailbox::Inbox)
    );
    let c = cmd(b"S0001 SETQUOTA \"#user/alice\" (STORAGE 510)\r\n");
    let CommandBody::SetQuota { root, limits } = c.body else {
        panic!()
    };
    assert_eq!(&root[..], b"#user/alice");
    assert_eq!(limits[0].0.as_str(), "STORAGE");
    assert_eq!(limits[0].1, 510);
    let c = same(b"S0003 STATUS INBOX (MESSAGES DELETED DELETED-STORAGE)\r\n");
    assert!(
        matches!(c.body, CommandBody::Status { ref items, .. } if matches!(items[2], StatusAttribute::Other(ref a) if a.as_str() == "DELETED-STORAGE"))
    );
    same(b"a STATUS INBOX (SIZE)\r\n");
}

#[test]
fn acl_rfc4314() {
    assert_eq!(
        same(b"A002 SETACL INBOX/Drafts Chris +cda\r\n").body,
        CommandBody::SetAcl {
            mailbox: mbox("INBOX/Drafts"),
            identifier: b("Chris"),
            rights: b("+cda")
        }
    );
    same(b"A003 GETACL INBOX/Drafts\r\n");
    same(b"A143 MYRIGHTS INBOX\r\n");
    assert_eq!(
        cmd(b"B002 DeleteAcl INBOX Fred\r\n").body,
        CommandBody::DeleteAcl {
            mailbox: Mailbox::Inbox,
            identifier: b("Fred")
        }
    );
    same(b"a LISTRIGHTS ~/Mail/saved smith\r\n");
}

#[test]
fn metadata_rfc5464() {
    assert_eq!(
        cmd(b"a GETMETADATA \"\" /shared/comment\r\n").body,
        CommandBody::GetMetadata {
            options: vec![],
            mailbox: mbox(""),
            entries: vec![b("/shared/comment")]
        }
    );
    same(b"a GETMETADATA INBOX (/shared/comment /private/comment)\r\n");
    // The RFC's examples put the options after the mailbox and list
    // several entries without parentheses; both are read.
    let c = cmd(b"a GETMETADATA \"INBOX\" (MAXSIZE 1024) (/shared/comment /private/comment)\r\n");
    assert_eq!(
        c.to_bytes(),
        b"a GETMETADATA (MAXSIZE 1024) INBOX (/shared/comment /private/comment)\r\n"
    );
    let c = cmd(b"a GETMETADATA \"INBOX\" (DEPTH 1) (/private/filters/values)\r\n");
    assert!(
        matches!(c.body, CommandBody::GetMetadata { ref options, .. } if options == &[MetadataOption::Depth(MetadataDepth::One)])
    );
    let c = cmd(b"a GETMETADATA \"INBOX\" /private/comment /shared/comment\r\n");
    assert!(matches!(c.body, CommandBody::GetMetadata { ref entries, .. } if entries.len() == 2));
    same(b"a SETMETADATA INBOX (/private/comment \"My new comment\")\r\n");
    assert_eq!(
        same(b"a SETMETADATA INBOX (/private/comment NIL)\r\n").body,
        CommandBody::SetMetadata {
            mailbox: Mailbox::Inbox,
            entries: vec![(b("/private/comment"), None)]
        }
    );
    let c = same(
        b"a SETMETADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)\r\n",
    );
    let CommandBody::SetMetadata { entries, .. } = c.body else {
        panic!()
    };
    assert_eq!(
        entries[0].1.as_deref(),
        Some(&b"My new comment across\r\ntwo lines."[..])
    );
    same(b"t3 SETMETADATA SavedDrafts (/private/specialuse \"\\\\Drafts\")\r\n");
}

#[test]
fn compress_rfc4978_and_gmail() {
    assert_eq!(
        cmd(b"c compress deflate\r\n").to_bytes(),
        b"c COMPRESS deflate\r\n"
    );
    let c = same(b"a UID FETCH 1:* (X-GM-MSGID X-GM-THRID X-GM-LABELS)\r\n");
    assert!(
        matches!(c.body, CommandBody::Fetch { items: FetchItems::List(ref l), .. } if l.len() == 3)
    );
    same(b"a UID SEARCH X-GM-RAW \"has:attachment in:unread\"\r\n");
    same(b"a SEARCH X-GM-MSGID 1278455344230334865\r\n");
    same(b"a SEARCH X-GM-THRID 1266894439832287888\r\n");
    same(b"a SEARCH X-GM-LABELS foo\r\n");
    assert_eq!(
        same(b"a STORE 1 +X-GM-LABELS (\\Inbox \"Muy Importante\")\r\n").body,
        CommandBody::Store {
            uid: false,
            set: set("1"),
            unchanged_since: None,
            action: StoreAction::Add,
            silent: false,
            target: StoreTarget::GmLabels(vec![b("\\Inbox"), b("Muy Importante")]),
        }
    );
    same(b"a UID STORE 1 -X-GM-LABELS.SILENT (foo)\r\n");
}

#[test]
fn every_search_key() {
    let c = same(b"a SEARCH ALL ANSWERED BCC x BEFORE 1-Jan-2000 BODY y CC z DELETED DRAFT FLAGGED FROM f HEADER X-H v KEYWORD $k LARGER 10 NEW NOT OLD OLD ON 2-Feb-2001 OR SEEN RECENT SEEN SENTBEFORE 3-Mar-2002 SENTON 4-Apr-2003 SENTSINCE 5-May-2004 SINCE 6-Jun-2005 SMALLER 20 SUBJECT s TEXT t TO u UID 1:*,5 UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNKEYWORD $j UNSEEN 2,4:7 (SEEN (FLAGGED)) MODSEQ 5 OLDER 60 YOUNGER 30 EMAILID M123 THREADID T456\r\n");
    let CommandBody::Search { criteria, .. } = c.body else {
        panic!()
    };
    assert_eq!(criteria.len(), 41);
}

#[test]
fn fetch_items_and_macros() {
    same(b"a FETCH 1 ALL\r\n");
    same(b"a FETCH 1 FAST\r\n");
    same(b"a FETCH 1 FULL\r\n");
    same(b"a FETCH 1 (ENVELOPE FLAGS INTERNALDATE RFC822.SIZE BODY BODYSTRUCTURE UID RFC822 RFC822.HEADER RFC822.TEXT MODSEQ EMAILID THREADID)\r\n");
    same(b"a FETCH 1 (BODY[] BODY[1.2.MIME] BODY[3.TEXT]<10.20> BODY.PEEK[HEADER.FIELDS.NOT (Received)] BODY[4.HEADER])\r\n");
    same(b"a UID FETCH 1 BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID)]\r\n");
}

#[test]
fn errors_say_where() {
    let err = |input: &[u8]| decode::command(input, &limits()).unwrap_err();
    let e = err(b"a NOOP x\r\n");
    assert_eq!((e.offset, e.discard), (7, 10));
    let e = err(b"a SELECT\r\n");
    assert_eq!(e.offset, 8);
    let e = err(b"a SEARCH SINCE 32-Jan-2000\r\n");
    assert_eq!(e.offset, 15);
    let e = err(b"a FETCH 0 FLAGS\r\n");
    assert_eq!((e.offset, e.kind), (8, DecodeErrorKind::InvalidNumber));
    let e = err(b"a FETCH 1 (FLAGS BODY[FOO])\r\n");
    assert_eq!(e.offset, 22);
    let e = err(b"a STORE 1 FLAGZ (\\Seen)\r\n");
    assert_eq!(e.offset, 10);
    let e = err(b"a LOGIN \"a\\x\" b\r\n");
    assert_eq!((e.offset, e.kind), (11, DecodeErrorKind::InvalidEscape));
    let e = err(b"a LOGIN \"a\rb\" c\r\n");
    assert_eq!((e.offset, e.kind), (10, DecodeErrorKind::BareCr));
    let e = err(b"a APPEND x {3}\r\nabc x\r\n");
    assert_eq!(
        e.kind,
        DecodeErrorKind::Expected {
            what: "end of command"
        }
    );
    assert_eq!((e.offset, e.discard), (20, 23));
    // `+` may not start a tag.
    assert_eq!(err(b"+a NOOP\r\n").offset, 0);
    // Nesting and list limits.
    let mut small = limits();
    small.nesting_depth = 3;
    small.list_items = 3;
    let e = decode::command(b"a SEARCH NOT NOT (NOT SEEN)\r\n", &small).unwrap_err();
    assert_eq!(
        (e.offset, e.kind),
        (18, DecodeErrorKind::TooDeep { limit: 3 })
    );
    let e = decode::command(b"a FETCH 1 (UID FLAGS RFC822 ENVELOPE)\r\n", &small).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::TooManyItems { limit: 3 });
    // The same however the bytes arrive.
    let mut d = CommandDecoder::new(small);
    d.push(b"a SEARCH NOT NOT (NOT SEEN)\r\nb NOOP\r\n");
    let Some(Ok(CommandEvent::Frame(f))) = d.next_frame() else {
        panic!()
    };
    assert_eq!(f.decode().unwrap_err().offset, 18);
    let Some(Ok(CommandEvent::Frame(f))) = d.next_frame() else {
        panic!()
    };
    assert_eq!(f.offset(), 29);
}

#[test]
fn limits_hold_in_one_slice() {
    let mut small = limits();
    small.line_length = 20;
    small.literal_size = 10;
    let e = decode::command(b"a LOGIN aaaaaaaaaaaaaaaaaaaaaaaaa b\r\n", &small).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::LineTooLong { limit: 20 });
    // A synchronizing literal over the limit ends the command at its line:
    // the client waits for a continuation that will not come.
    let e = decode::command(b"a LOGIN {11}\r\nb NOOP\r\n", &small).unwrap_err();
    assert_eq!(
        (e.offset, e.kind.clone(), e.discard),
        (
            8,
            DecodeErrorKind::LiteralTooLarge {
                size: 11,
                limit: 10
            },
            14
        )
    );
    // A non-synchronizing one is on its way: its bytes are discarded too.
    let e = decode::command(b"a LOGIN {11+}\r\n", &small).unwrap_err();
    assert_eq!(e.discard, 15 + 11);
    // The announced size reserves nothing.
    let mut d = CommandDecoder::new(limits());
    d.set_literal_mode(LiteralMode::Plus);
    d.push(b"a APPEND x {18446744073709551615+}\r\n");
    assert!(matches!(
        d.next_frame(),
        Some(Err(e)) if matches!(e.kind, DecodeErrorKind::LiteralTooLarge { .. })
    ));
}

#[test]
fn continuation_flow() {
    // Synchronizing: the decoder stops before the literal's bytes.
    let mut d = CommandDecoder::new(limits());
    d.push(b"A001 LOGIN {11}\r\nFRED");
    match d.next_frame() {
        Some(Ok(CommandEvent::NeedsContinuation {
            literal_len: 11,
            offset: 11,
        })) => {}
        other => panic!("{other:?}"),
    }
    assert!(d.next_frame().is_none());
    d.push(b" FOOBAR {7}\r\n");
    assert!(matches!(
        d.next_frame(),
        Some(Ok(CommandEvent::NeedsContinuation { literal_len: 7, .. }))
    ));
    d.push(b"fat man\r\n");
    let Some(Ok(CommandEvent::Frame(f))) = d.next_frame() else {
        panic!()
    };
    assert_eq!(f.offset(), 0);
    assert!(
        matches!(f.decode().unwrap(), ClientMessage::Command(c) if matches!(c.body, CommandBody::Login { .. }))
    );

    // LITERAL+: no stop.
    let mut d = CommandDecoder::new(limits());
    d.set_literal_mode(LiteralMode::Plus);
    d.push(b"A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man\r\n");
    assert!(matches!(d.next_frame(), Some(Ok(CommandEvent::Frame(_)))));

    // LITERAL-: up to 4096 octets go at once, more is refused and skipped.
    let mut d = CommandDecoder::new(limits());
    assert_eq!(d.literal_mode(), LiteralMode::Minus);
    let big = vec![b'x'; 4097];
    let mut input = b"A1 APPEND x {4096+}\r\n".to_vec();
    input.extend_from_slice(&big[..4096]);
    input.extend_from_slice(b"\r\nA2 APPEND x {4097+}\r\n");
    input.extend_from_slice(&big);
    input.extend_from_slice(b"\r\nA3 NOOP\r\n");
    d.push(&input);
    assert!(matches!(d.next_frame(), Some(Ok(CommandEvent::Frame(f))) if f.decode().is_ok()));
    let Some(Err(e)) = d.next_frame() else {
        panic!()
    };
    assert_eq!(
        e.kind,
        DecodeErrorKind::NonSyncLiteralTooLarge {
            size: 4097,
            limit: 4096
        }
    );
    assert_eq!(e.offset, 21 + 4096 + 2 + 12);
    let Some(Ok(CommandEvent::Frame(f))) = d.next_frame() else {
        panic!()
    };
    assert_eq!(f.as_bytes(), b"A3 NOOP\r\n");
    // Neither extension: every non-synchronizing literal is refused.
    let mut d = CommandDecoder::new(limits());
    d.set_literal_mode(LiteralMode::Sync);
    d.push(b"A1 LOGIN {1+}\r\na b\r\nA2 NOOP\r\n");
    assert!(
        matches!(d.next_frame(), Some(Err(e)) if e.kind == DecodeErrorKind::NonSyncLiteralRefused)
    );
    assert!(
        matches!(d.next_frame(), Some(Ok(CommandEvent::Frame(f))) if f.as_bytes() == b"A2 NOOP\r\n")
    );

    // The server refuses a synchronizing literal: the client sends neither
    // it nor the rest of the command.
    let mut d = CommandDecoder::new(limits());
    d.push(b"A1 APPEND x {999999}\r\nA2 NOOP\r\n");
    assert!(matches!(
        d.next_frame(),
        Some(Ok(CommandEvent::NeedsContinuation {
            literal_len: 999_999,
            ..
        }))
    ));
    assert!(d.reject_literal());
    assert!(!d.reject_literal());
    let Some(Ok(CommandEvent::Frame(f))) = d.next_frame() else {
        panic!()
    };
    assert_eq!((f.offset(), f.as_bytes()), (22, &b"A2 NOOP\r\n"[..]));

    // `{n}` is a literal only where the grammar has a string.
    let mut d = CommandDecoder::new(limits());
    d.push(b"A1 NOOP {5}\r\nA2 NOOP\r\n");
    assert!(matches!(d.next_frame(), Some(Ok(CommandEvent::Frame(f))) if f.decode().is_err()));
    assert!(matches!(d.next_frame(), Some(Ok(CommandEvent::Frame(f))) if f.decode().is_ok()));
}

#[test]
fn fragments_wait_for_continuations() {
    let (c, _) = decode::command(b"A1 APPEND INBOX {5}\r\nhello\r\n", &limits())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(
        encode::fragments(&c, LiteralMode::Sync),
        [
            Fragment::Line(b"A1 APPEND INBOX {5}\r\n".to_vec()),
            Fragment::Literal {
                data: b"hello",
                sync: true
            },
            Fragment::Line(b"\r\n".to_vec()),
        ]
    );
    assert!(matches!(
        encode::fragments(&c, LiteralMode::Minus)[1],
        Fragment::Literal { sync: false, .. }
    ));
    // Strings: atom, quoted, literal as needed.
    let c = Command::new(
        mailwire_imap::types::Tag::new("a").unwrap(),
        CommandBody::Login {
            username: b("joe"),
            password: mailwire_imap::types::Secret::new(b("pass word")),
        },
    );
    assert_eq!(
        encode::fragments(&c, LiteralMode::Sync),
        [Fragment::Line(b"a LOGIN joe \"pass word\"\r\n".to_vec())]
    );
    let c = Command::new(
        mailwire_imap::types::Tag::new("a").unwrap(),
        CommandBody::Create {
            mailbox: Mailbox::from_utf8("Entwürfe").unwrap(),
            special_use: vec![],
        },
    );
    let f = encode::fragments(&c, LiteralMode::Plus);
    assert_eq!(f[0], Fragment::Line(b"a CREATE {9+}\r\n".to_vec()));
    // The pieces, sent in order, are the whole command.
    let joined: Vec<u8> = f
        .iter()
        .flat_map(|f| match f {
            Fragment::Line(l) => l.clone(),
            Fragment::Literal { data, .. } => data.to_vec(),
        })
        .collect();
    assert!(decode::command(&joined, &limits()).is_ok());
}

#[test]
fn streaming_equals_stateless_for_every_split() {
    let input = format!(
        "A1 SELECT INBOX\r\nA2 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From {{2}}\r\nTo)])\r\n\
         A3 APPEND x {{326}}\r\n{APPEND_9051}\r\nA4 SEARCH CHARSET UTF-8 TEXT {{4+}}\r\nabcd\r\nA5 LOGOUT\r\n"
    );
    let input = input.as_bytes();
    let mut whole = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        let (c, used) = decode::command(rest, &limits())
            .unwrap()
            .complete()
            .unwrap();
        whole.push(c.to_bytes());
        rest = &rest[used..];
    }
    assert_eq!(whole.len(), 5);
    for n in [1, 2, 3, 7, 64, input.len()] {
        assert_eq!(stream(input, n, LiteralMode::Plus), whole, "chunks of {n}");
    }
    for cut in 0..input.len() {
        let mut d = CommandDecoder::new(limits());
        d.set_literal_mode(LiteralMode::Plus);
        let mut out = Vec::new();
        for part in [&input[..cut], &input[cut..]] {
            d.push(part);
            while let Some(ev) = d.next_frame() {
                if let CommandEvent::Frame(f) = ev.unwrap() {
                    out.push(f.decode().unwrap().to_bytes());
                }
            }
        }
        assert_eq!(out, whole, "cut at {cut}");
    }
}

#[test]
fn eight_bit_atoms_are_tolerated() {
    // Python's imaplib sends UTF-8 search strings bare.
    let c = cmd("NLDO5 SEARCH CHARSET UTF-8 SUBJECT Entwürfe\r\n".as_bytes());
    assert_eq!(
        c.to_bytes(),
        "NLDO5 SEARCH CHARSET UTF-8 SUBJECT {9}\r\nEntwürfe\r\n".as_bytes()
    );
    cmd("a LIST \"\" Entwürfe/*\r\n".as_bytes());
}

#[test]
fn encoding_cannot_smuggle_a_line() {
    // CR and LF in a string go in a literal, never inside a line.
    let c = Command::new(
        mailwire_imap::types::Tag::new("a").unwrap(),
        CommandBody::Search {
            uid: false,
            return_opts: None,
            charset: None,
            criteria: vec![SearchKey::Subject(b("x\r\nb LOGOUT"))],
        },
    );
    let wire = c.to_bytes();
    assert_eq!(wire, b"a SEARCH SUBJECT {11}\r\nx\r\nb LOGOUT\r\n");
    let (again, used) = decode::command(&wire, &limits())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!((again, used), (c, wire.len()));
}
