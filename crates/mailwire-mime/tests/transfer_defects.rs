//! Transfer-decoding defects in the tree API ([`Part::all_defects`]): bad
//! base64 characters and padding, bad quoted-printable escapes, each on the
//! part it concerns, with offsets into the message, the same as the push
//! parser reports when it decodes bodies.

use mailwire_mime::decode::{Event, MessageParser};
use mailwire_mime::types::{Defect, DefectKind};
use mailwire_mime::{Limits, Message};

const INPUT: &[u8] = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n\
--b\r\nContent-Transfer-Encoding: base64\r\n\r\nZm9v!YmFy\r\nYg\r\n\
--b\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9 =ZZ au lait\r\n\
--b\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n\
U3ViamVjdDogaGkNCg0KaGk*=\r\n\
--b\r\nContent-Transfer-Encoding: 8bit\r\n\r\n=ZZ !*\r\n\
--b--\r\n";

fn at(offset: usize) -> &'static [u8] {
    &INPUT[offset..]
}

fn streamed() -> Vec<(usize, Defect)> {
    let mut parser = MessageParser::new(&Limits::default()).decode_bodies(true);
    let mut defects = Vec::new();
    let mut sink = |e: Event<'_>| {
        if let Event::Defect { part, defect } = e {
            defects.push((part, defect));
        }
    };
    for chunk in INPUT.chunks(7) {
        parser.push(chunk, &mut sink);
    }
    parser.finish(&mut sink);
    defects
}

#[test]
fn defects_on_the_part_they_concern() {
    let message = Message::parse(INPUT);
    let parts: Vec<_> = message.parts().collect();
    assert_eq!(parts.len(), 6);

    // Structural defects alone stay where they were.
    assert!(parts[1].defects().is_empty());

    let b64 = parts[1].all_defects();
    let kinds: Vec<_> = b64.iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds,
        [
            DefectKind::InvalidBase64Characters,
            DefectKind::InvalidBase64Padding
        ]
    );
    assert!(at(b64[0].offset).starts_with(b"!YmFy"));
    assert!(at(b64[1].offset).starts_with(b"\r\n--b\r\n"));
    assert_eq!(parts[1].decoded_bytes().as_ref(), b"foobarb");

    let qp = parts[2].all_defects();
    assert_eq!(qp.len(), 1);
    assert_eq!(qp[0].kind, DefectKind::InvalidQuotedPrintable);
    assert!(at(qp[0].offset).starts_with(b"=ZZ au lait"));

    // The encoded message part carries its own decoding defect; the
    // nested message decodes nonetheless.
    let encoded = parts[3].all_defects();
    assert_eq!(encoded.len(), 1);
    assert_eq!(encoded[0].kind, DefectKind::InvalidBase64Characters);
    assert!(at(encoded[0].offset).starts_with(b"*="));
    let nested = parts[3].message().unwrap();
    assert_eq!(
        nested.headers().get("subject").unwrap().unstructured(),
        "hi"
    );
    assert!(nested.all_defects().is_empty());

    // Content in an identity encoding is not checked as if encoded.
    assert!(parts[5].all_defects().is_empty());
    // Nor are multiparts.
    assert!(parts[0].all_defects().is_empty());
}

#[test]
fn tree_and_stream_agree() {
    let message = Message::parse(INPUT);
    let mut tree: Vec<(usize, Defect)> = message
        .parts()
        .flat_map(|p| {
            let id = p.id();
            p.all_defects().into_iter().map(move |d| (id, d))
        })
        .collect();
    let mut stream = streamed();
    let key = |(p, d): &(usize, Defect)| (*p, d.offset, format!("{:?}", d.kind));
    tree.sort_by_key(key);
    stream.sort_by_key(key);
    assert_eq!(tree, stream);
}

/// A quoted-printable leaf with a bad escape, inside a base64
/// `message/rfc822` part whose own encoding is broken too.
fn nested_input() -> Vec<u8> {
    use base64::Engine as _;
    let inner = b"Content-Transfer-Encoding: quoted-printable\r\n\r\nok =G1 done\r\n";
    let b64 = base64::engine::general_purpose::STANDARD.encode(inner);
    format!(
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
         Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         {b64}\r\n#\r\n--b--\r\n"
    )
    .into_bytes()
}

#[test]
fn defects_inside_encoded_messages() {
    let input = nested_input();
    let message = Message::parse(&input);
    let parts: Vec<_> = message.parts().collect();
    assert_eq!(parts.len(), 3);
    // The encoded message part: the '#' that is no base64 character,
    // pointed at in the input.
    let outer = parts[1].all_defects();
    assert_eq!(outer.len(), 1);
    assert_eq!(outer[0].kind, DefectKind::InvalidBase64Characters);
    assert_eq!(input[outer[0].offset], b'#');
    // The leaf of the nested message: its bad escape, pointed at in the
    // decoded body of the message part it lies in (its byte stream).
    let leaf = parts[2];
    assert_eq!(leaf.info().layer, 1);
    assert!(leaf.defects().is_empty());
    let inner = leaf.all_defects();
    assert_eq!(inner.len(), 1);
    assert_eq!(inner[0].kind, DefectKind::InvalidQuotedPrintable);
    let stream = parts[1].decoded_bytes();
    assert!(stream[inner[0].offset..].starts_with(b"=G1 done"));
    assert_eq!(leaf.decoded_bytes().as_ref(), b"ok =G1 done\r\n");

    // The push parser reports the same defects on the same parts.
    let mut parser = MessageParser::new(&Limits::default()).decode_bodies(true);
    let mut streamed = Vec::new();
    let mut sink = |e: Event<'_>| {
        if let Event::Defect { part, defect } = e {
            streamed.push((part, defect));
        }
    };
    for chunk in input.chunks(5) {
        parser.push(chunk, &mut sink);
    }
    parser.finish(&mut sink);
    streamed.sort_by_key(|(p, d)| (*p, d.offset));
    let tree: Vec<_> = parts
        .iter()
        .flat_map(|p| p.all_defects().into_iter().map(move |d| (p.id(), d)))
        .collect();
    assert_eq!(tree, streamed);
}
