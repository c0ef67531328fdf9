//! Session rules: state errors on both sides, literal acceptance and
//! refusal, STARTTLS/COMPRESS buffer hygiene, and split invariance of
//! the client session (proptest).

use mailwire_imap::session::{
    Client, ClientConfig, ClientError, ClientEvent, CommandKind, Server, ServerConfig, ServerEvent,
    State,
};
use mailwire_imap::types::{CommandBody, LiteralMode, Mailbox, Secret, StatusKind};
use proptest::prelude::*;

fn server_with(config: ServerConfig) -> (Server, Vec<u8>) {
    let mut server = Server::new(config);
    let greeting = server.poll_transmit().unwrap().to_vec();
    (server, greeting)
}

fn output(server: &mut Server) -> String {
    let mut out = Vec::new();
    while let Some(b) = server.poll_transmit() {
        out.extend_from_slice(&b);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn login(server: &mut Server) {
    server.handle_input(b"a1 LOGIN fred secret\r\n");
    assert!(matches!(
        server.poll_event(),
        Some(ServerEvent::Login { .. })
    ));
    server.complete(StatusKind::Ok, None, "welcome").unwrap();
    assert_eq!(output(server), "a1 OK welcome\r\n");
}

#[test]
fn server_refuses_commands_not_valid_in_the_state() {
    let (mut server, _) = server_with(ServerConfig::default());
    server.handle_input(b"a1 SELECT INBOX\r\na2 FETCH 1 FLAGS\r\na3 ENABLE QRESYNC\r\n");
    assert_eq!(
        output(&mut server),
        "a1 BAD command not valid in this state\r\n\
         a2 BAD command not valid in this state\r\n\
         a3 BAD command not valid in this state\r\n"
    );
    assert!(server.poll_event().is_none());
    login(&mut server);
    server.handle_input(b"a4 LOGIN x y\r\na5 FETCH 1 FLAGS\r\na6 SELECT INBOX\r\n");
    assert_eq!(
        output(&mut server),
        "a4 BAD command not valid in this state\r\na5 BAD command not valid in this state\r\n"
    );
    let Some(ServerEvent::Command(req)) = server.poll_event() else {
        panic!()
    };
    assert_eq!(
        (req.tag().as_str(), req.kind()),
        ("a6", CommandKind::Select)
    );
    // A failed SELECT leaves no mailbox selected; an EXAMINE opens read-only.
    server
        .complete(StatusKind::No, None, "no such mailbox")
        .unwrap();
    assert_eq!(server.state(), State::Authenticated);
    server.handle_input(b"a7 EXAMINE INBOX\r\n");
    assert!(matches!(server.poll_event(), Some(ServerEvent::Command(_))));
    server
        .complete(StatusKind::Ok, None, "EXAMINE completed")
        .unwrap();
    assert_eq!(server.state(), State::Selected);
    assert!(server.is_read_only());
    // Unknown commands and garbage get BAD, tagged when the tag reads.
    let _ = output(&mut server);
    server.handle_input(b"a8 XYZZY\r\n)(\r\n");
    let out = output(&mut server);
    assert!(out.starts_with("a8 BAD "), "{out}");
    assert!(out.contains("\r\n* BAD "), "{out}");
    // complete() without a request is refused.
    assert!(server.complete(StatusKind::Ok, None, "x").is_err());
}

#[test]
fn server_pipelined_commands_wait_for_the_answer() {
    let (mut server, _) = server_with(ServerConfig::default());
    login(&mut server);
    server.handle_input(b"b1 LIST \"\" *\r\nb2 NOOP\r\n");
    assert!(
        matches!(server.poll_event(), Some(ServerEvent::Command(r)) if r.kind() == CommandKind::List)
    );
    assert!(server.poll_event().is_none());
    assert!(server.is_waiting());
    assert_eq!(server.buffered_input(), 9);
    server
        .complete(StatusKind::Ok, None, "LIST completed")
        .unwrap();
    assert!(
        matches!(server.poll_event(), Some(ServerEvent::Command(r)) if r.kind() == CommandKind::Noop)
    );
}

#[test]
fn server_literals_accepted_and_refused() {
    let (mut server, _) = server_with(ServerConfig::default());
    // Before login: a big literal is refused without being read.
    server.handle_input(b"a1 LOGIN {100000}\r\n");
    assert_eq!(output(&mut server), "a1 NO [TOOBIG] literal too large\r\n");
    // A literal for a command not valid now is refused.
    server.handle_input(b"a2 APPEND INBOX {5}\r\n");
    assert_eq!(
        output(&mut server),
        "a2 BAD command not valid in this state\r\n"
    );
    // A small one gets "+".
    server.handle_input(b"a3 LOGIN {4}\r\n");
    assert_eq!(output(&mut server), "+ Ready for literal data\r\n");
    server.handle_input(b"fred {6}\r\n");
    assert_eq!(output(&mut server), "+ Ready for literal data\r\n");
    server.handle_input(b"secret\r\n");
    let Some(ServerEvent::Login {
        username, password, ..
    }) = server.poll_event()
    else {
        panic!()
    };
    assert_eq!(
        (&username[..], &password.expose()[..]),
        (&b"fred"[..], &b"secret"[..])
    );
    server.complete(StatusKind::Ok, None, "ok").unwrap();
    let _ = output(&mut server);

    // After login, APPEND's literal gets "+" up to Limits::literal_size.
    server.handle_input(b"a4 APPEND INBOX {3}\r\n");
    assert_eq!(output(&mut server), "+ Ready for literal data\r\n");
    server.handle_input(b"hey\r\n");
    assert!(matches!(server.poll_event(), Some(ServerEvent::Command(_))));
    server
        .complete(StatusKind::Ok, None, "APPEND completed")
        .unwrap();
    let _ = output(&mut server);
    server.handle_input(b"a5 APPEND INBOX {999999999999}\r\n");
    assert_eq!(
        output(&mut server),
        "a5 NO [TOOBIG] literal of 999999999999 octets over the limit of 67108864\r\n"
    );
    assert!(matches!(server.poll_event(), Some(ServerEvent::Error(_))));

    // LITERAL-: a non-synchronizing literal over 4096 octets is BAD [TOOBIG].
    let mut config = ServerConfig::default();
    config.literal_mode = LiteralMode::Minus;
    let (mut server, greeting) = server_with(config);
    assert!(String::from_utf8_lossy(&greeting).contains("LITERAL-"));
    login(&mut server);
    server.handle_input(b"a6 APPEND INBOX {5000+}\r\n");
    server.handle_input(&[b'x'; 5000]);
    server.handle_input(b"\r\na7 NOOP\r\n");
    let out = output(&mut server);
    assert!(out.starts_with("a6 BAD [TOOBIG] "), "{out}");
    assert!(matches!(server.poll_event(), Some(ServerEvent::Error(_))));
    // The literal's bytes were skipped: the next command is read.
    assert!(
        matches!(server.poll_event(), Some(ServerEvent::Command(r)) if r.kind() == CommandKind::Noop)
    );
}

#[test]
fn server_login_disabled_without_tls() {
    let mut config = ServerConfig::default();
    config.starttls = true;
    config.plaintext_login = false;
    let (mut server, greeting) = server_with(config);
    let greeting = String::from_utf8_lossy(&greeting).into_owned();
    assert!(greeting.contains("STARTTLS") && greeting.contains("LOGINDISABLED"));
    assert!(!greeting.contains("AUTH="));
    server.handle_input(b"a1 LOGIN fred secret\r\na2 AUTHENTICATE PLAIN\r\n");
    assert_eq!(
        output(&mut server),
        "a1 NO [PRIVACYREQUIRED] LOGIN needs TLS\r\na2 NO [PRIVACYREQUIRED] AUTHENTICATE needs TLS\r\n"
    );
    // STARTTLS: what follows the command is handed back, never read.
    server.handle_input(b"a3 STARTTLS\r\na4 LOGIN fred secret\r\n");
    assert_eq!(output(&mut server), "a3 OK Begin TLS negotiation now\r\n");
    let Some(ServerEvent::StartTls { leftover }) = server.poll_event() else {
        panic!()
    };
    assert_eq!(&leftover[..], b"a4 LOGIN fred secret\r\n");
    assert!(server.poll_event().is_none());
    assert_eq!(server.buffered_input(), 0);
    // Through TLS: LOGIN works, STARTTLS is gone from the capabilities.
    server.handle_input(b"a5 CAPABILITY\r\n");
    let caps = output(&mut server);
    assert!(
        !caps.contains("STARTTLS")
            && !caps.contains("LOGINDISABLED")
            && caps.contains("AUTH=PLAIN")
    );
    server.handle_input(b"a6 STARTTLS\r\n");
    assert_eq!(
        output(&mut server),
        "a6 BAD command not valid in this state\r\n"
            .replace("command not valid in this state", "STARTTLS not available")
    );
    login(&mut server);
}

#[test]
fn server_sasl_exchange_and_cancel() {
    let (mut server, _) = server_with(ServerConfig::default());
    server.handle_input(b"a1 AUTHENTICATE PLAIN\r\n");
    assert_eq!(output(&mut server), "+ \r\n");
    server.handle_input(b"*\r\n");
    assert_eq!(output(&mut server), "a1 BAD authentication cancelled\r\n");
    server.handle_input(b"a2 AUTHENTICATE PLAIN\r\nAGZyZWQAc2VjcmV0\r\n");
    let Some(ServerEvent::Authenticate { credentials, .. }) = server.poll_event() else {
        panic!()
    };
    assert!(credentials.verify_password(b"secret"));
    server
        .complete(
            StatusKind::No,
            Some(mailwire_imap::types::Code::AuthenticationFailed),
            "no",
        )
        .unwrap();
    assert_eq!(server.state(), State::NotAuthenticated);
    server.handle_input(b"a3 AUTHENTICATE CRAM-MD5\r\n");
    assert!(output(&mut server).contains("a3 NO "));
}

#[test]
fn server_compress_hands_back_compressed_bytes() {
    let mut config = ServerConfig::default();
    config.compress = true;
    let (mut server, greeting) = server_with(config);
    assert!(String::from_utf8_lossy(&greeting).contains("COMPRESS=DEFLATE"));
    login(&mut server);
    server.handle_input(b"a2 COMPRESS DEFLATE\r\n\x78\x9c");
    assert_eq!(output(&mut server), "a2 OK DEFLATE active\r\n");
    assert_eq!(
        server.poll_event(),
        Some(ServerEvent::Compress {
            leftover: (&b"\x78\x9c"[..]).into()
        })
    );
    server.handle_input(b"a3 COMPRESS DEFLATE\r\n");
    assert!(output(&mut server).starts_with("a3 NO [COMPRESSIONACTIVE]"));
}

#[test]
fn client_refuses_commands_not_valid_in_the_state() {
    let mut client = Client::new(ClientConfig::default());
    let fetch = CommandBody::Fetch {
        uid: false,
        set: "1".parse().unwrap(),
        items: mailwire_imap::types::FetchItems::Fast,
        modifiers: Vec::new(),
    };
    assert_eq!(
        client.send(fetch.clone()),
        Err(ClientError::WrongState {
            command: CommandKind::Fetch,
            state: State::NotAuthenticated
        })
    );
    client.handle_input(b"* OK [CAPABILITY IMAP4rev1 LOGINDISABLED STARTTLS] hi\r\n");
    let login = CommandBody::Login {
        username: b"fred"[..].into(),
        password: Secret::new(b"x"[..].into()),
    };
    assert_eq!(client.send(login), Err(ClientError::LoginDisabled));
    // Queued in order: the state after each is projected.
    let mut client = Client::new(ClientConfig::default());
    client
        .send(CommandBody::Login {
            username: b"fred"[..].into(),
            password: Secret::new(b"bad"[..].into()),
        })
        .unwrap();
    let select = client
        .send(CommandBody::Select {
            mailbox: Mailbox::Inbox,
            params: Vec::new(),
        })
        .unwrap();
    let fetch_tag = client.send(fetch).unwrap();
    assert_eq!(client.poll_transmit(), None, "nothing before the greeting");
    client.handle_input(b"* OK IMAP4rev1 ready\r\n");
    // LOGIN is a barrier: SELECT waits for its answer.
    assert_eq!(
        &client.poll_transmit().unwrap()[..],
        b"A0001 LOGIN fred bad\r\n"
    );
    client.handle_input(b"A0001 NO [AUTHENTICATIONFAILED] bad password\r\n");
    let events: Vec<_> = std::iter::from_fn(|| client.poll_event()).collect();
    assert!(events.contains(&ClientEvent::Dropped {
        tag: select,
        command: CommandKind::Select,
        reason: ClientError::WrongState {
            command: CommandKind::Select,
            state: State::NotAuthenticated
        }
    }));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ClientEvent::Dropped { tag, .. } if *tag == fetch_tag))
    );
    assert_eq!(client.poll_transmit(), None);
    assert_eq!(client.outstanding(), 0);
}

