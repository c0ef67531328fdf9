//! MULTIAPPEND (RFC 3502): several messages in one `APPEND` command,
//! decoded whole and streamed (one continuation request per synchronizing
//! literal), encoded, round-tripped.

use mailwire_imap::Limits;
use mailwire_imap::decode::{self, CommandDecoder, CommandEvent, DecodeErrorKind};
use mailwire_imap::encode::{self, Encode, Fragment};
use mailwire_imap::types::{
    AppendEntry, AppendKind, AppendMessage, ClientMessage, Command, CommandBody, Date, DateTime,
    Flag, LiteralMode, Mailbox, Tag,
};

const MSG1: &[u8] = b"Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@Blurdybloop.example.COM>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@owatagu.siam.edu.example\r\n\
Message-Id: <B27397-0100000@Blurdybloop.example.COM>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

const MSG2: &[u8] = b"Date: Mon, 7 Feb 1994 22:43:04 -0800 (PST)\r\n\
From: Joe Mooch <mooch@OWaTaGu.siam.EDU.example>\r\n\
Subject: Re: afternoon meeting\r\n\
To: foobar@blurdybloop.example.com\r\n\
Message-Id: <a0434793874930@OWaTaGu.siam.EDU.example>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
3:30 is fine with me.\r\n";

/// The example of RFC 3502 §6.3.11: two messages, each announced by a
/// synchronizing literal.
fn rfc3502_example() -> Vec<u8> {
    let mut wire =
        format!("A003 APPEND saved-messages (\\Seen) {{{}}}\r\n", MSG1.len()).into_bytes();
    wire.extend_from_slice(MSG1);
    wire.extend_from_slice(
        format!(
            " (\\Seen) \" 7-Feb-1994 22:43:04 -0800\" {{{}}}\r\n",
            MSG2.len()
        )
        .as_bytes(),
    );
    wire.extend_from_slice(MSG2);
    wire.extend_from_slice(b"\r\n");
    wire
}

fn expected() -> Command<'static> {
    Command::new(
        Tag::new("A003").unwrap(),
        CommandBody::MultiAppend {
            mailbox: Mailbox::from_bytes(&b"saved-messages"[..])
                .unwrap()
                .into_owned(),
            messages: vec![
                AppendEntry {
                    flags: vec![Flag::Seen],
                    date: None,
                    message: AppendMessage {
                        kind: AppendKind::Literal,
                        data: MSG1.into(),
                    },
                },
                AppendEntry {
                    flags: vec![Flag::Seen],
                    date: Some(
                        DateTime::new(Date::new(1994, 2, 7).unwrap(), (22, 43, 4), -480).unwrap(),
                    ),
                    message: AppendMessage {
                        kind: AppendKind::Literal,
                        data: MSG2.into(),
                    },
                },
            ],
        },
    )
}

#[test]
fn rfc3502_example_decodes_and_encodes() {
    let wire = rfc3502_example();
    let (cmd, used) = decode::command(&wire, &Limits::default())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(used, wire.len());
    assert_eq!(cmd, expected());
    assert_eq!(cmd.to_bytes(), wire);
}

#[test]
fn rfc3502_example_streams_with_two_continuations() {
    let wire = rfc3502_example();
    let mut decoder = CommandDecoder::new(Limits::default());
    let mut continuations = Vec::new();
    let mut frames = Vec::new();
    // Byte by byte: each synchronizing literal stops the decoder.
    for b in &wire {
        decoder.push(std::slice::from_ref(b));
        while let Some(event) = decoder.next_frame() {
            match event.unwrap() {
                CommandEvent::NeedsContinuation {
                    literal_len,
                    offset,
                } => continuations.push((literal_len, offset)),
                CommandEvent::Frame(frame) => frames.push(frame),
                other => panic!("{other:?}"),
            }
        }
    }
    let first = wire.iter().position(|&b| b == b'{').unwrap();
    let second = wire.len() - MSG2.len() - 2 - format!("{{{}}}\r\n", MSG2.len()).len();
    assert_eq!(
        continuations,
        [(MSG1.len() as u64, first), (MSG2.len() as u64, second)]
    );
    assert_eq!(frames.len(), 1);
    let ClientMessage::Command(cmd) = frames[0].decode().unwrap() else {
        panic!()
    };
    assert_eq!(cmd, expected());
}

