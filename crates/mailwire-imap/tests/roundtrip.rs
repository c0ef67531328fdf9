//! Property tests: `decode(encode(x)) == x` for arbitrary values, and
//! streaming decoding independent of how the input is split.

use std::num::NonZeroU32;

use mailwire_imap::Limits;
use mailwire_imap::decode::{self, GreetingDecoder};
use mailwire_imap::encode::{self, Encode, StringForm};
use mailwire_imap::types::{
    Atom, Capability, Code, CodeText, Greeting, GreetingKind, Mailbox, SeqItem, SeqNumber,
    SequenceSet, Tag, Text, utf7,
};
use proptest::prelude::*;

/// `ATOM-CHAR` (RFC 9051 §9), listed independently of the crate.
fn atom_chars() -> Vec<u8> {
    (0x21u8..=0x7e)
        .filter(|b| !b"(){%*\"\\]".contains(b))
        .collect()
}

fn tag_chars() -> Vec<u8> {
    let mut v: Vec<u8> = atom_chars().into_iter().filter(|&b| b != b'+').collect();
    v.push(b']');
    v
}

fn word(chars: Vec<u8>, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(chars), 1..max)
        .prop_map(|v| String::from_utf8(v).unwrap())
}

fn atom() -> impl Strategy<Value = Atom<'static>> {
    word(atom_chars(), 16).prop_map(|s| Atom::new(s).unwrap())
}

fn seq_number() -> impl Strategy<Value = SeqNumber> {
    prop_oneof![
        1 => Just(SeqNumber::Largest),
        4 => any::<u32>().prop_filter_map("non-zero", NonZeroU32::new).prop_map(SeqNumber::Value),
        4 => (1u32..100).prop_map(|n| SeqNumber::new(n).unwrap()),
    ]
}

fn seq_item() -> impl Strategy<Value = SeqItem> {
    prop_oneof![
        seq_number().prop_map(SeqItem::Single),
        (seq_number(), seq_number()).prop_map(|(a, b)| SeqItem::Range(a, b)),
    ]
}

fn sequence_set() -> impl Strategy<Value = SequenceSet> {
    prop_oneof![
        1 => Just(SequenceSet::last_command()),
        9 => prop::collection::vec(seq_item(), 1..20)
            .prop_map(|items| SequenceSet::from_items(items).unwrap()),
    ]
}

/// Bytes allowed in line text: anything but CR, LF and NUL.
fn text_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            4 => 0x20u8..0x7f,
            1 => any::<u8>().prop_filter("no CR/LF/NUL", |b| !matches!(b, b'\r' | b'\n' | 0)),
        ],
        0..max,
    )
}

fn capability() -> impl Strategy<Value = Capability<'static>> {
    prop_oneof![
        Just(Capability::Imap4Rev1),
        Just(Capability::Imap4Rev2),
        Just(Capability::LiteralPlus),
        atom().prop_map(Capability::Auth),
        atom().prop_map(Capability::new),
    ]
}

fn code() -> impl Strategy<Value = Code<'static>> {
    prop_oneof![
        Just(Code::Alert),
        prop::collection::vec(capability(), 0..10).prop_map(Code::Capability),
        (
            atom(),
            prop::option::of(
                text_bytes(30)
                    .prop_map(|v| v.into_iter().filter(|&b| b != b']').collect::<Vec<u8>>())
                    .prop_filter_map("non-empty", |v| CodeText::new(v).ok())
            )
        )
            .prop_map(|(name, text)| Code::from_parts(name, text)),
        prop::option::of(text_bytes(10).prop_filter_map("valid", |v| CodeText::new(v).ok()))
            .prop_map(|t| Code::from_parts(Atom::new("CAPABILITY").unwrap(), t)),
    ]
}

fn greeting() -> impl Strategy<Value = Greeting<'static>> {
    (
        prop_oneof![
            Just(GreetingKind::Ok),
            Just(GreetingKind::PreAuth),
            Just(GreetingKind::Bye)
        ],
        prop::option::of(code()),
        text_bytes(60),
    )
        .prop_filter_map("valid greeting", |(kind, code, text)| {
            Greeting::new(kind, code, Text::new(text).ok()?).ok()
        })
}

