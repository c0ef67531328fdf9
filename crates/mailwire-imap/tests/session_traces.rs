//! Session traces from RFC 9051 §8 and the extension RFCs' examples,
//! replayed through an in-memory client/server pair, no sockets.
//!
//! A transcript has three kinds of lines:
//!
//! - `C:` what the client writes. The client session is driven with the
//!   commands these lines hold (decoded from them), and must write exactly
//!   these bytes. Tags are the client's own (`A0001`, …) and strings are in
//!   the encoder's canonical form, so the RFCs' tags and quoting are
//!   adapted; their content is not.
//! - `S:` what the mailbox backend answers through the server session
//!   (untagged data, then the tagged status); the test's backend replays
//!   these lines in order, and the server must write them.
//! - `s:` what the server session writes by itself (greeting, `+`
//!   continuations, answers to `CAPABILITY`, `ENABLE`, `IDLE`, `LOGOUT`,
//!   `STARTTLS`, state errors); compared by kind, tag and code, not text.

use std::collections::VecDeque;

use mailwire_imap::Limits;
use mailwire_imap::decode::{self, ResponseDecoder};
use mailwire_imap::session::{
    Client, ClientConfig, ClientEvent, Server, ServerConfig, ServerEvent, State, Unsolicited,
};
use mailwire_imap::types::{Capability, CommandBody, LiteralMode, Response, StatusKind, Tag};
use mailwire_sasl::{ClientMechanism, Secret};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Client,
    Backend,
    Session,
}

struct Trace {
    lines: Vec<(Who, Vec<u8>)>,
}

fn parse(text: &str) -> Trace {
    let mut lines = Vec::new();
    for raw in text.lines() {
        let raw = raw.trim_start();
        let (who, rest) = if let Some(r) = raw.strip_prefix("C: ") {
            (Who::Client, r)
        } else if let Some(r) = raw.strip_prefix("S: ") {
            (Who::Backend, r)
        } else if let Some(r) = raw.strip_prefix("s: ") {
            (Who::Session, r)
        } else if raw == "C:" {
            (Who::Client, "")
        } else {
            continue;
        };
        let mut line = rest.as_bytes().to_vec();
        line.extend_from_slice(b"\r\n");
        lines.push((who, line));
    }
    Trace { lines }
}

fn split_responses(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut decoder = ResponseDecoder::new(Limits::default());
    decoder.push(bytes);
    let mut out = Vec::new();
    while let Some(frame) = decoder.next_frame() {
        out.push(frame.expect("server output decodes").as_bytes().to_vec());
    }
    assert!(decoder.buffered().is_empty(), "trailing server bytes");
    out
}

/// Compares a server line with the expected one: exactly for backend
/// lines, by kind, tag and code for the session's own.
fn same_response(actual: &[u8], expected: &[u8], loose: bool) {
    if !loose {
        assert_eq!(
            String::from_utf8_lossy(actual),
            String::from_utf8_lossy(expected)
        );
        return;
    }
    let limits = Limits::default();
    let (a, _) = decode::response(actual, &limits)
        .unwrap()
        .complete()
        .unwrap();
    let (e, _) = decode::response(expected, &limits)
        .unwrap()
        .complete()
        .unwrap();
    let what = format!(
        "{} vs {}",
        String::from_utf8_lossy(actual),
        String::from_utf8_lossy(expected)
    );
    match (&a, &e) {
        (Response::Status(a), Response::Status(e)) => {
            assert_eq!(a.tag(), e.tag(), "{what}");
            assert_eq!(a.kind(), e.kind(), "{what}");
            match (a.code(), e.code()) {
                (Some(_), None) | (None, None) => {}
                (a, e) => assert_eq!(
                    std::mem::discriminant(a.unwrap()),
                    std::mem::discriminant(e.unwrap()),
                    "{what}"
                ),
            }
        }
        (Response::Continuation(_), Response::Continuation(_)) => {}
        (Response::Data(a), Response::Data(e)) => {
            assert_eq!(
                std::mem::discriminant(a),
                std::mem::discriminant(e),
                "{what}"
            );
        }
        _ => panic!("different responses: {what}"),
    }
}

