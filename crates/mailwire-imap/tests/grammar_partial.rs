//! PARTIAL (RFC 9394): the `PARTIAL` search return option and fetch
//! modifier, the `PARTIAL` return data of `ESEARCH`, and the capability.

mod common;
use common::command;

use mailwire_imap::Limits;
use mailwire_imap::decode::{self, DecodeErrorKind};
use mailwire_imap::encode::Encode;
use mailwire_imap::types::{
    Atom, Capability, CommandBody, Data, ESearch, ESearchItem, FetchModifier, PartialRange,
    Response, SearchReturn, SequenceSet, ValueError,
};

fn esearch(wire: &[u8]) -> ESearch<'_> {
    let (r, used) = decode::response(wire, &Limits::default())
        .unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(wire)))
        .complete()
        .unwrap();
    assert_eq!(used, wire.len());
    assert_eq!(r.to_bytes(), wire, "re-encoded");
    match r {
        Response::Data(Data::ESearch(e)) => e,
        other => panic!("{other:?}"),
    }
}

fn range(first: i64, last: i64) -> PartialRange {
    PartialRange::new(first, last).unwrap()
}

fn set(s: &str) -> SequenceSet {
    s.parse().unwrap()
}

#[test]
fn search_return_partial_examples() {
    // RFC 9394 §3.1: the first 500 results, from the oldest.
    let body = command(b"A01 UID SEARCH RETURN (PARTIAL 1:500) UNDELETED\r\n");
    let CommandBody::Search {
        uid: true,
        return_opts: Some(opts),
        ..
    } = &body
    else {
        panic!("{body:?}")
    };
    assert_eq!(opts, &[SearchReturn::Partial(range(1, 500))]);

    // RFC 9394 §3.1: the 100 newest.
    let body = command(b"A04 UID SEARCH RETURN (PARTIAL -1:-100) UNDELETED UNKEYWORD $Junk\r\n");
    let CommandBody::Search {
        return_opts: Some(opts),
        criteria,
        ..
    } = &body
    else {
        panic!("{body:?}")
    };
    assert_eq!(opts, &[SearchReturn::Partial(range(-1, -100))]);
    assert!(opts[0] != SearchReturn::Partial(range(1, 100)));
    assert_eq!(criteria.len(), 2);

    // With other options, in any order; the range is kept as written.
    let body = command(b"A05 SEARCH RETURN (COUNT PARTIAL 500:400 MIN) ALL\r\n");
    let CommandBody::Search {
        return_opts: Some(opts),
        ..
    } = &body
    else {
        panic!("{body:?}")
    };
    assert_eq!(
        opts,
        &[
            SearchReturn::Count,
            SearchReturn::Partial(range(500, 400)),
            SearchReturn::Min
        ]
    );

    // In ESORT (RFC 5267 §3.2), PARTIAL pages sorted results.
    let body = command(b"A06 UID SORT RETURN (PARTIAL 1:10) (DATE) UTF-8 ALL\r\n");
    assert!(
        matches!(body, CommandBody::ESort { ref return_opts, .. }
            if return_opts == &[SearchReturn::Partial(range(1, 10))]),
        "{body:?}"
    );

    // Keywords are case-insensitive; the encoder writes capitals.
    let (cmd, _) = decode::command(
        b"a1 search return (partial -5:-1) all\r\n",
        &Limits::default(),
    )
    .unwrap()
    .complete()
    .unwrap();
    assert_eq!(cmd.to_bytes(), b"a1 SEARCH RETURN (PARTIAL -5:-1) ALL\r\n");
}

#[test]
fn fetch_modifier_partial_examples() {
    // RFC 9394 §3.3: flags of the 30 newest messages. One attribute is
    // written back bare.
    let wire = b"A10 UID FETCH 1:* (FLAGS) (PARTIAL -1:-30)\r\n";
    let (cmd, used) = decode::command(wire, &Limits::default())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(used, wire.len());
    assert_eq!(
        cmd.to_bytes(),
        b"A10 UID FETCH 1:* FLAGS (PARTIAL -1:-30)\r\n"
    );
    let body = cmd.body;
    let CommandBody::Fetch {
        uid: true,
        modifiers,
        ..
    } = &body
    else {
        panic!("{body:?}")
    };
    assert_eq!(modifiers, &[FetchModifier::Partial(range(-1, -30))]);

    let body = command(b"A11 FETCH 1:* (UID FLAGS) (CHANGEDSINCE 12345 PARTIAL 31:60)\r\n");
    let CommandBody::Fetch { modifiers, .. } = &body else {
        panic!("{body:?}")
    };
    assert_eq!(
        modifiers,
        &[
            FetchModifier::ChangedSince(12345),
            FetchModifier::Partial(range(31, 60))
        ]
    );
}

#[test]
fn esearch_partial_examples() {
    // RFC 9394 §3.1 (the RFC elides the set; a concrete one here).
    let e = esearch(b"* ESEARCH (TAG \"A01\") UID PARTIAL (1:500 200:250,252:300)\r\n");
    assert!(e.uid);
    assert_eq!(
        e.items,
        [ESearchItem::Partial {
            range: range(1, 500),
            results: Some(set("200:250,252:300")),
        }]
    );

    let e = esearch(b"* ESEARCH (TAG \"A04\") UID PARTIAL (-1:-100 55700:55799)\r\n");
    assert_eq!(
        e.items,
        [ESearchItem::Partial {
            range: range(-1, -100),
            results: Some(set("55700:55799")),
        }]
    );

    // NIL: nothing at those positions; with other return data.
    let e = esearch(b"* ESEARCH (TAG \"A05\") UID PARTIAL (-101:-200 NIL) COUNT 60\r\n");
    assert_eq!(
        e.items,
        [
            ESearchItem::Partial {
                range: range(-101, -200),
                results: None,
            },
            ESearchItem::Count(60)
        ]
    );
}