proptest! {
    #[test]
    fn sequence_sets_round_trip(set in sequence_set()) {
        let mut wire = set.to_bytes();
        wire.push(b' ');
        let (back, used) = decode::sequence_set(&wire, &Limits::default()).unwrap().complete().unwrap();
        prop_assert_eq!(used, wire.len() - 1);
        prop_assert_eq!(&back, &set);
        let parsed: SequenceSet = std::str::from_utf8(&wire[..used]).unwrap().parse().unwrap();
        prop_assert_eq!(parsed, set);
    }

    #[test]
    fn sequence_set_queries_agree(set in sequence_set(), largest in 0u32..200, n in 0u32..250) {
        let by_iter = set.numbers(largest).take(100_000).any(|x| x == n);
        let by_ranges = set.normalized(largest).iter().any(|r| r.contains(&n));
        prop_assert_eq!(set.contains(n, largest), by_ranges);
        if set.count(largest) <= 100_000 {
            prop_assert_eq!(by_iter, by_ranges);
            prop_assert_eq!(set.numbers(largest).count() as u64, set.count(largest));
        }
    }

    #[test]
    fn tags_round_trip(s in word(tag_chars(), 20)) {
        let tag = Tag::new(s).unwrap();
        let mut wire = tag.to_bytes();
        wire.push(b' ');
        let (back, used) = decode::tag(&wire).unwrap().complete().unwrap();
        prop_assert_eq!(used, wire.len() - 1);
        prop_assert_eq!(back, tag);
    }

    #[test]
    fn atoms_round_trip(a in atom()) {
        let mut wire = a.to_bytes();
        wire.push(b'(');
        let (back, _) = decode::atom(&wire).unwrap().complete().unwrap();
        prop_assert_eq!(back, a);
    }

    #[test]
    fn unicode_names_round_trip_through_modified_utf7(name in any::<String>()) {
        let encoded = utf7::encode(&name);
        prop_assert!(encoded.bytes().all(|b| (0x20..0x7f).contains(&b)));
        prop_assert_eq!(utf7::decode(encoded.as_bytes()).unwrap(), name.clone());
        let lossy = utf7::decode_lossy(encoded.as_bytes());
        prop_assert!(lossy.errors.is_empty());

        let mailbox = Mailbox::from_name(&name);
        let mut wire = Vec::new();
        let form = encode::mailbox(&mailbox, &mut wire).unwrap();
        prop_assert_ne!(form, StringForm::Literal);
        wire.push(b' ');
        let (back, used) = decode::mailbox(&wire).unwrap().complete().unwrap();
        prop_assert_eq!(used, wire.len() - 1);
        prop_assert_eq!(&back, &mailbox);
        if !name.eq_ignore_ascii_case("INBOX") {
            prop_assert_eq!(back.to_name().unwrap(), name);
        }
    }

    #[test]
    fn valid_modified_utf7_re_encodes_to_itself(bytes in prop::collection::vec(prop_oneof![
        Just(b'&'), Just(b'-'), Just(b'A'), Just(b','), Just(b'+'), Just(b'2'), Just(b'x'), 0x20u8..0x7f, any::<u8>()
    ], 0..24)) {
        let lossy = utf7::decode_lossy(&bytes);
        match utf7::decode(&bytes) {
            Ok(name) => {
                prop_assert!(lossy.errors.is_empty());
                prop_assert_eq!(&lossy.name, &name);
                let encoded = utf7::encode(&name);
                prop_assert_eq!(encoded.as_bytes(), &bytes[..]);
            }
            Err(e) => {
                prop_assert_eq!(lossy.errors.first(), Some(&e));
                prop_assert!(e.offset < bytes.len());
            }
        }
    }

    #[test]
    fn any_mailbox_bytes_round_trip_or_need_a_literal(bytes in text_bytes(30)) {
        let mailbox = Mailbox::from_bytes(bytes).unwrap();
        let mut wire = Vec::new();
        match encode::mailbox(&mailbox, &mut wire) {
            Err(_) => prop_assert!(wire.is_empty()),
            Ok(_) => {
                wire.push(b' ');
                let (back, _) = decode::mailbox(&wire).unwrap().complete().unwrap();
                prop_assert_eq!(back, mailbox);
            }
        }
    }

    #[test]
    fn greetings_round_trip(g in greeting()) {
        let wire = g.to_bytes();
        let (back, used) = decode::greeting(&wire, &Limits::default()).unwrap().complete().unwrap();
        prop_assert_eq!(used, wire.len());
        prop_assert_eq!(&back, &g);
        // Split anywhere, the streaming decoder gives the same greeting.
        for chunk in [1usize, 2, 3, 7, 64] {
            let mut d = GreetingDecoder::new(Limits::default());
            let mut got = None;
            for c in wire.chunks(chunk) {
                d.push(c);
                if let Some(r) = d.next_greeting() {
                    got = Some(r.unwrap());
                }
            }
            prop_assert_eq!(got.as_ref(), Some(&g));
        }
    }

    #[test]
    fn greeting_decoding_never_panics_and_round_trips(line in text_bytes(80)) {
        let mut input = b"* OK ".to_vec();
        input.extend_from_slice(&line);
        input.extend_from_slice(b"\r\n");
        if let Ok(d) = decode::greeting(&input, &Limits::default()) {
            let (g, _) = d.complete().unwrap();
            let again = g.to_bytes();
            let (back, _) = decode::greeting(&again, &Limits::default()).unwrap().complete().unwrap();
            prop_assert_eq!(back, g);
        }
    }
}
