//! Client session: FETCH routing (asked-for items vs. unsolicited flag
//! changes), `[CLOSED]`, capabilities after logging in, and
//! `SequenceSet::from_sorted`.

use mailwire_imap::encode::Encode;
use mailwire_imap::session::{Client, ClientConfig, ClientEvent, CommandKind, Unsolicited};
use mailwire_imap::types::{
    CommandBody, Data, FetchAttribute, FetchItem, FetchItems, Flag, Mailbox, Response, Secret,
    Section, SequenceSet, StatusKind, StoreAction, StoreTarget,
};
use proptest::prelude::*;

fn events(client: &mut Client) -> Vec<ClientEvent> {
    std::iter::from_fn(|| client.poll_event()).collect()
}

fn selected_client(caps: &str) -> Client {
    let mut client = Client::new(ClientConfig::default());
    client.handle_input(format!("* PREAUTH [CAPABILITY {caps}] hi\r\n").as_bytes());
    client
        .send(CommandBody::Select {
            mailbox: Mailbox::Inbox,
            params: Vec::new(),
        })
        .unwrap();
    client.handle_input(b"* 9 EXISTS\r\nA0001 OK [READ-WRITE] done\r\n");
    let _ = events(&mut client);
    let _ = client.poll_transmit();
    client
}

fn uid_fetch_body(client: &mut Client) {
    client
        .send(CommandBody::Fetch {
            uid: true,
            set: "1:*".parse().unwrap(),
            items: FetchItems::List(vec![FetchAttribute::BodySection {
                section: Section::default(),
                peek: true,
                partial: None,
            }]),
            modifiers: Vec::new(),
        })
        .unwrap();
}

#[test]
fn fetch_routed_by_the_items_asked_for() {
    let mut client = selected_client("IMAP4rev2");
    uid_fetch_body(&mut client);
    client.handle_input(
        b"* 3 FETCH (UID 9 FLAGS (\\Seen))\r\n\
          * 4 FETCH (UID 10 BODY[] {3}\r\nabc)\r\n\
          * 5 FETCH (MODSEQ (7) UID 11)\r\n\
          * 6 FETCH (FLAGS (\\Seen) UID 12 BODY[] {2}\r\nhi)\r\n\
          A0002 OK done\r\n",
    );
    let got = events(&mut client);
    assert!(
        matches!(&got[0], ClientEvent::Unsolicited(Unsolicited::FetchFlags { seq: 3, uid: Some(9), flags, modseq: None }) if flags == &[Flag::Seen]),
        "{got:#?}"
    );
    let ClientEvent::Data {
        command: CommandKind::Fetch,
        response,
        ..
    } = &got[1]
    else {
        panic!("{got:#?}")
    };
    let Response::Data(Data::Fetch { seq: 4, items }) = response.decode().unwrap() else {
        panic!()
    };
    assert!(matches!(&items[1], FetchItem::BodySection { data: Some(d), .. } if &d[..] == b"abc"));
    let ClientEvent::Unsolicited(Unsolicited::Fetch {
        seq: 5,
        uid: Some(11),
        modseq: Some(7),
        response,
    }) = &got[2]
    else {
        panic!("{got:#?}")
    };
    assert!(response.as_bytes().starts_with(b"* 5 FETCH"));
    // A body with the \Seen it set goes to the command.
    assert!(
        matches!(
            &got[3],
            ClientEvent::Data {
                command: CommandKind::Fetch,
                ..
            }
        ),
        "{got:#?}"
    );
    assert!(matches!(&got[4], ClientEvent::Completed { .. }));
}

#[test]
fn uid_asked_for_takes_uid_only_responses() {
    let mut client = selected_client("IMAP4rev2");
    client
        .send(CommandBody::Fetch {
            uid: true,
            set: "1:*".parse().unwrap(),
            items: FetchItems::List(vec![FetchAttribute::Uid]),
            modifiers: Vec::new(),
        })
        .unwrap();
    client.handle_input(b"* 1 FETCH (UID 4)\r\nA0002 OK done\r\n");
    let got = events(&mut client);
    assert!(matches!(&got[0], ClientEvent::Data { .. }), "{got:#?}");
}