#[test]
fn client_waits_for_continuation_before_a_synchronizing_literal() {
    let append = |data: &'static [u8]| CommandBody::Append {
        mailbox: Mailbox::Inbox,
        flags: Vec::new(),
        date: None,
        message: mailwire_imap::types::AppendMessage {
            data: data.into(),
            kind: mailwire_imap::types::AppendKind::Literal,
        },
    };
    // No LITERAL+ / LITERAL-: wait.
    let mut client = Client::new(ClientConfig::default());
    client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
    client.send(append(b"hello")).unwrap();
    client.send(CommandBody::Noop).unwrap();
    assert_eq!(
        &client.poll_transmit().unwrap()[..],
        b"A0001 APPEND INBOX {5}\r\n"
    );
    assert_eq!(client.poll_transmit(), None);
    client.handle_input(b"+ go ahead\r\n");
    assert_eq!(
        &client.poll_transmit().unwrap()[..],
        b"hello\r\nA0002 NOOP\r\n"
    );
    // A refusal drops the rest of the command.
    client.send(append(b"world")).unwrap();
    assert_eq!(
        &client.poll_transmit().unwrap()[..],
        b"A0003 APPEND INBOX {5}\r\n"
    );
    client.handle_input(b"A0003 NO [TOOBIG] too big\r\n");
    assert_eq!(client.poll_transmit(), None);

    // LITERAL-: up to 4096 octets go at once, larger ones wait.
    let mut client = Client::new(ClientConfig::default());
    client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1 LITERAL-] hi\r\n");
    assert_eq!(client.literal_mode(), LiteralMode::Minus);
    client.send(append(b"small")).unwrap();
    assert_eq!(
        &client.poll_transmit().unwrap()[..],
        b"A0001 APPEND INBOX {5+}\r\nsmall\r\n"
    );
    let big: &'static [u8] = Box::leak(vec![b'x'; 5000].into_boxed_slice());
    client.send(append(big)).unwrap();
    assert_eq!(
        &client.poll_transmit().unwrap()[..],
        b"A0002 APPEND INBOX {5000}\r\n"
    );

    // LITERAL+: nothing waits.
    let mut client = Client::new(ClientConfig::default());
    client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n");
    client.send(append(big)).unwrap();
    let out = client.poll_transmit().unwrap();
    assert!(out.starts_with(b"A0001 APPEND INBOX {5000+}\r\nxxx"));
    assert_eq!(out.len(), 28 + 5000 + 2);
}