#[test]
fn any_split_decodes_the_same() {
    let wire = rfc3502_example();
    for split in 0..=wire.len() {
        let mut decoder = CommandDecoder::new(Limits::default());
        decoder.set_literal_mode(LiteralMode::Plus);
        let mut frames = Vec::new();
        for chunk in [&wire[..split], &wire[split..]] {
            decoder.push(chunk);
            while let Some(event) = decoder.next_frame() {
                if let CommandEvent::Frame(f) = event.unwrap() {
                    frames.push(f);
                }
            }
        }
        assert_eq!(frames.len(), 1, "split {split}");
        assert_eq!(
            frames[0].decode_command().unwrap(),
            expected(),
            "split {split}"
        );
    }
}

#[test]
fn one_message_is_a_plain_append() {
    let wire = b"A1 APPEND INBOX {3}\r\nabc \r\n";
    let (cmd, _) = decode::command(wire, &Limits::default())
        .unwrap()
        .complete()
        .unwrap();
    assert!(matches!(cmd.body, CommandBody::Append { .. }), "{cmd:?}");
}

#[test]
fn mixed_literal_forms() {
    let wire = b"A1 APPEND x ~{2}\r\n\0\x01 UTF8 (~{2}\r\nhi) {1}\r\nz\r\n";
    let (cmd, used) = decode::command(wire, &Limits::default())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(used, wire.len());
    let CommandBody::MultiAppend { messages, .. } = &cmd.body else {
        panic!("{cmd:?}")
    };
    let kinds: Vec<_> = messages.iter().map(|m| m.message.kind).collect();
    assert_eq!(
        kinds,
        [AppendKind::Binary, AppendKind::Utf8, AppendKind::Literal]
    );
    assert_eq!(cmd.to_bytes(), wire);
}

#[test]
fn fragments_wait_before_each_synchronizing_literal() {
    let cmd = expected();
    let frags = encode::fragments(&cmd, LiteralMode::Sync);
    let literals = frags
        .iter()
        .filter(|f| matches!(f, Fragment::Literal { .. }))
        .count();
    assert_eq!(literals, 2, "{frags:?}");
    let mut joined = Vec::new();
    for f in &frags {
        match f {
            Fragment::Line(l) => joined.extend_from_slice(l),
            Fragment::Literal { data, .. } => joined.extend_from_slice(data),
        }
    }
    assert_eq!(joined, rfc3502_example());
}

#[test]
fn a_message_without_its_literal_is_an_error_where_the_literal_was_expected() {
    let wire = b"A1 APPEND x {1}\r\na (\\Seen) NIL\r\n";
    let err = decode::command(wire, &Limits::default()).unwrap_err();
    assert_eq!(err.offset, wire.len() - 5, "{err:?}");
    assert!(
        matches!(err.kind, DecodeErrorKind::Expected { .. }),
        "{err:?}"
    );
}

#[test]
fn the_number_of_messages_is_limited() {
    let mut limits = Limits::default();
    limits.list_items = 2;
    let wire = b"A1 APPEND x {1}\r\na {1}\r\nb {1}\r\nc\r\n";
    let err = decode::command(wire, &limits).unwrap_err();
    assert!(
        matches!(err.kind, DecodeErrorKind::TooManyItems { limit: 2 }),
        "{err:?}"
    );
    // At the third message's announcement.
    assert_eq!(err.offset, wire.len() - b"{1}\r\nc\r\n".len());
    let ok = b"A1 APPEND x {1}\r\na {1}\r\nb\r\n";
    assert!(decode::command(ok, &limits).is_ok());
}