#[test]
fn store_gets_flags_unless_silent() {
    let mut client = selected_client("IMAP4rev2");
    let store = |silent| CommandBody::Store {
        uid: false,
        set: "2".parse().unwrap(),
        unchanged_since: None,
        action: StoreAction::Add,
        silent,
        target: StoreTarget::Flags(vec![Flag::Deleted]),
    };
    client.send(store(false)).unwrap();
    client.handle_input(b"* 2 FETCH (FLAGS (\\Deleted))\r\nA0002 OK done\r\n");
    let got = events(&mut client);
    assert!(
        matches!(
            &got[0],
            ClientEvent::Data {
                command: CommandKind::Store,
                ..
            }
        ),
        "{got:#?}"
    );
    client.send(store(true)).unwrap();
    client.handle_input(b"* 2 FETCH (FLAGS (\\Deleted \\Seen))\r\nA0003 OK done\r\n");
    let got = events(&mut client);
    assert!(
        matches!(
            &got[0],
            ClientEvent::Unsolicited(Unsolicited::FetchFlags { seq: 2, .. })
        ),
        "{got:#?}"
    );
}

#[test]
fn closed_separates_the_old_mailbox_from_the_new() {
    let mut client = selected_client("IMAP4rev2");
    assert_eq!(client.selected().unwrap().exists, 9);
    client
        .send(CommandBody::Select {
            mailbox: Mailbox::from_name("Other"),
            params: Vec::new(),
        })
        .unwrap();
    assert_eq!(client.closing().unwrap().mailbox, Mailbox::Inbox);
    client.handle_input(b"* 5 EXPUNGE\r\n* 2 FETCH (FLAGS (\\Seen))\r\n");
    let got = events(&mut client);
    assert!(
        matches!(&got[0], ClientEvent::Unsolicited(Unsolicited::Expunge(5))),
        "{got:#?}"
    );
    assert!(matches!(
        &got[1],
        ClientEvent::Unsolicited(Unsolicited::FetchFlags { .. })
    ));
    assert_eq!(client.closing().unwrap().exists, 8);
    client.handle_input(b"* OK [CLOSED] old one closed\r\n* 3 EXISTS\r\n");
    assert!(client.closing().is_none());
    let got = events(&mut client);
    assert!(
        got.iter().all(|e| matches!(e, ClientEvent::Data { .. })),
        "{got:#?}"
    );
    client.handle_input(b"A0002 OK [READ-WRITE] done\r\n");
    let selected = client.selected().unwrap();
    assert_eq!(
        (&selected.mailbox, selected.exists),
        (&Mailbox::from_name("Other"), 3)
    );

    // Without CONDSTORE, QRESYNC or IMAP4rev2 no [CLOSED] comes: the old
    // mailbox is dropped at once.
    let mut client = selected_client("IMAP4rev1");
    client
        .send(CommandBody::Select {
            mailbox: Mailbox::from_name("Other"),
            params: Vec::new(),
        })
        .unwrap();
    assert!(client.closing().is_none());
    client.handle_input(b"* 3 EXISTS\r\n");
    assert!(matches!(&events(&mut client)[0], ClientEvent::Data { .. }));

    // [CLOSED] with no SELECT in flight: the server closed the mailbox.
    let mut client = selected_client("IMAP4rev2");
    client.send(CommandBody::Noop).unwrap();
    client.handle_input(b"* OK [CLOSED] mailbox deleted\r\n");
    assert_eq!(client.state(), mailwire_imap::session::State::Authenticated);
    assert!(client.selected().is_none());
}

fn login() -> CommandBody<'static> {
    CommandBody::Login {
        username: b"fred"[..].into(),
        password: Secret::new(b"secret"[..].into()),
    }
}