/// What a replay gives back for the test to check further.
struct Replay {
    client_events: Vec<ClientEvent>,
    server_events: Vec<ServerEvent>,
    client: Client,
    server: Server,
}

fn plain(authzid: Option<&str>, authcid: &str, password: &str) -> mailwire_sasl::Client {
    mailwire_sasl::Client::new(ClientMechanism::Plain {
        authzid: authzid.map(str::to_owned),
        authcid: authcid.to_owned(),
        password: Secret::new(password.as_bytes()),
    })
    .unwrap()
}

fn replay(text: &str, config: ServerConfig, mut sasl: Option<mailwire_sasl::Client>) -> Replay {
    let trace = parse(text);
    let limits = Limits::default();
    let mut server = Server::new(config);
    let mut client = Client::new(ClientConfig::default());

    // The client's commands, from its lines.
    let client_stream: Vec<u8> = trace
        .lines
        .iter()
        .filter(|(w, _)| *w == Who::Client)
        .flat_map(|(_, l)| l.clone())
        .collect();
    let mut at = 0;
    let mut in_auth = false;
    while at < client_stream.len() {
        let rest = &client_stream[at..];
        if rest.starts_with(b"DONE\r\n") {
            client.done().unwrap();
            at += 6;
            continue;
        }
        if in_auth && !rest.starts_with(b"A0") {
            // A SASL response: the client session writes it itself.
            let end = rest.iter().position(|&b| b == b'\n').unwrap() + 1;
            at += end;
            continue;
        }
        in_auth = false;
        let (cmd, used) = decode::command(rest, &limits)
            .unwrap()
            .complete()
            .expect("complete command");
        let tag = match cmd.body {
            CommandBody::Authenticate { .. } => {
                in_auth = true;
                client
                    .authenticate(sasl.take().expect("a SASL mechanism"))
                    .unwrap()
            }
            body => client.send(body).unwrap(),
        };
        assert_eq!(tag, cmd.tag, "tags are the client's");
        at += used;
    }

    // The backend's answers, in order.
    let backend_stream: Vec<u8> = trace
        .lines
        .iter()
        .filter(|(w, _)| *w == Who::Backend)
        .flat_map(|(_, l)| l.clone())
        .collect();
    let mut backend: VecDeque<Vec<u8>> = split_responses(&backend_stream).into();
    // Lines that arrive while idling: the backend lines between the
    // session's `+ idling` and the client's DONE.
    let mut idle_updates: VecDeque<Vec<Vec<u8>>> = VecDeque::new();
    let mut collecting: Option<Vec<Vec<u8>>> = None;
    for (who, line) in &trace.lines {
        match who {
            Who::Session if line.starts_with(b"+ idling") => collecting = Some(Vec::new()),
            Who::Backend => {
                if let Some(c) = &mut collecting {
                    c.push(line.clone());
                }
            }
            Who::Client if line == b"DONE\r\n" => idle_updates.extend(collecting.take()),
            _ => {}
        }
    }

    let mut client_out = Vec::new();
    let mut server_out = Vec::new();
    let mut client_events = Vec::new();
    let mut server_events = Vec::new();
    for _ in 0..64 {
        while let Some(bytes) = server.poll_transmit() {
            server_out.extend_from_slice(&bytes);
            client.handle_input(&bytes);
        }
        while let Some(event) = client.poll_event() {
            match &event {
                ClientEvent::StartTls { leftover } => {
                    assert!(leftover.is_empty());
                    client.tls_established();
                }
                ClientEvent::Compress { .. } => client.compression_started(),
                _ => {}
            }
            client_events.push(event);
        }
        while let Some(bytes) = client.poll_transmit() {
            client_out.extend_from_slice(&bytes);
            server.handle_input(&bytes);
        }
        while let Some(event) = server.poll_event() {
            let tag = match &event {
                ServerEvent::Command(r) => Some(r.tag().clone()),
                ServerEvent::Login { tag, .. } | ServerEvent::Authenticate { tag, .. } => {
                    Some(tag.clone())
                }
                ServerEvent::Idle { .. } => {
                    for line in idle_updates.pop_front().unwrap_or_default() {
                        assert_eq!(backend.pop_front().as_ref(), Some(&line));
                        send_backend_line(&mut server, &line, None);
                    }
                    None
                }
                _ => None,
            };
            if let Some(tag) = tag {
                while let Some(line) = backend.pop_front() {
                    if send_backend_line(&mut server, &line, Some(&tag)) {
                        break;
                    }
                }
            }
            server_events.push(event);
        }
    }
    assert!(backend.is_empty(), "backend lines left: {backend:?}");

    // The client wrote exactly its lines.
    assert_eq!(
        String::from_utf8_lossy(&client_out),
        String::from_utf8_lossy(&client_stream)
    );
    // The server wrote its lines: the backend's exactly, the session's
    // by kind.
    let expected: Vec<(Who, Vec<u8>)> = trace
        .lines
        .iter()
        .filter(|(w, _)| *w != Who::Client)
        .cloned()
        .collect();
    // Expected lines may hold literals spread over several transcript
    // lines: join them as the decoder frames them.
    let joined: Vec<u8> = expected.iter().flat_map(|(_, l)| l.clone()).collect();
    let frames = split_responses(&joined);
    let mut kinds = Vec::new();
    let mut pos = 0;
    let mut i = 0;
    for frame in &frames {
        kinds.push(expected[i].0);
        let end = pos + frame.len();
        while pos < end {
            pos += expected[i].1.len();
            i += 1;
        }
    }
    let actual = split_responses(&server_out);
    assert_eq!(
        actual.len(),
        frames.len(),
        "server wrote:\n{}",
        String::from_utf8_lossy(&server_out)
    );
    for ((a, e), who) in actual.iter().zip(&frames).zip(&kinds) {
        same_response(a, e, *who == Who::Session);
    }
    Replay {
        client_events,
        server_events,
        client,
        server,
    }
}