#[test]
fn client_starttls_leftover_is_never_processed() {
    let mut client = Client::new(ClientConfig::default());
    client.handle_input(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    client.send(CommandBody::StartTls).unwrap();
    client.send(CommandBody::Capability).unwrap();
    assert_eq!(&client.poll_transmit().unwrap()[..], b"A0001 STARTTLS\r\n");
    // A man in the middle appends a response before the handshake.
    client.handle_input(b"A0001 OK go\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA0002 OK done\r\n");
    let events: Vec<_> = std::iter::from_fn(|| client.poll_event()).collect();
    let Some(ClientEvent::StartTls { leftover }) = events.last() else {
        panic!("{events:?}")
    };
    assert_eq!(
        &leftover[..],
        b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA0002 OK done\r\n"
    );
    assert!(client.capabilities().is_none());
    // Nothing is written until TLS is up.
    assert_eq!(client.poll_transmit(), None);
    client.tls_established();
    assert_eq!(
        &client.poll_transmit().unwrap()[..],
        b"A0002 CAPABILITY\r\n"
    );
    assert!(client.tls_active());
    assert_eq!(
        client.send(CommandBody::StartTls),
        Err(ClientError::NotAdvertised("STARTTLS"))
    );
}

#[test]
fn client_routes_unsolicited_data() {
    let mut client = Client::new(ClientConfig::default());
    client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev2] hi\r\n");
    client
        .send(CommandBody::Select {
            mailbox: Mailbox::Inbox,
            params: Vec::new(),
        })
        .unwrap();
    client.handle_input(b"* 3 EXISTS\r\n* OK [UIDVALIDITY 7] x\r\nA0001 OK [READ-ONLY] done\r\n");
    let selected = client.selected().unwrap();
    assert_eq!(
        (selected.exists, selected.uid_validity, selected.read_only),
        (3, Some(7), true)
    );
    client.send(CommandBody::Noop).unwrap();
    let _ = std::iter::from_fn(|| client.poll_event()).count();
    client.handle_input(
        b"* 2 EXPUNGE\r\n* 4 EXISTS\r\n* 1 FETCH (FLAGS (\\Seen) UID 9)\r\n* VANISHED 5:6\r\n* NO [ALERT] disk full\r\n* BYE shutting down\r\n",
    );
    use mailwire_imap::session::Unsolicited as U;
    let events: Vec<_> = std::iter::from_fn(|| client.poll_event()).collect();
    let kinds: Vec<_> = events
        .iter()
        .map(|e| match e {
            ClientEvent::Unsolicited(U::Expunge(2)) => "expunge",
            ClientEvent::Unsolicited(U::Exists(4)) => "exists",
            ClientEvent::Unsolicited(U::FetchFlags {
                seq: 1,
                uid: Some(9),
                ..
            }) => "flags",
            ClientEvent::Unsolicited(U::Vanished { earlier: false, .. }) => "vanished",
            ClientEvent::Unsolicited(U::Status(_)) => "alert",
            ClientEvent::Unsolicited(U::Bye(_)) => "bye",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        ["expunge", "exists", "flags", "vanished", "alert", "bye"]
    );
    assert_eq!(client.selected().unwrap().exists, 2);
    assert!(client.is_closed());
    assert_eq!(client.send(CommandBody::Noop), Err(ClientError::Closed));
}

#[test]
fn client_idle_done_before_continuation() {
    let mut client = Client::new(ClientConfig::default());
    client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev2 IDLE] hi\r\n");
    assert_eq!(client.done(), Err(ClientError::NotIdling));
    let tag = client.send(CommandBody::Idle).unwrap();
    client.done().unwrap();
    assert_eq!(&client.poll_transmit().unwrap()[..], b"A0001 IDLE\r\n");
    client.handle_input(b"+ idling\r\n");
    assert_eq!(&client.poll_transmit().unwrap()[..], b"DONE\r\n");
    client.handle_input(b"A0001 OK done\r\n");
    let events: Vec<_> = std::iter::from_fn(|| client.poll_event()).collect();
    assert!(events.contains(&ClientEvent::Idling { tag }));
    assert!(!client.is_idling());
}

