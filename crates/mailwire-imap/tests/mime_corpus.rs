//! `mailwire_imap::mime` over the MIME corpus and RFC examples: every
//! message gives an ENVELOPE and a BODYSTRUCTURE that encode to a FETCH
//! response the crate's decoder reads back to the same values, and every
//! part number the structure shows has a section.
#![cfg(feature = "mime")]

use std::path::Path;

use mailwire_imap::encode::Encode;
use mailwire_imap::types::{Body, Data, FetchItem, Response, Section, SectionText};
use mailwire_imap::{Limits, decode, mime};
use mailwire_mime::Message;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/mime");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .map(|e| {
            let data = std::fs::read(e.path()).unwrap();
            (e.file_name().to_string_lossy().into_owned(), data)
        })
        .collect();
    out.sort();
    out
}

/// The part paths a body structure shows (`[1]`, `[1, 2]`, …) with their
/// sizes, walked with an explicit stack.
fn paths(body: &Body<'_>) -> Vec<(Vec<u32>, u32)> {
    let mut out = Vec::new();
    let mut stack: Vec<(&Body<'_>, Vec<u32>)> = vec![(body, Vec::new())];
    while let Some((b, path)) = stack.pop() {
        match b {
            Body::Multi(m) => {
                for (i, p) in m.parts.iter().enumerate() {
                    let mut sub = path.clone();
                    sub.push(u32::try_from(i + 1).unwrap());
                    stack.push((p, sub));
                }
            }
            Body::Single(s) => out.push((
                if path.is_empty() { vec![1] } else { path },
                s.fields.octets,
            )),
        }
    }
    out
}

#[test]
fn corpus_structures_round_trip_through_the_decoder() {
    let corpus = corpus();
    for (name, data) in &corpus {
        let message = Message::parse(data);
        let items = vec![
            FetchItem::Envelope(Box::new(mime::envelope(&message))),
            FetchItem::BodyStructure(Box::new(mime::body_structure(&message, true))),
            FetchItem::Body(Box::new(mime::body_structure(&message, false))),
        ];
        let response = Response::Data(Data::Fetch { seq: 1, items });
        let bytes = response.to_bytes();
        let (decoded, consumed) = decode::response(&bytes, &Limits::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .complete()
            .unwrap_or_else(|| panic!("{name}: incomplete"));
        assert_eq!(consumed, bytes.len(), "{name}");
        assert_eq!(decoded, response, "{name}");
        let Response::Data(Data::Fetch { items, .. }) = &decoded else {
            panic!()
        };
        let FetchItem::BodyStructure(body) = &items[1] else {
            panic!()
        };
        for (path, octets) in paths(body) {
            let section = Section {
                part: path.clone(),
                text: None,
            };
            // The empty part shown in a multipart without parts has no
            // section; every other part has one of its size.
            match mime::section(&message, &section) {
                Some(data) => assert_eq!(data.len(), octets as usize, "{name}: part {path:?}"),
                None => assert_eq!(octets, 0, "{name}: part {path:?}"),
            }
        }
        // The whole message, its header and text are the bytes stored.
        let whole = mime::section(&message, &Section::default()).unwrap();
        assert_eq!(&whole[..], &data[..], "{name}");
        let header = mime::section(
            &message,
            &Section {
                part: Vec::new(),
                text: Some(SectionText::Header),
            },
        )
        .unwrap();
        let text = mime::section(
            &message,
            &Section {
                part: Vec::new(),
                text: Some(SectionText::Text),
            },
        )
        .unwrap();
        assert_eq!([&header[..], &text[..]].concat(), *data, "{name}");
    }
}

/// RFC 2046 §5.1.1's example and RFC 9051 §6.4.5's section numbering on
/// a message with a nested message.
#[test]
fn sections_of_a_nested_message() {
    let input = b"From: a@example.org\r\nSubject: outer\r\n\
        Content-Type: multipart/mixed; boundary=\"simple boundary\"\r\n\r\n\
        preamble\r\n--simple boundary\r\n\r\n\
        This is implicitly typed plain US-ASCII text.\r\n\
        It does NOT end with a linebreak.\r\n\
        --simple boundary\r\nContent-Type: message/rfc822\r\n\r\n\
        From: b@example.org\r\nSubject: inner\r\n\
        Content-Type: multipart/alternative; boundary=in\r\n\r\n\
        --in\r\nContent-Type: text/plain\r\n\r\nplain\r\n\
        --in\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--in--\r\n\
        --simple boundary--\r\nepilogue\r\n";
    let message = Message::parse(input);
    let get = |part: &[u32], text: Option<SectionText<'static>>| {
        mime::section(
            &message,
            &Section {
                part: part.to_vec(),
                text,
            },
        )
        .map(|c| String::from_utf8(c.into_owned()).unwrap())
    };
    assert_eq!(
        get(&[1], None).unwrap(),
        "This is implicitly typed plain US-ASCII text.\r\nIt does NOT end with a linebreak."
    );
    assert_eq!(get(&[1], Some(SectionText::Mime)).unwrap(), "\r\n");
    assert_eq!(
        get(&[2], Some(SectionText::Mime)).unwrap(),
        "Content-Type: message/rfc822\r\n\r\n"
    );
    assert!(
        get(&[2], Some(SectionText::Header))
            .unwrap()
            .starts_with("From: b@example.org\r\n")
    );
    assert_eq!(get(&[2, 1], None).unwrap(), "plain");
    assert_eq!(get(&[2, 2], None).unwrap(), "<p>html</p>");
    assert_eq!(
        get(&[2, 2], Some(SectionText::Mime)).unwrap(),
        "Content-Type: text/html\r\n\r\n"
    );
    assert_eq!(
        get(
            &[2],
            Some(SectionText::HeaderFields {
                not: false,
                fields: vec![b"subject"[..].into()],
            })
        )
        .unwrap(),
        "Subject: inner\r\n\r\n"
    );
    assert!(get(&[3], None).is_none());
    assert!(get(&[1, 1], None).is_none());
    assert!(get(&[], Some(SectionText::Mime)).is_none());

    let Body::Multi(outer) = mime::body_structure(&message, true) else {
        panic!("a multipart")
    };
    assert_eq!(&outer.subtype[..], b"mixed");
    let Body::Single(first) = &outer.parts[0] else {
        panic!()
    };
    // No Content-Type: text/plain, us-ascii (RFC 2045 §5.2).
    assert_eq!(
        (&first.media_type[..], &first.subtype[..]),
        (&b"text"[..], &b"plain"[..])
    );
    assert_eq!(first.fields.params[0].1.as_deref(), Some(&b"us-ascii"[..]));
    assert_eq!(first.fields.octets as usize, get(&[1], None).unwrap().len());
    let Body::Single(second) = &outer.parts[1] else {
        panic!()
    };
    let mailwire_imap::types::SinglePartKind::Message { envelope, body, .. } = &second.kind else {
        panic!("message/rfc822")
    };
    assert_eq!(envelope.subject.as_deref(), Some(&b"inner"[..]));
    assert!(matches!(**body, Body::Multi(_)));
}