/// Sends one backend line through the server session; true when it was the
/// tagged status completing `tag`.
fn send_backend_line(server: &mut Server, line: &[u8], tag: Option<&Tag<'_>>) -> bool {
    let (response, _) = decode::response(line, &Limits::default())
        .unwrap()
        .complete()
        .unwrap();
    match response {
        Response::Status(s) if s.tag().is_some() => {
            assert_eq!(s.tag(), tag, "backend line for another command");
            let text = s.text().to_string_lossy().into_owned();
            server.complete(s.kind(), s.code().cloned(), &text).unwrap();
            true
        }
        other => {
            server.send_untagged(&other).unwrap();
            false
        }
    }
}

fn caps(names: &[&str]) -> Vec<Capability<'static>> {
    names
        .iter()
        .map(|n| Capability::new(mailwire_imap::types::Atom::new(n.to_string()).unwrap()))
        .collect()
}

fn completed(events: &[ClientEvent]) -> Vec<(String, StatusKind)> {
    events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Completed { tag, status, .. } => {
                Some((tag.as_str().to_owned(), status.kind()))
            }
            _ => None,
        })
        .collect()
}

/// RFC 9051 §8, the sample IMAP4rev2 connection. SCRAM-SHA-256 is not one
/// of mailwire-sasl's mechanisms: PLAIN with SASL-IR stands in for it.
#[test]
fn rfc9051_sample_connection() {
    let mut config = ServerConfig::default();
    config.capabilities = caps(&["IMAP4rev2", "ENABLE"]);
    config.starttls = true;
    config.plaintext_login = false;
    config.literal_mode = LiteralMode::Minus;
    config.enable = caps(&["IMAP4rev2"]);
    let trace = r#"
        s: * OK [CAPABILITY IMAP4rev2 ENABLE LITERAL- STARTTLS LOGINDISABLED] IMAP4rev2 Service Ready
        C: A0001 STARTTLS
        s: A0001 OK Proceed with TLS negotiation
        C: A0002 CAPABILITY
        s: * CAPABILITY IMAP4rev2 ENABLE LITERAL- SASL-IR AUTH=PLAIN
        s: A0002 OK CAPABILITY completed
        C: A0003 AUTHENTICATE PLAIN AHVzZXIAcGVuY2ls
        S: A0003 OK PLAIN authentication successful
        C: A0004 ENABLE IMAP4rev2
        s: * ENABLED IMAP4rev2
        s: A0004 OK Some capabilities enabled
        C: A0005 SELECT INBOX
        S: * 18 EXISTS
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * LIST () "/" INBOX (OLDNAME (INBOX))
        S: A0005 OK [READ-WRITE] SELECT completed
        C: A0006 FETCH 12 FULL
        S: * 12 FETCH (FLAGS (\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 4286 ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev2 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.ed>") BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92))
        S: A0006 OK FETCH completed
        C: A0007 FETCH 12 BODY[HEADER]
        S: * 12 FETCH (BODY[HEADER] {20}
        S: Subject: IMAP4rev2
        S: )
        S: A0007 OK FETCH completed
        C: A0008 STORE 12 +FLAGS (\Deleted)
        S: * 12 FETCH (FLAGS (\Seen \Deleted))
        S: A0008 OK STORE completed
        C: A0009 LOGOUT
        s: * BYE IMAP4rev2 server terminating connection
        s: A0009 OK LOGOUT completed
    "#;
    let r = replay(trace, config, Some(plain(None, "user", "pencil")));
    assert_eq!(
        completed(&r.client_events),
        (1..=9)
            .map(|n| (format!("A{n:04}"), StatusKind::Ok))
            .collect::<Vec<_>>()
    );
    // The client saw the upgrade, the enabled extension, the mailbox.
    assert!(
        r.client_events
            .iter()
            .any(|e| matches!(e, ClientEvent::StartTls { .. }))
    );
    assert!(r.client.is_enabled("IMAP4rev2"));
    assert!(r.client.tls_active() && r.server.tls_active());
    assert_eq!(r.client.state(), State::Logout);
    assert!(r.server.is_closed());
    // The FETCH data went to the FETCH and STORE commands, not to
    // "unsolicited".
    assert!(
        !r.client_events
            .iter()
            .any(|e| matches!(e, ClientEvent::Unsolicited(_)))
    );
    let ServerEvent::Authenticate { credentials, .. } = &r.server_events[1] else {
        panic!("{:?}", r.server_events);
    };
    assert!(credentials.verify_password(b"pencil"));
}

/// RFC 2177 §3: IDLE, with an update while idling.
#[test]
fn rfc2177_idle() {
    let trace = r#"
        s: * OK [CAPABILITY IMAP4rev1 IMAP4rev2 IDLE ENABLE LITERAL+ SASL-IR AUTH=PLAIN] ready
        C: A0001 LOGIN fred secret
        S: A0001 OK logged in
        C: A0002 SELECT INBOX
        S: * FLAGS (\Deleted \Seen)
        S: * 3 EXISTS
        S: * 0 RECENT
        S: * OK [UIDVALIDITY 1] UIDs valid
        S: A0002 OK SELECT completed
        C: A0003 IDLE
        s: + idling
        S: * 4 EXISTS
        C: DONE
        s: A0003 OK IDLE terminated
        C: A0004 FETCH 4 ALL
        S: * 4 FETCH (FLAGS () RFC822.SIZE 44827)
        S: A0004 OK FETCH completed
    "#;
    let r = replay(trace, ServerConfig::default(), None);
    let idling = r
        .client_events
        .iter()
        .position(|e| matches!(e, ClientEvent::Idling { .. }))
        .unwrap();
    let exists = r
        .client_events
        .iter()
        .position(|e| *e == ClientEvent::Unsolicited(Unsolicited::Exists(4)))
        .unwrap();
    assert!(idling < exists);
    let selected = r.client.selected().unwrap();
    assert_eq!((selected.exists, selected.uid_validity), (4, Some(1)));
    assert!(
        r.server_events
            .iter()
            .any(|e| matches!(e, ServerEvent::IdleDone { .. }))
    );
}

/// RFC 7888 §4: LITERAL+ — the client does not wait for `+`. (A CR in
/// the strings makes the encoder choose literals, as the RFC's example
/// has them.)
#[test]
fn rfc7888_literal_plus() {
    let trace = "
        s: * OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR AUTH=PLAIN] ready
        C: A0001 LOGIN {11+}
        C: FRED\rFOOBAR {7+}
        C: fat\rman
        S: A0001 OK LOGIN completed
    ";
    let mut config = ServerConfig::default();
    config.capabilities = caps(&["IMAP4rev1"]);
    let r = replay(trace, config, None);
    let ServerEvent::Login {
        username, password, ..
    } = &r.server_events[0]
    else {
        panic!()
    };
    assert_eq!(username, b"FRED\rFOOBAR");
    assert_eq!(password.expose(), b"fat\rman");
}

/// RFC 4959 §3: AUTHENTICATE with an initial response (SASL-IR), and
/// without (the server's empty challenge first).
#[test]
fn rfc4959_sasl_ir() {
    let trace = r#"
        s: * OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR AUTH=PLAIN] ready
        C: A0001 CAPABILITY
        s: * CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN
        s: A0001 OK Completed
        C: A0002 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=
        S: A0002 OK Success (tls protection)
    "#;
    let mut config = ServerConfig::default();
    config.capabilities = caps(&["IMAP4rev1"]);
    let r = replay(trace, config, Some(plain(Some("test"), "test", "test")));
    assert!(matches!(
        &r.server_events[0],
        ServerEvent::Authenticate { credentials, .. } if credentials.username() == Some("test")
    ));

    let trace = r#"
        s: * OK [CAPABILITY IMAP4rev1 LITERAL+] ready
        C: A0001 AUTHENTICATE PLAIN
        s: +
        C: dGVzdAB0ZXN0AHRlc3Q=
        S: A0001 OK Success (tls protection)
    "#;
    let mut config = ServerConfig::default();
    config.capabilities = caps(&["IMAP4rev1"]);
    // Without SASL-IR in the capabilities the client waits for `+`.
    config.mechanisms = vec![mailwire_sasl::Mechanism::PLAIN];
    let r = replay_without_sasl_ir(trace, config, plain(Some("test"), "test", "test"));
    assert_eq!(completed(&r), vec![("A0001".into(), StatusKind::Ok)]);
}

