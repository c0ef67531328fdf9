//! Property: for arbitrary trees (non-ASCII names, long words, binary
//! and streamed attachments, text with boundary-like lines, nested
//! messages), the decoder reads back the same tree and contents, and the
//! output keeps every line within 998 octets, ended by CRLF.

mod build_support;

use build_support::{Spec, compare_message, lines_ok, message};
use mailwire_mime::Message;
use mailwire_mime::build::Options;
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9 .,;:!?'\"()=_-]{0,30}",
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\r".to_owned()),
        Just(" \t ".to_owned()),
        "--=_mw[0-9a-f]{0,24}(--)?",
        "--[a-z]{1,5}",
        "\\PC{0,12}",
        "[\u{80}-\u{10ffff}]{0,6}",
        "x{60,1200}",
        Just("=?utf-8?q?a?=".to_owned()),
    ];
    prop::collection::vec(piece, 0..10).prop_map(|v| v.concat())
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9._-]{1,20}",
        "\\PC{1,30}",
        "[a-z ]{60,120}",
        "[é日😀 a]{1,40}",
        "[a-z\"]{70,1100}",
    ]
}

fn leaf() -> impl Strategy<Value = Spec> {
    prop_oneof![
        (
            prop_oneof![Just("plain"), Just("html"), Just("csv")],
            text(),
            prop::option::of(name())
        )
            .prop_map(|(subtype, text, filename)| Spec::Text {
                subtype,
                text,
                filename
            }),
        (
            prop_oneof![Just("octet-stream"), Just("pdf")],
            prop_oneof![
                prop::collection::vec(any::<u8>(), 0..3000),
                text().prop_map(String::into_bytes),
                Just(b"line\r\n--=_mw0\r\n".to_vec()),
            ],
            prop::option::of(name()),
            any::<bool>()
        )
            .prop_map(|(subtype, data, filename, stream)| Spec::Bytes {
                subtype,
                data,
                filename,
                stream
            }),
    ]
}

fn tree() -> impl Strategy<Value = Spec> {
    leaf().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            (
                prop_oneof![Just("mixed"), Just("alternative"), Just("related")],
                prop::collection::vec(inner.clone(), 1..4)
            )
                .prop_map(|(subtype, children)| Spec::Multipart { subtype, children }),
            (text(), name(), inner).prop_map(|(subject, from_name, body)| Spec::Message {
                subject,
                from_name,
                body: Box::new(body)
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decode_encode_tree(
        spec in tree(),
        subject in text(),
        from_name in name(),
        eight in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let options = Options::default().with_8bit(eight).with_seed(seed);
        let bytes = message(&subject, &from_name, &spec).to_vec(&options).unwrap();
        if let Err(e) = lines_ok(&bytes) {
            prop_assert!(false, "{e}");
        }
        if !eight {
            prop_assert!(bytes.is_ascii());
        }
        let parsed = Message::parse(&bytes);
        let structural: Vec<_> = parsed
            .defects()
            .filter(|(_, d)| !matches!(d.kind, mailwire_mime::types::DefectKind::LineTooLong { .. }))
            .collect();
        prop_assert!(structural.is_empty(), "{structural:?}");
        if let Err(e) = compare_message(&subject, &from_name, &spec, parsed.root()) {
            prop_assert!(false, "{e}\n{}", String::from_utf8_lossy(&bytes[..bytes.len().min(3000)]));
        }
    }
}