#[test]
fn capabilities_unknown_after_login_without_code() {
    let mut client = Client::new(ClientConfig::default());
    assert!(!client.capabilities_known());
    client.handle_input(b"* OK [CAPABILITY IMAP4rev2 LITERAL+] hi\r\n");
    assert!(client.capabilities_known());
    client.send(login()).unwrap();
    client.handle_input(b"A0001 OK logged in\r\n");
    assert!(!client.capabilities_known());
    assert_eq!(
        client.literal_mode(),
        mailwire_imap::types::LiteralMode::Sync
    );

    // With refresh_capabilities, the client asks itself, before what the
    // application queued.
    let mut config = ClientConfig::default();
    config.refresh_capabilities = true;
    let mut client = Client::new(config);
    client.handle_input(b"* OK [CAPABILITY IMAP4rev2] hi\r\n");
    client.send(login()).unwrap();
    client.send(CommandBody::Noop).unwrap();
    let _ = client.poll_transmit();
    client.handle_input(b"A0001 OK logged in\r\n");
    assert_eq!(
        &client.poll_transmit().unwrap()[..],
        b"A0003 CAPABILITY\r\nA0002 NOOP\r\n"
    );
    client.handle_input(b"* CAPABILITY IMAP4rev2 IDLE\r\nA0003 OK done\r\nA0002 OK done\r\n");
    assert!(client.capabilities_known() && client.has_capability("IDLE"));
    let got = events(&mut client);
    assert!(got.iter().any(|e| matches!(
        e,
        ClientEvent::Completed {
            command: CommandKind::Capability,
            status,
            ..
        } if status.kind() == StatusKind::Ok
    )));

    // A [CAPABILITY] code in the OK: nothing to ask.
    let mut config = ClientConfig::default();
    config.refresh_capabilities = true;
    let mut client = Client::new(config);
    client.handle_input(b"* OK [CAPABILITY IMAP4rev2] hi\r\n");
    client.send(login()).unwrap();
    let _ = client.poll_transmit();
    client.handle_input(b"A0001 OK [CAPABILITY IMAP4rev2 IDLE] logged in\r\n");
    assert!(client.poll_transmit().is_none());
    assert!(client.capabilities_known());
}

#[test]
fn sequence_set_from_sorted() {
    let cases: &[(&[u32], &str)] = &[
        (&[1], "1"),
        (&[1, 2], "1:2"),
        (&[1, 2, 3, 5, 7, 8], "1:3,5,7:8"),
        (&[0, 4, 4, 4, 6], "4,6"),
        (&[u32::MAX - 1, u32::MAX], "4294967294:4294967295"),
        (&[5, 3, 4], "5,3:4"),
    ];
    for (numbers, wire) in cases {
        let set = SequenceSet::from_sorted(numbers).unwrap();
        assert_eq!(String::from_utf8(set.to_bytes()).unwrap(), *wire);
    }
    assert!(SequenceSet::from_sorted(&[]).is_none());
    assert!(SequenceSet::from_sorted(&[0, 0]).is_none());
}

proptest! {
    /// The set holds exactly the numbers given, and sorted input gives
    /// sorted, disjoint, non-adjacent items (as compact as can be).
    #[test]
    fn from_sorted_holds_the_numbers(numbers in proptest::collection::vec(0u32..200, 0..60), sort in any::<bool>()) {
        let mut numbers = numbers;
        if sort {
            numbers.sort_unstable();
        }
        let mut expected: Vec<u32> = numbers.iter().copied().filter(|&n| n != 0).collect();
        match SequenceSet::from_sorted(&numbers) {
            None => prop_assert!(expected.is_empty()),
            Some(set) => {
                let got: Vec<u32> = set.numbers(u32::MAX).collect();
                let mut got_sorted = got.clone();
                got_sorted.sort_unstable();
                got_sorted.dedup();
                expected.sort_unstable();
                expected.dedup();
                prop_assert_eq!(&got_sorted, &expected);
                if sort {
                    prop_assert_eq!(&got, &expected);
                    prop_assert_eq!(set.items().len(), set.normalized(u32::MAX).len());
                }
                let wire = set.to_bytes();
                let back: SequenceSet = std::str::from_utf8(&wire).unwrap().parse().unwrap();
                prop_assert_eq!(back, set);
            }
        }
    }
}

/// A selected session that fetches bodies, streamed or not, and the
/// server's answer: a flag change, two bodies (the second with the
/// ENVELOPE's subject as a literal, which is never streamed), a partial
/// section, and a STARTTLS-like transport change is not involved.
const FETCH_STREAM: &[u8] = b"* 2 FETCH (FLAGS (\\Seen) UID 7)\r\n\
* 1 FETCH (UID 5 BODY[] {12}\r\nHello\r\nWorld FLAGS (\\Seen))\r\n\
* 2 FETCH (UID 6 ENVELOPE (NIL {4}\r\nSubj NIL NIL NIL NIL NIL NIL NIL NIL) BODY[1]<0> {5}\r\n{3}\r\n RFC822.SIZE 99)\r\n\
* 3 FETCH (UID 8 BODY[] {0}\r\n)\r\n\
* 4 EXISTS\r\n\
A0002 OK done\r\n\
* 5 FETCH (UID 9 BODY[] {3}\r\nxyz)\r\n\
A0003 OK noop\r\n";