/// The server advertises SASL-IR whenever it offers mechanisms; this
/// client sees a greeting without it (the backend line stands in for the
/// session's greeting).
fn replay_without_sasl_ir(
    trace: &str,
    config: ServerConfig,
    sasl: mailwire_sasl::Client,
) -> Vec<ClientEvent> {
    let mut server = Server::new(config);
    let mut client = Client::new(ClientConfig::default());
    let _ = server.poll_transmit();
    client.handle_input(b"* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n");
    client.authenticate(sasl).unwrap();
    let mut client_out = Vec::new();
    let mut events = Vec::new();
    for _ in 0..8 {
        while let Some(b) = client.poll_transmit() {
            client_out.extend_from_slice(&b);
            server.handle_input(&b);
        }
        while let Some(e) = server.poll_event() {
            if matches!(e, ServerEvent::Authenticate { .. }) {
                server
                    .complete(StatusKind::Ok, None, "Success (tls protection)")
                    .unwrap();
            }
        }
        while let Some(b) = server.poll_transmit() {
            client.handle_input(&b);
        }
        events.extend(std::iter::from_fn(|| client.poll_event()));
    }
    let expected: Vec<u8> = parse(trace)
        .lines
        .iter()
        .filter(|(w, _)| *w == Who::Client)
        .flat_map(|(_, l)| l.clone())
        .collect();
    assert_eq!(
        String::from_utf8_lossy(&client_out),
        String::from_utf8_lossy(&expected)
    );
    events
}