#[test]
fn esearch_partial_is_read_tolerantly() {
    // SP inside the parentheses and lower case.
    let wire = b"* ESEARCH (TAG \"A1\") partial ( 1:5 nil )\r\n";
    let (r, _) = decode::response(wire, &Limits::default())
        .unwrap()
        .complete()
        .unwrap();
    let Response::Data(Data::ESearch(e)) = r else {
        panic!("{r:?}")
    };
    assert_eq!(
        e.items,
        [ESearchItem::Partial {
            range: range(1, 5),
            results: None,
        }]
    );
    // A range that is not a partial-range is kept as sent, never lost.
    for wire in [
        &b"* ESEARCH (TAG \"A1\") PARTIAL (0:5 NIL)\r\n"[..],
        b"* ESEARCH (TAG \"A1\") PARTIAL (-1:5 NIL)\r\n",
        b"* ESEARCH (TAG \"A1\") PARTIAL (1:* 3)\r\n",
    ] {
        let e = esearch(wire);
        let [ESearchItem::Other(o)] = &e.items[..] else {
            panic!("{e:?}")
        };
        assert_eq!(o.name(), "PARTIAL");
    }
}

#[test]
fn invalid_ranges_are_refused_where_they_are() {
    let cases: &[(&[u8], usize)] = &[
        // Zero is not an nz-number.
        (b"A1 SEARCH RETURN (PARTIAL 0:5) ALL\r\n", 26),
        (b"A1 SEARCH RETURN (PARTIAL 5:0) ALL\r\n", 28),
        (b"A1 SEARCH RETURN (PARTIAL -1:-0) ALL\r\n", 30),
        // Mixed signs.
        (b"A1 SEARCH RETURN (PARTIAL -1:5) ALL\r\n", 29),
        (b"A1 SEARCH RETURN (PARTIAL 1:-5) ALL\r\n", 28),
        // No "*", no single number, no 33-bit number, no missing range.
        (b"A1 SEARCH RETURN (PARTIAL 1:*) ALL\r\n", 28),
        (b"A1 SEARCH RETURN (PARTIAL 5) ALL\r\n", 27),
        (b"A1 SEARCH RETURN (PARTIAL 1:4294967296) ALL\r\n", 28),
        (b"A1 SEARCH RETURN (PARTIAL) ALL\r\n", 25),
        (b"A1 SEARCH RETURN (PARTIAL \"1:5\") ALL\r\n", 26),
        // The fetch modifier.
        (b"A1 UID FETCH 1:* (FLAGS) (PARTIAL -1:-0)\r\n", 38),
        (b"A1 UID FETCH 1:* (FLAGS) (PARTIAL -1:0)\r\n", 37),
        (b"A1 UID FETCH 1:* (FLAGS) (PARTIAL 1:-30)\r\n", 36),
    ];
    for &(wire, offset) in cases {
        let e = decode::command(wire, &Limits::default()).unwrap_err();
        assert_eq!(
            e.offset,
            offset,
            "{:?}: {e:?}",
            String::from_utf8_lossy(wire)
        );
        assert_eq!(e.discard, wire.len());
        assert!(
            matches!(
                e.kind,
                DecodeErrorKind::Expected { .. } | DecodeErrorKind::InvalidNumber
            ),
            "{e:?}"
        );
    }
}

#[test]
fn partial_range_constructors_validate() {
    assert_eq!(range(1, 100).to_string(), "1:100");
    assert_eq!(range(-1, -100).to_string(), "-1:-100");
    assert_eq!(range(-1, -100).signed(), (-1, -100));
    assert!(range(-1, -100).is_from_end());
    assert_eq!(PartialRange::from_end(1, 100).unwrap(), range(-1, -100));
    assert_eq!(PartialRange::from_start(7, 3).unwrap(), range(7, 3));
    assert_eq!(
        range(4_294_967_295, 1).bounds().0.get(),
        4_294_967_295,
        "the largest nz-number"
    );
    for (first, last) in [
        (0, 1),
        (1, 0),
        (0, 0),
        (-1, 1),
        (1, -1),
        (1, 4_294_967_296),
        (-4_294_967_296, -1),
        (i64::MIN, -1),
    ] {
        assert!(
            matches!(
                PartialRange::new(first, last),
                Err(ValueError::OutOfRange { .. })
            ),
            "{first}:{last}"
        );
    }
    assert!(PartialRange::from_end(0, 3).is_err());
    assert!(PartialRange::from_start(3, 0).is_err());
    assert_eq!(range(-3, -9).to_bytes(), b"-3:-9");
}

#[test]
fn partial_capability() {
    let c = Capability::new(Atom::new("partial").unwrap());
    assert_eq!(c, Capability::Partial);
    assert_eq!(c.to_bytes(), b"PARTIAL");
    let wire = b"* CAPABILITY IMAP4rev2 ESEARCH PARTIAL\r\n";
    let (r, _) = decode::response(wire, &Limits::default())
        .unwrap()
        .complete()
        .unwrap();
    let Response::Data(Data::Capability(caps)) = &r else {
        panic!("{r:?}")
    };
    assert!(caps.contains(&Capability::Partial));
    assert_eq!(r.to_bytes(), wire);
}