fn fetch_client(stream: bool) -> Client {
    let mut config = ClientConfig::default();
    config.stream_bodies = stream;
    let mut client = Client::new(config);
    client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev2] hi\r\n");
    client
        .send(CommandBody::Select {
            mailbox: Mailbox::Inbox,
            params: Vec::new(),
        })
        .unwrap();
    client.handle_input(b"A0001 OK [READ-WRITE] done\r\n");
    let _ = events(&mut client);
    uid_fetch_body(&mut client);
    client.send(CommandBody::Noop).unwrap();
    let _ = client.poll_transmit();
    client
}

/// Events with consecutive chunks of one body merged, and each decoded
/// response in place of its bytes.
fn run_fetch(stream: bool, chunks: &[&[u8]]) -> Vec<String> {
    let mut client = fetch_client(stream);
    let mut out: Vec<String> = Vec::new();
    let mut body: Option<Vec<u8>> = None;
    for chunk in chunks {
        client.handle_input(chunk);
        for event in events(&mut client) {
            if let ClientEvent::BodyChunk { data, .. } = &event {
                body.get_or_insert_with(Vec::new).extend_from_slice(data);
                continue;
            }
            if let Some(b) = body.take() {
                out.push(format!("chunk {:?}", String::from_utf8_lossy(&b)));
            }
            out.push(match event {
                ClientEvent::Data { response, .. } => {
                    format!("data {:?}", response.decode().unwrap())
                }
                ClientEvent::Unsolicited(Unsolicited::Fetch { response, .. }) => {
                    format!("fetch {:?}", response.decode().unwrap())
                }
                other => format!("{other:?}"),
            });
        }
    }
    if let Some(b) = body.take() {
        out.push(format!("chunk {:?}", String::from_utf8_lossy(&b)));
    }
    out
}