/// RFC 5161 §4: ENABLE turns on what the server knows, reports it, and
/// ignores the rest.
#[test]
fn rfc5161_enable() {
    let trace = r#"
        s: * OK [CAPABILITY IMAP4rev1 ID LITERAL+ ENABLE X-GOOD-IDEA SASL-IR AUTH=PLAIN] ready
        C: A0001 LOGIN user pass
        S: A0001 OK logged in
        C: A0002 ENABLE CONDSTORE X-GOOD-IDEA
        s: * ENABLED X-GOOD-IDEA
        s: A0002 OK foo
        C: A0003 ENABLE UTF8=ACCEPT QRESYNC
        s: * ENABLED UTF8=ACCEPT QRESYNC
        s: A0003 OK foo
    "#;
    let mut config = ServerConfig::default();
    config.capabilities = caps(&["IMAP4rev1", "ID", "ENABLE", "X-GOOD-IDEA"]);
    config.enable = caps(&["X-GOOD-IDEA", "UTF8=ACCEPT", "QRESYNC"]);
    let r = replay(trace, config, None);
    assert!(r.client.is_enabled("x-good-idea"));
    assert!(r.client.is_enabled("UTF8=ACCEPT") && r.client.is_enabled("QRESYNC"));
    assert!(!r.client.is_enabled("CONDSTORE"));
    assert!(r.server.is_enabled("QRESYNC") && !r.server.is_enabled("CONDSTORE"));
}