/// A server's stream for a session with every kind of response.
const SERVER_STREAM: &[u8] = b"* OK [CAPABILITY IMAP4rev2 LITERAL+ SASL-IR AUTH=PLAIN STARTTLS] ready\r\n\
A0001 OK [CAPABILITY IMAP4rev2 IDLE ENABLE] logged in\r\n\
* ENABLED QRESYNC\r\nA0002 OK enabled\r\n\
* 18 EXISTS\r\n* FLAGS (\\Seen \\Deleted)\r\n* OK [UIDVALIDITY 3857529045] UIDs valid\r\n* VANISHED (EARLIER) 41,43:116\r\nA0003 OK [READ-WRITE] SELECT completed\r\n\
* 12 FETCH (BODY[HEADER] {11}\r\nSubject: x\n UID 4)\r\n* 13 EXISTS\r\n* 1 EXPUNGE\r\nA0004 OK FETCH completed\r\n\
* LIST () \"/\" foo\r\n* STATUS foo (MESSAGES 3)\r\nA0005 OK LIST completed\r\n\
+ idling\r\n* 2 FETCH (FLAGS (\\Seen))\r\nA0006 OK IDLE terminated\r\n\
* BYE bye\r\nA0007 OK LOGOUT completed\r\n";

fn scripted_client() -> Client {
    let mut client = Client::new(ClientConfig::default());
    client
        .send(CommandBody::Login {
            username: b"fred"[..].into(),
            password: Secret::new(b"secret"[..].into()),
        })
        .unwrap();
    client
        .send(CommandBody::Enable(vec![
            mailwire_imap::types::Capability::new(
                mailwire_imap::types::Atom::new("QRESYNC").unwrap(),
            ),
        ]))
        .unwrap();
    client
        .send(CommandBody::Select {
            mailbox: Mailbox::Inbox,
            params: Vec::new(),
        })
        .unwrap();
    client
        .send(CommandBody::Fetch {
            uid: false,
            set: "12".parse().unwrap(),
            items: mailwire_imap::types::FetchItems::Fast,
            modifiers: Vec::new(),
        })
        .unwrap();
    client
        .send(CommandBody::List {
            selection: None,
            reference: Mailbox::from_name(""),
            patterns: vec![b"*"[..].into()],
            return_opts: None,
        })
        .unwrap();
    client.send(CommandBody::Idle).unwrap();
    client.done().unwrap();
    client.send(CommandBody::Logout).unwrap();
    client
}