#[test]
fn bodies_stream_in_chunks() {
    let plain = run_fetch(false, &[FETCH_STREAM]);
    let streamed = run_fetch(true, &[FETCH_STREAM]);
    assert!(plain.iter().all(|e| !e.contains("BodyStart")), "{plain:#?}");
    let expected_starts = [
        r#"BodyStart { tag: "A0002", seq: 1, item: "BODY[]", size: 12 }"#,
        r#"chunk "Hello\r\nWorld""#,
        r#"BodyStart { tag: "A0002", seq: 2, item: "BODY[1]<0>", size: 5 }"#,
        r#"chunk "{3}\r\n""#,
    ];
    let starts: Vec<&String> = streamed
        .iter()
        .filter(|e| e.starts_with("BodyStart") || e.starts_with("chunk"))
        .collect();
    assert_eq!(starts, expected_starts, "{streamed:#?}");
    // The rest is the same, the streamed sections' data empty.
    let rest: Vec<&String> = streamed
        .iter()
        .filter(|e| !e.starts_with("BodyStart") && !e.starts_with("chunk"))
        .collect();
    assert_eq!(rest.len(), plain.len(), "{streamed:#?}\n{plain:#?}");
    for (s, p) in rest.iter().zip(&plain) {
        let p = p
            .replace(
                r#"[72, 101, 108, 108, 111, 13, 10, 87, 111, 114, 108, 100]"#,
                "[]",
            )
            .replace(r#"[123, 51, 125, 13, 10]"#, "[]");
        assert_eq!(**s, p);
    }
    // The FETCH after the command completed is nobody's: not streamed.
    assert!(
        streamed.last().unwrap().contains("Completed"),
        "{streamed:#?}"
    );
    assert!(
        streamed[streamed.len() - 2].starts_with("fetch "),
        "{streamed:#?}"
    );
}

#[test]
fn streaming_keeps_starttls_leftover_unprocessed() {
    let mut config = ClientConfig::default();
    config.stream_bodies = true;
    let mut client = Client::new(config);
    client.handle_input(b"* OK [CAPABILITY IMAP4rev2 STARTTLS] hi\r\n");
    client.send(CommandBody::StartTls).unwrap();
    client.handle_input(b"A0001 OK go\r\n* 1 FETCH (BODY[] {3}\r\nabc)\r\n");
    let got = events(&mut client);
    assert!(
        got.iter().any(|e| matches!(e, ClientEvent::StartTls { leftover } if &leftover[..] == b"* 1 FETCH (BODY[] {3}\r\nabc)\r\n")),
        "{got:#?}"
    );
}

proptest! {
    /// Streamed bodies give the same octets and events however the input
    /// is split.
    #[test]
    fn streamed_split_invariant(cuts in proptest::collection::vec(0..FETCH_STREAM.len(), 0..10)) {
        let mut cuts = cuts;
        cuts.sort_unstable();
        let mut chunks = Vec::new();
        let mut at = 0;
        for c in cuts {
            chunks.push(&FETCH_STREAM[at..c]);
            at = c;
        }
        chunks.push(&FETCH_STREAM[at..]);
        prop_assert_eq!(run_fetch(true, &[FETCH_STREAM]), run_fetch(true, &chunks));
        prop_assert_eq!(run_fetch(false, &[FETCH_STREAM]), run_fetch(false, &chunks));
    }

    /// Garbage after a streamed FETCH: no panic, and the same events
    /// however it is split.
    #[test]
    fn streamed_garbage_split_invariant(
        stream in proptest::collection::vec(prop_oneof![any::<u8>(), Just(b'{'), Just(b'}'), Just(b'\n'), Just(b' ')], 0..300),
        cut in 0usize..400,
    ) {
        let mut data = b"* 1 FETCH (UID 5 BODY[] {4}\r\nabcd)\r\n* 2 FETCH (BODY[] ".to_vec();
        data.extend_from_slice(&stream);
        let cut = cut.min(data.len());
        let whole = run_fetch_raw(&[&data]);
        let split = run_fetch_raw(&[&data[..cut], &data[cut..]]);
        prop_assert_eq!(whole, split);
    }
}

/// [`run_fetch`] without decoding (garbage may not decode).
fn run_fetch_raw(chunks: &[&[u8]]) -> Vec<String> {
    let mut client = fetch_client(true);
    let mut out = Vec::new();
    let mut body = Vec::new();
    for chunk in chunks {
        client.handle_input(chunk);
        for event in events(&mut client) {
            match event {
                ClientEvent::BodyChunk { data, .. } => body.extend_from_slice(&data),
                other => out.push(format!("{other:?}")),
            }
        }
    }
    out.push(format!("{body:?}"));
    out
}

#[test]
fn streamed_body_passes_literal_limits_it_never_buffers() {
    let mut config = ClientConfig::default();
    config.stream_bodies = true;
    config.limits.literal_size = 1024;
    config.limits.message_size = 4096;
    let mut client = Client::new(config);
    client.handle_input(b"* PREAUTH [CAPABILITY IMAP4rev2] hi\r\n");
    client
        .send(CommandBody::Select {
            mailbox: Mailbox::Inbox,
            params: Vec::new(),
        })
        .unwrap();
    client.handle_input(b"A0001 OK [READ-WRITE] done\r\n");
    uid_fetch_body(&mut client);
    let _ = events(&mut client);
    let size = 4 << 20;
    client.handle_input(format!("* 1 FETCH (UID 3 BODY[] {{{size}}}\r\n").as_bytes());
    let chunk: Vec<u8> = (0..16384u32).map(|i| (i % 251) as u8).collect();
    let mut received = 0usize;
    let mut ok = true;
    for _ in 0..size / chunk.len() {
        client.handle_input(&chunk);
        for event in events(&mut client) {
            match event {
                ClientEvent::BodyChunk { data, .. } => {
                    ok &= data[..] == chunk[received % chunk.len()..][..data.len()];
                    received += data.len();
                }
                ClientEvent::BodyStart { size: s, .. } => assert_eq!(s, size as u64),
                other => panic!("{other:?}"),
            }
        }
    }
    assert!(ok);
    assert_eq!(received, size);
    client.handle_input(b" FLAGS (\\Seen))\r\nA0002 OK done\r\n");
    let got = events(&mut client);
    assert!(matches!(&got[0], ClientEvent::Data { .. }), "{got:#?}");
    assert!(matches!(&got[1], ClientEvent::Completed { .. }), "{got:#?}");
}