/// RFC 6851 §4.1: UID MOVE, its COPYUID and EXPUNGEs routed to the MOVE.
#[test]
fn rfc6851_move() {
    let trace = r#"
        s: * OK [CAPABILITY IMAP4rev1 MOVE UIDPLUS LITERAL+ SASL-IR AUTH=PLAIN] ready
        C: A0001 LOGIN user pass
        S: A0001 OK logged in
        C: A0002 SELECT INBOX
        S: * 30 EXISTS
        S: A0002 OK [READ-WRITE] SELECT completed
        C: A0003 UID MOVE 42:69 foo
        S: * OK [COPYUID 432432 42:69 1202:1229] Moved
        S: * 22 EXPUNGE
        S: * 22 EXPUNGE
        S: A0003 OK Done
    "#;
    let mut config = ServerConfig::default();
    config.capabilities = caps(&["IMAP4rev1", "MOVE", "UIDPLUS"]);
    let r = replay(trace, config, None);
    let move_data = r
        .client_events
        .iter()
        .filter(|e| {
            matches!(e, ClientEvent::Data { command, .. } if *command == mailwire_imap::session::CommandKind::Move)
        })
        .count();
    assert_eq!(move_data, 3);
    assert_eq!(r.client.selected().unwrap().exists, 28);
}

/// RFC 4315 §3 (UIDPLUS): APPEND with a synchronizing literal (the server
/// has neither LITERAL+ nor LITERAL-), COPY, UID EXPUNGE.
#[test]
fn rfc4315_uidplus() {
    let trace = r#"
        s: * OK [CAPABILITY IMAP4rev1 UIDPLUS SASL-IR AUTH=PLAIN] ready
        C: A0001 LOGIN user pass
        S: A0001 OK logged in
        C: A0002 APPEND saved-messages (\Seen) {20}
        s: + Ready for literal data
        C: Subject: hi
        C: 
        C: hello
        S: A0002 OK [APPENDUID 38505 3955] APPEND completed
        C: A0003 SELECT saved-messages
        S: * 5 EXISTS
        S: A0003 OK SELECT completed
        C: A0004 COPY 2:4 meeting
        S: A0004 OK [COPYUID 38505 304,319:320 3956:3958] Done
        C: A0005 UID EXPUNGE 3000:3002
        S: * 3 EXPUNGE
        S: * 3 EXPUNGE
        S: * 3 EXPUNGE
        S: A0005 OK UID EXPUNGE completed
    "#;
    let mut config = ServerConfig::default();
    config.capabilities = caps(&["IMAP4rev1", "UIDPLUS"]);
    config.literal_mode = LiteralMode::Sync;
    let r = replay(trace, config, None);
    let ServerEvent::Command(append) = &r.server_events[1] else {
        panic!()
    };
    let CommandBody::Append { message, .. } = append.command().unwrap().body else {
        panic!()
    };
    assert_eq!(&message.data[..], b"Subject: hi\r\n\r\nhello");
    assert_eq!(r.client.selected().unwrap().exists, 2);
}