fn run(chunks: &[&[u8]]) -> (Vec<ClientEvent>, Vec<u8>) {
    let mut client = scripted_client();
    let mut events = Vec::new();
    let mut out = Vec::new();
    for chunk in chunks {
        client.handle_input(chunk);
        events.extend(std::iter::from_fn(|| client.poll_event()));
        while let Some(b) = client.poll_transmit() {
            out.extend_from_slice(&b);
        }
    }
    (events, out)
}

#[test]
fn scripted_client_whole() {
    let (events, out) = run(&[SERVER_STREAM]);
    let completed = events
        .iter()
        .filter(|e| matches!(e, ClientEvent::Completed { status, .. } if status.kind() == StatusKind::Ok))
        .count();
    assert_eq!(completed, 7, "{events:#?}");
    assert!(String::from_utf8_lossy(&out).contains("DONE\r\n"));
    assert!(
        events.iter().all(|e| !matches!(e, ClientEvent::Error(_))),
        "{events:#?}"
    );
}

proptest! {
    /// However the server's bytes are split, the client session gives the
    /// same events and writes the same bytes.
    #[test]
    fn client_events_split_invariant(cuts in proptest::collection::vec(0..SERVER_STREAM.len(), 0..12)) {
        let mut cuts = cuts;
        cuts.sort_unstable();
        let mut chunks = Vec::new();
        let mut at = 0;
        for c in cuts {
            chunks.push(&SERVER_STREAM[at..c]);
            at = c;
        }
        chunks.push(&SERVER_STREAM[at..]);
        let whole = run(&[SERVER_STREAM]);
        let split = run(&chunks);
        prop_assert_eq!(whole, split);
    }

    /// The same for arbitrary (mostly garbage) input: no panic, same events.
    #[test]
    fn client_garbage_split_invariant(
        stream in proptest::collection::vec(any::<u8>(), 0..400),
        cut in 0usize..400,
    ) {
        let mut data = SERVER_STREAM[..72].to_vec();
        data.extend_from_slice(&stream);
        let cut = cut.min(data.len());
        let whole = run(&[&data]);
        let split = run(&[&data[..cut], &data[cut..]]);
        prop_assert_eq!(whole, split);
    }
}
